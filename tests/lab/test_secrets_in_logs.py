"""No output the suite keeps (every ansible and molecule run, every lane) holds a VRRP secret: the secret
is only in a no_log task and a file keepalived.conf includes, never in the model, diffs or errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from labkit import config

ROOT = Path(__file__).resolve().parents[2]


def secrets() -> dict[str, str]:
    """Every lvs_vrrp_auth_pass of the lab and molecule inventories: {secret: where}."""
    found: dict[str, str] = {}

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "lvs_vrrp_auth_pass" and value:
                    found[str(value)] = where
                walk(value, where)
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    for path in [*ROOT.glob("labkit/inventories/**/*.yml"), *ROOT.glob("molecule/*/molecule.yml")]:
        walk(yaml.safe_load(path.read_text()), str(path.relative_to(ROOT)))
    return found


def kept_logs() -> list[Path]:
    runs = Path(os.environ.get("LAB_LOG_DIR", "/tmp"))
    return sorted([*runs.glob("lvs-lab-*.log"), *(config.STATE / "logs").glob("lane-*.log")])


@pytest.mark.lane("teardown")
def test_no_kept_log_holds_a_vrrp_secret(record_property):
    wanted = secrets()
    assert {"lab-vrrp", "mol-dr", "mol-nat", "mol-tun"} <= set(wanted), wanted
    logs = kept_logs()
    ansible_logs = [p for p in logs if p.name.startswith("lvs-lab-")]
    # the suite ran site.yml and the molecule scenarios: their logs must be there, or this proves nothing
    assert any("playbook" in p.name for p in ansible_logs), logs
    assert any("molecule" in p.name for p in ansible_logs), logs
    leaks = [f"{p}: {secret} ({where})" for p in logs for secret, where in wanted.items()
             if secret in p.read_text(errors="replace")]
    record_property("measured: logs scanned for VRRP secrets", len(logs))
    assert leaks == [], leaks
