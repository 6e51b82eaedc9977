"""Small process helpers shared by the lab modules."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time


def log(msg: str) -> None:
    print(f"[lab {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd, check=True, capture=False, input=None, env=None, timeout=None) -> subprocess.CompletedProcess:
    """Run a command (list or shell string); raise with its output when it fails."""
    shell = isinstance(cmd, str)
    res = subprocess.run(
        cmd, check=False, shell=shell, text=True, input=input, env=env, timeout=timeout,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
    )
    if check and res.returncode != 0:
        shown = cmd if shell else shlex.join(cmd)
        detail = (res.stderr or "").strip() if capture else ""
        raise SystemExit(f"lab: command failed ({res.returncode}): {shown}\n{detail}")
    return res


def out(cmd, **kw) -> str:
    return run(cmd, capture=True, **kw).stdout


def ok(cmd) -> bool:
    return run(cmd, check=False, capture=True).returncode == 0
