# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""keepalived.conf as keepalived reads it, into a tree: each statement a keyword, its words and, for a block, the
statements inside, with the file and line it comes from. `include` is followed (a glob, relative to the file that
includes it), comments start with # or ! outside quotes, a block's braces may stand on the keyword's line or on
their own lines. Lines keepalived reads conditionally (@name, $VAR definitions) are kept and marked, for the
adopter to report. A file keepalived would refuse (an unbalanced brace, an include loop, a file it cannot read)
raises ConfError naming the file and the line."""

from __future__ import annotations

import glob
import os
from typing import Any, Dict, Iterator, List, Optional, Tuple

MAX_INCLUDE_DEPTH = 8


class ConfError(Exception):
    """A file keepalived would not read; the message names the file and the line."""


def _words(line: str, where: str) -> List[str]:
    """A line's words, without its comment; a quoted string is one word (quotes removed), braces are words."""
    out: List[str] = []
    i, word, quoted = 0, '', False
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == '"':
                out.append(word)
                word, quoted = '', False
            else:
                word += ch
        elif ch == '"':
            if word:
                out.append(word)
            word, quoted = '', True
        elif ch in '#!':
            break
        elif ch in '{}':
            if word:
                out.append(word)
            out.append(ch)
            word = ''
        elif ch.isspace():
            if word:
                out.append(word)
            word = ''
        else:
            word += ch
        i += 1
    if quoted:
        raise ConfError('%s: a quoted string is not closed' % where)
    if word:
        out.append(word)
    return out


def _lines(path: str, seen: Tuple[str, ...], depth: int) -> Iterator[Tuple[List[str], str, int, str]]:
    """(words, file, line number, raw line) of PATH with its includes in place."""
    real = os.path.realpath(path)
    if real in seen:
        raise ConfError('%s: includes itself (through %s)' % (path, ' -> '.join(seen)))
    if depth > MAX_INCLUDE_DEPTH:
        raise ConfError('%s: includes nested deeper than %d' % (path, MAX_INCLUDE_DEPTH))
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            text = handle.read()
    except OSError as exc:
        raise ConfError('%s: cannot be read (%s)' % (path, exc.strerror or exc)) from None
    for number, raw in enumerate(text.splitlines(), 1):
        where = '%s:%d' % (path, number)
        words = _words(raw, where)
        if words and words[0] == 'include':
            if len(words) != 2:
                raise ConfError('%s: include takes one file name or pattern, not %r' % (where, raw.strip()))
            pattern = words[1] if os.path.isabs(words[1]) else os.path.join(os.path.dirname(path), words[1])
            for included in sorted(glob.glob(pattern)):
                yield from _lines(included, (*seen, real), depth + 1)
            continue
        if words:
            yield words, path, number, raw.rstrip()


def parse_file(path: str) -> List[Dict[str, Any]]:
    """The statements of keepalived.conf PATH (and what it includes): [{keyword, args, file, line, text,
    children (a block's statements) or None}]."""
    return parse_lines(_lines(path, (), 0))


def parse_text(text: str, name: str = 'keepalived.conf') -> List[Dict[str, Any]]:
    """The statements of TEXT (no include is followed: an include statement stays as a statement)."""
    def lines():
        for number, raw in enumerate(text.splitlines(), 1):
            words = _words(raw, '%s:%d' % (name, number))
            if words:
                yield words, name, number, raw.rstrip()
    return parse_lines(lines())


def parse_lines(lines) -> List[Dict[str, Any]]:
    root: List[Dict[str, Any]] = []
    stack: List[Tuple[List[Dict[str, Any]], Optional[Dict[str, Any]]]] = [(root, None)]
    pending: Optional[Dict[str, Any]] = None  # a statement whose block may open on the next line
    for line_words, path, number, raw in lines:
        where = '%s:%d' % (path, number)
        words = list(line_words)
        while words:
            if words[0] == '{':
                if pending is None:
                    raise ConfError('%s: a block opens with no keyword before it' % where)
                pending['children'] = []
                stack.append((pending['children'], pending))
                pending = None
                words = words[1:]
                continue
            if words[0] == '}':
                if len(stack) == 1:
                    raise ConfError('%s: a brace closes no block' % where)
                stack.pop()
                pending = None
                words = words[1:]
                continue
            rest = words[1:]
            cut = next((i for i, w in enumerate(rest) if w in '{}'), len(rest))
            node = {'keyword': words[0], 'args': rest[:cut], 'children': None, 'file': path, 'line': number,
                    'text': raw.strip()}
            if words[0].startswith('@') or words[0].startswith('$'):
                node['conditional'] = True
            stack[-1][0].append(node)
            pending = node
            words = rest[cut:]
    if len(stack) > 1:
        node = stack[-1][1]
        raise ConfError('%s:%d: the block of %s is not closed' % (node['file'], node['line'], node['keyword']))
    return root


def find(nodes: List[Dict[str, Any]], keyword: str) -> List[Dict[str, Any]]:
    return [n for n in nodes if n['keyword'] == keyword]


def value(nodes: List[Dict[str, Any]], keyword: str, default: Any = None) -> Any:
    """The first word after KEYWORD in NODES (True for a bare keyword), or DEFAULT."""
    for n in nodes:
        if n['keyword'] == keyword:
            return n['args'][0] if n['args'] else True
    return default
