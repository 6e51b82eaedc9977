"""The changelog: every fragment is valid (antsibull-changelog lint), and galaxy.yml's version is released in
changelogs/changelog.yaml with nothing left unreleased, or is a newer version still being made."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_fragments_lint():
    res = subprocess.run([str(Path(sys.executable).with_name('antsibull-changelog')), 'lint'], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0 and not res.stdout.strip(), res.stdout + res.stderr


def key(version):
    return tuple(int(x) for x in version.split('.'))


def test_galaxy_version_and_changelog_agree():
    version = yaml.safe_load((ROOT / 'galaxy.yml').read_text())['version']
    released = yaml.safe_load((ROOT / 'changelogs/changelog.yaml').read_text())['releases']
    latest = max(released, key=key)
    pending = [p.name for p in (ROOT / 'changelogs/fragments').glob('*.yml')]
    if version == latest:
        assert not pending, 'galaxy.yml says %s, released, but fragments are unreleased: %s' % (version, pending)
    else:
        assert key(version) > key(latest), (version, latest)
    assert ('v%s\n' % latest) in (ROOT / 'CHANGELOG.rst').read_text()
