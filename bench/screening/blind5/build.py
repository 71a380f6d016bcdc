"""Build dev5.jsonl / sealed5.jsonl from hand-written markup files plus a small
per-half stdlib generator that tops up category quotas and the clean share."""
import json, random, sys
from markup import parse, parse_file
import genframes, kinds

TARGET = {'personal.name':200,'covert':120,'investigation.operation':80,'investigation.reference':80,
 'personal.dob':80,'marking':40,'personal.phone':40,'personal.email':40,'personal.postcode':40,
 'personal.nino':40,'personal.nhs':40,'personal.vehicle':40,'personal.address':40,'cardbank':40}
GEN_MARGIN = 6

def counts(items):
    c = {}
    for _,_,sp in items:
        for s in sp:
            k = 'cardbank' if s['category'] in ('personal.card','personal.bank') else s['category']
            c[k] = c.get(k,0)+1
    return c

def banned_from(items):
    b = set()
    for _,t,sp in items:
        for s in sp:
            if s['category'] in ('personal.name','investigation.operation'):
                b.add(s['match'].lower())
    return b

def build(half, other_hand):
    hand = parse_file('hand_%s.txt' % half)
    seen = set(t for _,t,_ in hand)
    other_texts = set(t for _,t,_ in other_hand)
    hand = [(kinds.neutral(k, t), t, sp) for k, t, sp in hand]
    G = genframes.Gen(half, seed={'dev':5151,'sealed':9292}[half], banned=banned_from(other_hand))
    gen = []
    def add(item):
        k,t,sp = item
        if t in seen or t in other_texts: return False
        seen.add(t); gen.append(item); return True
    c = counts(hand)
    needs = {cat: tgt + GEN_MARGIN - c.get(cat,0) for cat, tgt in TARGET.items()}
    tries = 0
    while any(v > 0 for v in needs.values()) and tries < 20000:
        tries += 1
        top = max(needs, key=lambda k_: needs[k_])
        if needs[top] <= 0: break
        it = G.labelled(top) if G.r.random() < 0.35 else G.multi(needs, k=4)
        if it is None: break
        if add(it):
            for s_ in it[2]:
                k_ = 'cardbank' if s_['category'] in ('personal.card','personal.bank') else s_['category']
                if k_ in needs: needs[k_] -= 1
    allitems = hand + gen
    # clean share >= 42% and total >= 905, while hand share stays >= 60%
    def nclean(xs): return sum(1 for x in xs if not x[2])
    tries = 0
    while (len(allitems) < 905 or nclean(allitems) < 0.42*len(allitems)) and tries < 200000:
        tries += 1
        it = G.clean()
        if it[1] in seen or it[1] in other_texts: continue
        seen.add(it[1]); allitems.append(it); gen.append(it)
    rnd = random.Random(77 if half=='dev' else 88)
    order = list(range(len(allitems))); rnd.shuffle(order)
    prefix = 'b5d' if half=='dev' else 'b5s'
    out = 'dev5.jsonl' if half=='dev' else 'sealed5.jsonl'
    with open(out,'w',encoding='utf-8') as f:
        for i,idx in enumerate(order,1):
            k,t,sp = allitems[idx]
            f.write(json.dumps({'id':'%s-%04d'%(prefix,i),'kind':k,'text':t,'spans':sp}, ensure_ascii=False)+'\n')
    print(half, 'hand', len(hand), 'gen', len(gen), 'total', len(allitems), 'hand share %.1f%%' % (100*len(hand)/len(allitems)))
    return len(hand), len(gen)

if __name__ == '__main__':
    hd = parse_file('hand_dev.txt'); hs = parse_file('hand_sealed.txt')
    build('dev', hs); build('sealed', hd)
