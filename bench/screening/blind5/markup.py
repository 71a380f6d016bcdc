"""Parse compact hand-written markup into text + UTF-8 byte spans.
Line format:  kind :: text with {code|match} inline spans
Codes: see ALIAS. Lines starting with # or blank are ignored."""
import re
ALIAS = {
 'n':'personal.name','c':'covert','o':'investigation.operation','r':'investigation.reference',
 'd':'personal.dob','m':'marking','p':'personal.phone','e':'personal.email','pc':'personal.postcode',
 'ni':'personal.nino','nhs':'personal.nhs','cd':'personal.card','bk':'personal.bank',
 'v':'personal.vehicle','a':'personal.address','s':'investigation.suspect','j':'justice',
 'ab':'abuse','ch':'channel','cp':'copyright','dr':'disrepute'}
CATS = set(ALIAS.values())
PAT = re.compile(r'\{([a-z.]+)\|([^{}]+)\}')

def parse(body):
    out = b''; spans = []; pos = 0
    for m in PAT.finditer(body):
        out += body[pos:m.start()].encode('utf-8')
        code, match = m.group(1), m.group(2)
        cat = ALIAS.get(code, code)
        if cat not in CATS:
            raise ValueError('bad category %r in %r' % (code, body))
        mb = match.encode('utf-8')
        spans.append({'category': cat, 'match': match, 'start': len(out), 'end': len(out)+len(mb)})
        out += mb
        pos = m.end()
    out += body[pos:].encode('utf-8')
    text = out.decode('utf-8')
    if '{' in text or '}' in text:
        raise ValueError('stray brace in %r' % body)
    return text, spans

def parse_file(path):
    items = []
    for ln, line in enumerate(open(path, encoding='utf-8'), 1):
        line = line.rstrip('\n')
        if not line.strip() or line.startswith('#'):
            continue
        if ' :: ' not in line:
            raise ValueError('%s:%d no kind separator: %r' % (path, ln, line))
        kind, body = line.split(' :: ', 1)
        text, spans = parse(body.strip().replace('\\n', '\n').replace('\\t', '\t'))
        items.append((kind.strip(), text, spans))
    return items
