#!/usr/bin/env python3
"""Helper used while writing a command family file: reads generated specs (from
gen-command-spec.py) on stdin, drops the subcommands named with --drop parent|sub, and prints
`pub static COMMANDS: &[CommandSpec] = &[ ... ];` ready to paste into crates/server/src/cmd/*.rs."""
import re, sys
drop = set()
args = sys.argv[1:]
while args:
    if args[0] == '--drop':
        drop.add(args[1]); args = args[2:]
    else:
        args = args[1:]
text = sys.stdin.read()
lines = text.split('\n')
out = []
i = 0
stack = []
while i < len(lines):
    l = lines[i]
    m = re.match(r'^(\s*)CommandSpec \{$', l)
    if m:
        ind = m.group(1)
        nm = re.search(r'name: "([^"]+)"', lines[i + 1]).group(1)
        full = '|'.join(stack + [nm])
        # find the end of this block
        j = i + 1
        while not re.match('^' + ind + r'\}', lines[j]):
            j += 1
        if full in drop:
            i = j + 1
            continue
        # push name for nested
        out.append(l)
        stack.append(nm)
        k = i + 1
        while k < j:
            mm = re.match(r'^(\s*)CommandSpec \{$', lines[k])
            if mm:
                ind2 = mm.group(1)
                nm2 = re.search(r'name: "([^"]+)"', lines[k + 1]).group(1)
                e = k + 1
                while not re.match('^' + ind2 + r'\}', lines[e]):
                    e += 1
                if '|'.join(stack + [nm2]) in drop:
                    k = e + 1  # skip the block, its closing line included
                    continue
            out.append(lines[k])
            k += 1
        stack.pop()
        out.append(lines[j])
        i = j + 1
        continue
    out.append(l)
    i += 1
print('pub static COMMANDS: &[CommandSpec] = &[')
print('\n'.join(out).rstrip())
print('];')
