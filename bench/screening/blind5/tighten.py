"""One-off helper: move cue words out of dob/reference spans in the hand files (shortest span rule)."""
import re, sys
DCUE = re.compile(r'^(\(?\s*(?:DOB|D\.O\.B\.?|d\.o\.b\.?|dob|d/o/b|date of birth(?: is)?|Date of birth|born|Born|b\.)\s*[:\-]?\s*)(.*?)(\)?)$')
RCUE = re.compile(r'^((?:incident|Incident|crime number|crime|Ref:|ref|Ref|log|occurrence|occ no)\s+(?:no\.?\s+)?)(.*)$')
def fix(m):
    code, body = m.group(1), m.group(2)
    if code == 'd':
        mm = DCUE.match(body)
        if mm and mm.group(2):
            return mm.group(1) + '{d|' + mm.group(2) + '}' + mm.group(3)
        if body.startswith('(') and body.endswith(')'):
            return '({d|' + body[1:-1] + '})'
    if code == 'r':
        mm = RCUE.match(body)
        if mm and mm.group(2):
            return mm.group(1) + '{r|' + mm.group(2) + '}'
    return m.group(0)
for p in sys.argv[1:]:
    s = open(p, encoding='utf-8').read()
    n = re.sub(r'\{(d|r)\|([^{}]+)\}', fix, s)
    for a, b in zip(s.splitlines(), n.splitlines()):
        if a != b: print(b)
    open(p, 'w', encoding='utf-8').write(n)
