"""The collection's documentation as a docs site shows it: `antsibull-docs lint-collection-docs --plugin-docs`
passes, and a site built with `antsibull-docs sphinx-init` and Sphinx has no warning about our own content (no
page marked malformed). The only warnings allowed are those of a build without network: the intersphinx
inventories it cannot fetch and the labels of Ansible's own documentation they would define."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COLLECTION = ROOT / ".collections" / "ansible_collections" / "lvs" / "cluster"  # tests/unit/conftest.py links it
# labels defined by docs.ansible.com, which the generated pages link to
EXTERNAL_LABELS = {"ansible_configuration_settings", "action_plugins", "common_return_values"}


def env() -> dict:
    return dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".collections"))


def test_lint_collection_docs():
    res = subprocess.run([str(BIN / "antsibull-docs"), "lint-collection-docs", "--plugin-docs", "."], cwd=COLLECTION,
                         env=env(), capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0 and not res.stdout.strip(), res.stdout + res.stderr


def test_docs_site_builds_without_warnings_about_our_content(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    subprocess.run([str(BIN / "antsibull-docs"), "sphinx-init", "--use-current", "--dest-dir", str(site),
                    "lvs.cluster"], env=env(), check=True, capture_output=True, timeout=120)
    rst = site / "rst"
    rst.mkdir(mode=0o755, exist_ok=True)
    subprocess.run([str(BIN / "antsibull-docs"), "--config-file", str(site / "antsibull-docs.cfg"), "collection",
                    "--cleanup", "everything", "--use-current", "--dest-dir", str(rst), "lvs.cluster"],
                   env=env(), check=True, capture_output=True, timeout=300)
    res = subprocess.run([str(BIN / "sphinx-build"), "-M", "html", str(rst), str(site / "build"), "-c", str(site),
                          "-q"], env=env(), capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    ours = []
    for block in re.split(r"\n(?=\S)", res.stderr):
        if "WARNING" not in block or "failed to reach any of the inventories" in block:
            continue
        label = re.search(r"undefined label: '([^']+)'", block)
        if label and label.group(1) in EXTERNAL_LABELS:
            continue
        ours.append(block)
    assert not ours, "\n".join(ours)
    pages = {p.name: p.read_text() for p in (rst / "collections/lvs/cluster").glob("*.rst")}
    assert {"director_role.rst", "keepalived_role.rst", "operations_role.rst", "ipvs_rules_module.rst"} <= set(pages)
    assert not [name for name, text in pages.items() if "malformed" in text.lower()]
    # the role pages carry the options generated from the schema, nested ones included
    assert "health_check" in pages["lvs_role.rst"] and "keepalived_advert_int" in pages["keepalived_role.rst"]
