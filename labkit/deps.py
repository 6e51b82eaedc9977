"""Install what the lab and the tests need on a fresh machine: apt packages and the .venv."""

from __future__ import annotations

import shutil
from pathlib import Path

from . import config
from .util import log, run

# The UML kernel itself is not among them: labkit/kernel.py fetches a newer one than bookworm's.
APT = ["mmdebstrap", "qemu-system-x86", "qemu-utils", "e2fsprogs", "iproute2", "iptables", "openssh-client",
       "curl", "util-linux", "procps", "ipvsadm", "shellcheck", "keepalived", "openssl", "bird2"]
COMMANDS = {"mmdebstrap": "mmdebstrap", "qemu-system-x86_64": "qemu-system-x86", "qemu-img": "qemu-utils",
            "mkfs.ext4": "e2fsprogs",
            "ip": "iproute2", "iptables": "iptables", "ssh": "openssh-client", "curl": "curl",
            "setpriv": "util-linux", "pgrep": "procps", "ipvsadm": "ipvsadm",
            "shellcheck": "shellcheck", "openssl": "openssl",  # the lab real servers' HTTPS certificate
            "keepalived": "keepalived",  # `keepalived -t` of rendered configurations (tests/unit/roles); never started
            "bird": "bird2"}  # `bird -p` of rendered configurations, and the lab's ECMP router (labkit/router.py)
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


def find_python(version: tuple[int, int]) -> Path:
    """A Python interpreter of VERSION or newer (same major): python3.X on PATH, or one of pyenv's (the machines
    here carry several under ~/.pyenv/versions). Fails, naming what to install, when there is none: Debian 12
    has only Python 3.11, and a newer Python from a later Debian release would pull its C library along."""
    import glob
    import re
    import subprocess
    candidates = [shutil.which(f"python{version[0]}.{minor}") for minor in range(version[1], version[1] + 6)]
    candidates += sorted(glob.glob(str(Path.home() / ".pyenv/versions/*/bin/python3")), reverse=True)
    for cand in filter(None, candidates):
        res = subprocess.run([cand, "-c", "import sys, venv; print(sys.version_info[:2])"], capture_output=True,
                             text=True, check=False)
        found = re.findall(r"\d+", res.stdout)
        if res.returncode == 0 and tuple(map(int, found)) >= version and int(found[0]) == version[0]:
            return Path(cand)
    raise SystemExit(f"lab: no Python {version[0]}.{version[1]} or newer with venv here (looked for "
                     f"python{version[0]}.{version[1]}.. on PATH and under ~/.pyenv/versions): install one, e.g. "
                     f"`pyenv install {version[0]}.{version[1]}`")


def ensure_end_venv(end: str) -> Path:
    """.venv-oldest / .venv-newest: the unit tier's interpreter and ansible-core at one end of the supported
    range (labkit/compat.py), with pytest."""
    from .compat import ENDS
    spec = ENDS[end]
    venv = config.PROJECT / f".venv-{end}"
    pytest_pin = next(line for line in REQS.read_text().splitlines() if line.startswith("pytest=="))
    want = f"ansible-core=={spec['ansible_core']}\n{pytest_pin}\n"
    stamp = venv / ".requirements"
    if stamp.exists() and stamp.read_text() == want:
        return venv
    log(f"creating .venv-{end} (ansible-core {spec['ansible_core']})")
    shutil.rmtree(venv, ignore_errors=True)
    run([str(find_python(spec["python"])), "-m", "venv", str(venv)])
    run([str(venv / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *want.split()])
    stamp.write_text(want)
    return venv


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
