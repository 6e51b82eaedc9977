"""Every path of this repository that the lab, the tests, the playbooks or the documents name exists (a moved
playbook broke `./lab demo` once while CI stayed green): repository-relative paths in Markdown, YAML and Python
text, and the paths the lab and the tests build as ``ROOT / "a" / "b"``."""

from __future__ import annotations

import glob
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP = ('labkit', 'playbooks', 'roles', 'plugins', 'tests', 'molecule', 'docs', 'benchmarks', 'changelogs', 'meta',
       '.ci')
# a path written in text: a top-level directory of the repository, then path characters (a brace expansion such
# as docs/inventories/{dr,nat,tun} and globs allowed)
WRITTEN = re.compile(r'(?<![\w./-])((?:%s)/[\w.*{},/-]*[\w*}])' % '|'.join(re.escape(t) for t in TOP))
# a path the code builds: ROOT / "a" / "b" or PROJECT / "a/b"
BUILT = re.compile(r'\b(?:ROOT|PROJECT)((?:\s*/\s*["\'][\w./-]+["\'])+)')
# paths that exist only while or after something runs
RUNTIME = ('tests/output', 'tests/unit/fixtures/recorded', 'changelogs/.plugin-cache.yaml')


def tracked() -> list[Path]:
    out = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    return [ROOT / f for f in out if f.endswith(('.md', '.py', '.yml', '.yaml', '.rst', '.cfg', '.ini', '.toml'))
            or f in ('lab', '.ci/run')]


def expand(path: str) -> list[str]:
    m = re.search(r'\{([^{}]*)\}', path)
    if not m:
        return [path]
    return [p for alt in m.group(1).split(',') for p in expand(path[:m.start()] + alt + path[m.end():])]


def exists(path: str, where: str) -> bool:
    """PATH from the root, or relative to a directory above WHERE (a role's README names meta/main.yml), or to a
    role (plugins name "its role's meta/argument_specs.yml")."""
    path = path.rstrip('/.')
    bases = [ROOT, *(ROOT / where).parents[:-len(ROOT.parents) - 1], *ROOT.glob('roles/*')]
    return any(glob.glob(str(base / p), recursive=True) for base in bases for p in expand(path))


def named() -> list[tuple[str, str]]:
    """(file, path) of every repository path named in a tracked file."""
    found = []
    for f in tracked():
        if not f.is_file():
            continue
        text = f.read_text(errors='replace')
        rel = str(f.relative_to(ROOT))
        for m in WRITTEN.finditer(text):
            path = m.group(1)
            if '{' in path and not re.search(r'\{[\w.-]+(,[\w.-]+)+\}', path):
                continue  # a format placeholder ({scenario}), not a brace expansion
            if not path.startswith(RUNTIME):
                found.append((rel, path))
        for m in BUILT.finditer(text):
            path = '/'.join(re.findall(r'["\']([\w./-]+)["\']', m.group(1)))
            top = path.split('/', maxsplit=1)[0]
            if top in TOP or (ROOT / top).exists():
                found.append((rel, path))
    return sorted(set(found))


def test_paths_are_found():
    assert len(named()) > 100  # the scan itself works


@pytest.mark.parametrize('where, path', named())
def test_named_path_exists(where, path):
    assert exists(path, where), f'{where} names {path}, which does not exist'
