# SPDX-License-Identifier: GPL-3.0-or-later
"""Load the real-kernel recordings in tests/unit/fixtures/*.txt (written by fixtures/record.sh)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

FIXTURES = Path(__file__).resolve().parent / 'fixtures'
NAMES = ('empty', 'services', 'dests', 'edits', 'stats', 'timeouts', 'daemon', 'errors')


@dataclass
class Block:
    cmd: str
    rc: int
    stdout: str
    stderr: str
    stdin: Optional[str] = None


def _join(lines: List[str], no_eol: bool) -> str:
    text = ''.join(line + '\n' for line in lines)
    return text[:-1] if no_eol and text else text


def load(name: str) -> Dict[str, object]:
    """{'header': {...}, 'blocks': [Block, ...]} for fixtures/NAME.txt."""
    header: Dict[str, str] = {}
    blocks: List[Block] = []
    cur: Optional[dict] = None
    section = None
    buf: List[str] = []
    no_eol = False

    def flush():
        nonlocal buf, no_eol
        if cur is not None and section in ('stdin', 'stdout', 'stderr'):
            cur[section] = _join(buf, no_eol)
        buf, no_eol = [], False

    for line in (FIXTURES / ('%s.txt' % name)).read_text().split('\n')[:-1]:
        if line.startswith('### cmd: '):
            flush()
            if cur is not None:
                blocks.append(Block(**cur))
            cur = {'cmd': line[9:], 'rc': 0, 'stdout': '', 'stderr': ''}
            section = None
        elif line.startswith('### rc: '):
            flush()
            cur['rc'] = int(line[8:])
            section = None
        elif line in ('### stdin:', '### stdout:', '### stderr:'):
            flush()
            section = line[4:-1]
        elif line == '### (no newline at end)':
            no_eol = True
        elif cur is None and line.startswith('# '):
            if ': ' in line:
                k, v = line[2:].split(': ', 1)
                header[k] = v
        else:
            buf.append(line)
    flush()
    if cur is not None:
        blocks.append(Block(**cur))
    return {'header': header, 'blocks': blocks}


def blocks(name: str, cmd: Optional[str] = None) -> List[Block]:
    found = load(name)['blocks']
    return [b for b in found if cmd is None or b.cmd == cmd]


def output(name: str, cmd: str, index: int = -1) -> str:
    """stdout of the (last, by default) block of fixture NAME that ran CMD."""
    found = blocks(name, cmd)
    if not found:
        raise KeyError('%s: no block for %r' % (name, cmd))
    return found[index].stdout


VIEWS = {
    'save': 'ipvsadm -Sn',
    'list': 'ipvsadm -Ln',
    'thresholds': 'ipvsadm -Ln --thresholds',
    'timeout': 'ipvsadm -Ln --timeout',
    'daemon': 'ipvsadm -Ln --daemon',
    'stats': 'ipvsadm -Ln --stats --exact',
    'rate': 'ipvsadm -Ln --rate --exact',
}
