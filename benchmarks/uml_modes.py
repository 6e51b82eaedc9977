#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""UML's two userspace modes on this machine: ptrace (the classic one) against seccomp (`seccomp=on`).

Run from the project root, as root, while the lab's hosts are up:

    python3 benchmarks/uml_modes.py [--rounds 5]

Boots realserver1 in ptrace mode and realserver2 in seccomp mode (fresh disks, `lab restart`),
then runs the same workloads on both, alternating node and order each round so that load from
elsewhere hits both alike, timed inside the guest (no SSH in the numbers):

- 10 starts of python3 (what every Ansible module run pays);
- 100 fork+exec of /bin/true from a shell;
- python3 importing what an Ansible module imports (json, subprocess, ssl, hashlib, email, locale).

Prints the medians and the ratio ptrace/seccomp of each workload and of each round. Both nodes boot
again in the default mode at the end. Exits non-zero only on an error, never on a ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from labkit import config, image, uml  # noqa: E402

NODES = {"ptrace": "realserver1", "seccomp": "realserver2"}
ARGS = {"ptrace": "", "seccomp": "seccomp=on"}
WORKLOADS = {
    "python3 start x10": "import subprocess, sys\nfor _ in range(10): subprocess.run([sys.executable, '-c', 'pass'])",
    "fork+exec x100": "import subprocess\nsubprocess.run(['sh', '-c', 'for i in $(seq 100); do /bin/true; done'])",
    "module imports x5": "import subprocess, sys\nfor _ in range(5): subprocess.run([sys.executable, '-c', "
                         "'import json, subprocess, ssl, hashlib, email.parser, locale, shlex, tempfile'])",
}


def restart(name: str, mode: str | None) -> None:
    """Boot NAME afresh in MODE (None: the lab's default)."""
    env = dict(os.environ) if mode is None else {**os.environ, "LVS_LAB_UML_ARGS": ARGS[mode]}
    res = subprocess.run([str(ROOT / "lab"), "restart", name], env=env, capture_output=True, text=True,
                         timeout=300, check=False)
    if res.returncode:
        raise SystemExit(f"lab restart {name} failed:\n{res.stdout}{res.stderr}")


def timed(name: str, code: str) -> float:
    """Seconds CODE takes on node NAME (sent on stdin to python3, timed in there)."""
    program = f"import time\nt0 = time.monotonic()\n{code}\nprint(time.monotonic() - t0)\n"
    cmd = uml.ssh_cmd(image.key_path(), config.node(name).addr("private"), "python3", "-")
    res = subprocess.run(cmd, input=program, capture_output=True, text=True, timeout=300, check=True)
    return float(res.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    opts = parser.parse_args()
    for mode, name in NODES.items():
        restart(name, mode)
    try:
        for mode, name in NODES.items():
            console = uml.console_path(name).read_text(errors="replace")
            want = "seccomp filters can be installed" if mode == "seccomp" else "ptrace can change system call"
            if want not in console:
                raise SystemExit(f"{name} did not boot in {mode} mode (console lacks {want!r})")
        times: dict[tuple[str, str], list[float]] = {(w, m): [] for w in WORKLOADS for m in NODES}
        for rnd in range(opts.rounds):
            order = list(NODES) if rnd % 2 == 0 else list(reversed(NODES))
            for work, code in WORKLOADS.items():
                for mode in order:
                    times[(work, mode)].append(timed(NODES[mode], code))
        print(f"\nUML userspace modes, {opts.rounds} rounds (medians; timed inside the guest; kernel args "
              f"'' vs 'seccomp=on'; ratio > 1: seccomp is faster)\n")
        print(f"{'workload':24} {'ptrace':>9} {'seccomp':>9} {'ptrace/seccomp':>15}   each round")
        for work in WORKLOADS:
            p, s = times[(work, "ptrace")], times[(work, "seccomp")]
            rounds = " ".join(f"{a / b:.2f}" for a, b in zip(p, s))
            print(f"{work:24} {statistics.median(p):8.3f}s {statistics.median(s):8.3f}s "
                  f"{statistics.median(p) / statistics.median(s):14.2f}x   {rounds}")
    finally:
        for name in NODES.values():
            restart(name, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
