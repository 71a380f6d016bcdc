import re,sys,statistics as st
rows={}
for f in sys.argv[1:]:
    for l in open(f):
        m=re.match(r'run (\d+) (\w) ([\w-]+2?):\s+([\d.]+) s wall, ([\d.]+)\+([\d.]+) s cpu, (\d+) KB',l)
        if m:
            i,side,what,w,u,s,rss=m.groups()
            rows.setdefault((what,side),[]).append((float(w),float(u)+float(s),int(rss)/1024))
for what in dict.fromkeys(k[0] for k in rows):
    out=[]
    for side in 'ab':
        v=rows.get((what,side),[])
        if not v: continue
        w=[x[0] for x in v]; c=[x[1] for x in v]; r=[x[2] for x in v]
        out.append(f"{side}: n={len(v)} wall {min(w):.2f}-{max(w):.2f} med {st.median(w):.2f}; cpu {min(c):.2f}-{max(c):.2f} med {st.median(c):.2f}; rss {min(r):.0f}-{max(r):.0f} MB")
    print(what); [print('  ',o) for o in out]
