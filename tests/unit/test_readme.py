"""README's quick start is the shipped example: its YAML blocks are docs/inventories/dr's files (comments aside),
which test_cluster_model_action.py validates, and the commands it shows exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def blocks(lang: str) -> list[str]:
    return re.findall(r"```%s\n(.*?)```" % lang, README, re.S)


def test_quick_start_inventory_is_the_dr_example():
    shown = [yaml.safe_load(b) for b in blocks("yaml")]
    example = ROOT / "docs/inventories/dr"
    assert shown[0] == yaml.safe_load((example / "hosts.yml").read_text())
    assert shown[1] == yaml.safe_load((example / "group_vars/all/main.yml").read_text())


def test_playbooks_named_exist():
    for name in set(re.findall(r"lvs\.cluster\.(site|drain|restore|rolling|handover|status)\b", README)):
        assert (ROOT / "playbooks" / f"{name}.yml").exists(), name


def test_the_two_commands():
    assert "./lab demo" in README and "./lab test" in README
    assert "exec ./lab test" in (ROOT / ".ci/run").read_text()
