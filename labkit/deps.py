"""Install what the lab and the tests need on a fresh machine: apt packages and the .venv."""

from __future__ import annotations

import shutil
from pathlib import Path

from . import config
from .util import log, run

# The UML kernel itself is not among them: labkit/kernel.py fetches a newer one than bookworm's.
APT = ["mmdebstrap", "qemu-system-x86", "qemu-utils", "e2fsprogs", "iproute2", "iptables", "openssh-client",
       "curl", "util-linux", "procps", "ipvsadm", "shellcheck", "keepalived", "openssl"]
COMMANDS = {"mmdebstrap": "mmdebstrap", "qemu-system-x86_64": "qemu-system-x86", "qemu-img": "qemu-utils",
            "mkfs.ext4": "e2fsprogs",
            "ip": "iproute2", "iptables": "iptables", "ssh": "openssh-client", "curl": "curl",
            "setpriv": "util-linux", "pgrep": "procps", "ipvsadm": "ipvsadm",
            "shellcheck": "shellcheck", "openssl": "openssl",  # the lab real servers' HTTPS certificate
            "keepalived": "keepalived"}  # `keepalived -t` of rendered configurations (tests/unit/roles); never started
VENV = config.PROJECT / ".venv"
REQS = config.PROJECT / "requirements-dev.txt"


def ensure_host() -> None:
    missing = sorted({pkg for cmd, pkg in COMMANDS.items() if not shutil.which(cmd)})
    if not missing:
        return
    log(f"installing host packages: {' '.join(missing)}")
    env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    run(["apt-get", "update", "-q"], env=env)
    run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *APT], env=env)


def ensure_venv() -> Path:
    stamp = VENV / ".requirements"
    want = REQS.read_text()
    if stamp.exists() and stamp.read_text() == want:
        return VENV
    log("creating .venv from requirements-dev.txt")
    if not (VENV / "bin/python").exists():
        run(["python3", "-m", "venv", str(VENV)])
    pip = [str(VENV / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run([*pip, "--upgrade", "pip"])
    run([*pip, "-r", str(REQS)])
    stamp.write_text(want)
    return VENV


def collection_tree() -> Path:
    """A collections path where this checkout is lvs.cluster (so the working tree is what runs)."""
    tree = config.PROJECT / ".collections"
    link = tree / "ansible_collections" / "lvs" / "cluster"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(config.PROJECT, target_is_directory=True)
    return tree


def venv_env() -> dict:
    import os
    env = dict(os.environ)
    env["PATH"] = f"{VENV / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
    env["VIRTUAL_ENV"] = str(VENV)
    env["ANSIBLE_COLLECTIONS_PATH"] = str(collection_tree())
    return env
