"""The generated Ansible inventory for the running `hosts` lab."""

from __future__ import annotations

import json
from pathlib import Path

from . import config


def build(key: Path) -> dict:
    groups: dict[str, dict] = {}
    for node in config.SHAPES["hosts"]:
        hostvars = {"ansible_host": node.addr("private"), "lab_private_ip": node.addr("private")}
        if node.public:
            hostvars["lab_public_ip"] = node.addr("public")
        groups.setdefault(node.group, {"hosts": {}})["hosts"][node.name] = hostvars
    return {
        "all": {
            "vars": {
                "ansible_user": "root",
                "ansible_ssh_private_key_file": str(key),
                "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
                                           "-o LogLevel=ERROR",
                "ansible_python_interpreter": "/usr/bin/python3",
                "lab_vip": config.VIP,
                "lab_nat_gateway_vip": config.NAT_GATEWAY_VIP,
                "lab_client_netns": config.CLIENT_NETNS,
                "lab_client_ip": config.CLIENT_ADDR,
                "lab_public_prefix": f"{config.PUBLIC['prefix']}.0/{config.PUBLIC['len']}",
                "lab_private_prefix": f"{config.PRIVATE['prefix']}.0/{config.PRIVATE['len']}",
            },
            "children": {"lvs": {"children": groups}},
        }
    }


def write(key: Path) -> Path:
    """Write the inventory as YAML-compatible JSON (Ansible's yaml plugin reads it) and return its path."""
    path = config.STATE / "inventory.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(build(key), indent=2) + "\n")
    return path
