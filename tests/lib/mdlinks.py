#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# tests/lib/mdlinks.py FILE.md...: every relative link [text](path#anchor) in FILE.md
# names a file that exists (relative to FILE.md) and, for a .md target, a heading whose
# GitHub anchor is #anchor. Prints each broken link; exit 1 if any.
import os, re, sys

LINK = re.compile(r'\]\(([^()\s]+)\)')

def anchors(path):
    out, fence = set(), False
    for line in open(path, encoding='utf-8'):
        if line.startswith('```'):
            fence = not fence
        m = None if fence else re.match(r'#{1,6}\s+(.*?)\s*#*\s*$', line)
        if m:
            a = re.sub(r'[^\w\- ]', '', m.group(1).lower()).replace(' ', '-')
            out.add(a)
    return out

bad = 0
for md in sys.argv[1:]:
    fence = False
    for n, line in enumerate(open(md, encoding='utf-8'), 1):
        if line.startswith('```'):
            fence = not fence
        if fence:
            continue
        for target in LINK.findall(line):
            if re.match(r'[a-z]+:', target):
                continue  # http:, https:, mailto:
            path, _, anchor = target.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
            if not os.path.exists(dest):
                print(f'{md}:{n}: {target}: no file {dest}')
                bad += 1
            elif anchor and dest.endswith('.md') and anchor not in anchors(dest):
                print(f'{md}:{n}: {target}: no heading #{anchor} in {dest}')
                bad += 1
sys.exit(1 if bad else 0)
