#!/usr/bin/env python3
"""Print vireo CommandSpec declarations for Redis commands, from the reference server.

Usage: tools/gen-command-spec.py [--port N] CMD [CMD ...]

Connects to a running reference redis-server 7.0.15 (default 127.0.0.1:6379), reads COMMAND INFO
and COMMAND DOCS for each command, and prints Rust declarations in the form used by
crates/server/src/cmd/*.rs: name, arity, flags, ACL categories, tips, key specs, argument
structure. Interface facts only: the summary is NOT taken from Redis: each declaration gets
`summary: S_<NAME>` and the summary text must be written in our own words next to it.
The handler is named `<family>::<name>` and must exist.
"""
import socket, sys

def resp_read(f):
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    if t in (b'+',): return rest.decode()
    if t == b'-': raise RuntimeError(rest.decode())
    if t == b':': return int(rest)
    if t == b'$':
        n = int(rest)
        if n < 0: return None
        d = f.read(n + 2)[:-2]
        return d.decode()
    if t == b'*':
        n = int(rest)
        if n < 0: return None
        return [resp_read(f) for _ in range(n)]
    if t == b'%':
        n = int(rest)
        return {resp_read(f): resp_read(f) for _ in range(n)}
    if t == b'~':
        n = int(rest)
        return [resp_read(f) for _ in range(n)]
    if t == b'_': return None
    if t == b'#': return rest == b't'
    if t == b',': return float(rest)
    raise RuntimeError("unexpected %r" % line)

def cmd(s, f, *args):
    out = b'*%d\r\n' % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b'$%d\r\n%s\r\n' % (len(a), a)
    s.sendall(out)
    return resp_read(f)

FLAG = {'write':'WRITE','readonly':'READONLY','denyoom':'DENYOOM','admin':'ADMIN','pubsub':'PUBSUB','noscript':'NOSCRIPT',
        'blocking':'BLOCKING','loading':'LOADING','stale':'STALE','skip_monitor':'SKIP_MONITOR','skip_slowlog':'SKIP_SLOWLOG',
        'asking':'ASKING','fast':'FAST','no_auth':'NO_AUTH','may_replicate':'MAY_REPLICATE','no_mandatory_keys':'NO_MANDATORY_KEYS',
        'no_async_loading':'NO_ASYNC_LOADING','no_multi':'NO_MULTI','movablekeys':None,'allow_busy':'ALLOW_BUSY','module':'MODULE',
        'sentinel':'SENTINEL','only_sentinel':'ONLY_SENTINEL','protected':'PROTECTED'}
KF = {'RO':'RO','RW':'RW','OW':'OW','RM':'RM','access':'ACCESS','update':'UPDATE','insert':'INSERT','delete':'DELETE',
      'not_key':'NOT_KEY','incomplete':'INCOMPLETE','variable_flags':'VARIABLE_FLAGS'}
TYPES = {'string':'String','integer':'Integer','double':'Double','key':'Key','pattern':'Pattern','unix-time':'UnixTime',
         'pure-token':'PureToken','oneof':'Oneof','block':'Block'}
GROUPS = {'generic':'Generic','string':'String','list':'List','set':'Set','sorted-set':'SortedSet','hash':'Hash','pubsub':'Pubsub',
          'transactions':'Transactions','connection':'Connection','server':'Server','scripting':'Scripting','hyperloglog':'Hyperloglog',
          'cluster':'Cluster','sentinel':'Sentinel','geo':'Geo','stream':'Stream','bitmap':'Bitmap'}

def rs(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'

def opt(v):
    return 'None' if v is None else 'Some(%s)' % rs(v)

def flags_expr(fl, prefix, table):
    parts = [prefix + table[f] for f in fl if table.get(f)]
    return ' | '.join(parts) if parts else '0'

def keyspec(k):
    k = dict(zip(k[::2], k[1::2])) if isinstance(k, list) else k
    fl = flags_expr(k['flags'], 'kflags::', KF)
    bs = k['begin_search']; bs = dict(zip(bs[::2], bs[1::2])) if isinstance(bs, list) else bs
    spec = bs['spec']; spec = dict(zip(spec[::2], spec[1::2])) if isinstance(spec, list) else spec
    if bs['type'] == 'index': b = 'BeginSearch::Index(%d)' % spec['index']
    elif bs['type'] == 'keyword': b = 'BeginSearch::Keyword { keyword: %s, startfrom: %d }' % (rs(spec['keyword']), spec['startfrom'])
    else: b = 'BeginSearch::Unknown'
    fk = k['find_keys']; fk = dict(zip(fk[::2], fk[1::2])) if isinstance(fk, list) else fk
    spec = fk['spec']; spec = dict(zip(spec[::2], spec[1::2])) if isinstance(spec, list) else spec
    if fk['type'] == 'range': f = 'FindKeys::Range { lastkey: %d, step: %d, limit: %d }' % (spec['lastkey'], spec['keystep'], spec['limit'])
    elif fk['type'] == 'keynum': f = 'FindKeys::Keynum { keynumidx: %d, firstkey: %d, step: %d }' % (spec['keynumidx'], spec['firstkey'], spec['keystep'])
    else: f = 'FindKeys::Unknown'
    notes = k.get('notes')
    # notes are documentation: reworded by us (a constant named after the command must be defined)
    note = rs('') if notes is None else 'NOTE_%s_%d' % (CURRENT[0], CURRENT[1])
    CURRENT[1] += 1
    return 'KeySpec { notes: %s, flags: %s, begin: %s, find: %s }' % (note, fl, b, f)

CURRENT = ['', 0]

def arg(a, ind):
    a = dict(zip(a[::2], a[1::2])) if isinstance(a, list) else a
    fl = []
    for f in a.get('flags', []) or []:
        fl.append({'optional':'argflags::OPTIONAL','multiple':'argflags::MULTIPLE','multiple_token':'argflags::MULTIPLE_TOKEN'}[f])
    subs = a.get('arguments')
    sub = '&[]' if not subs else '&[\n' + ''.join(' ' * (ind + 8) + arg(x, ind + 4) + ',\n' for x in subs) + ' ' * (ind + 4) + ']'
    return ('Arg { name: %s, typ: ArgType::%s, key_spec_index: %d, token: %s, summary: None, since: %s, flags: %s, '
            'deprecated_since: %s, display: %s, subargs: %s }') % (
        rs(a['name']), TYPES[a['type']], a.get('key_spec_index', -1), opt(a.get('token')), opt(a.get('since')),
        ' | '.join(fl) if fl else '0', opt(a.get('deprecated_since')), opt(a.get('display_text')), sub)

def spec(info, docs, parent, family, ind=4):
    name, arity, fl, first, last, step, acl, tips, kspecs, subs = info
    short = name.split('|')[-1]
    CURRENT[0] = name.replace('|', '_').replace('-', '_').upper(); CURRENT[1] = 0
    d = docs or {}
    d = dict(zip(d[::2], d[1::2])) if isinstance(d, list) else d
    pad = ' ' * ind
    out = []
    out.append(pad + 'CommandSpec {')
    out.append(pad + '    name: %s,' % rs(short))
    out.append(pad + '    arity: %d,' % arity)
    extra = ' | flags::PROTECTED' if short == 'debug' and not parent else ''
    out.append(pad + '    flags: %s%s,' % (flags_expr(fl, 'flags::', FLAG), extra))
    out.append(pad + '    acl: %s,' % (' | '.join('acl::' + c[1:].upper() for c in acl) or '0'))
    out.append(pad + '    tips: &[%s],' % ', '.join(rs(t) for t in tips))
    out.append(pad + '    key_specs: &[%s],' % ', '.join(keyspec(k) for k in kspecs))
    args = d.get('arguments') or []
    argtxt = '&[]' if not args else '&[\n' + ''.join(pad + '        ' + arg(x, ind + 4) + ',\n' for x in args) + pad + '    ]'
    const = 'S_' + name.replace('|', '_').replace('-', '_').upper()
    out.append(pad + '    doc: Doc { summary: %s, since: %s, group: Group::%s, complexity: %s, deprecated_since: %s, replaced_by: %s, history: &[], doc_flags: &[%s], args: %s },' % (
        const, rs(d.get('since', '')), GROUPS.get(d.get('group', 'generic'), 'Generic'), opt(d.get('complexity')),
        opt(d.get('deprecated_since')), opt(d.get('replaced_by')), ', '.join(rs(x) for x in (d.get('doc_flags') or [])), argtxt))
    if subs:
        out.append(pad + '    handler: None,')
        subdocs = d.get('subcommands') or {}
        subdocs = dict(zip(subdocs[::2], subdocs[1::2])) if isinstance(subdocs, list) else subdocs
        out.append(pad + '    subcommands: &[')
        for s in sorted(subs, key=lambda x: x[0]):
            out.append(spec(s, subdocs.get(s[0]), name, family, ind + 8) + ',')
        out.append(pad + '    ],')
    else:
        out.append(pad + '    handler: Some(%s),' % name.replace('|', '_').replace('-', '_'))
        out.append(pad + '    subcommands: &[],')
    out.append(pad + '}')
    return '\n'.join(out)

def main():
    port = 6379
    args = sys.argv[1:]
    if args[:1] == ['--port']:
        port = int(args[1]); args = args[2:]
    s = socket.create_connection(('127.0.0.1', port))
    f = s.makefile('rb')
    cmd(s, f, 'HELLO', '3')
    for name in args:
        info = cmd(s, f, 'COMMAND', 'INFO', name)[0]
        if info is None:
            print('// %s: unknown to the reference server' % name); continue
        docs = cmd(s, f, 'COMMAND', 'DOCS', name)
        d = docs.get(name) if isinstance(docs, dict) else None
        print(spec(info, d, None, None) + ',')

main()
