"""`lab demo`: the main job on the lab, from a fresh machine (set up, boot, converge, show)."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from dataclasses import dataclass

from . import config, deps, image, inventory
from .util import log, run

INVENTORY = config.PROJECT / "labkit" / "inventories" / "lab-dr"
PLAYBOOKS = [config.PROJECT / "labkit" / "playbooks" / "web.yml", config.PROJECT / "playbooks" / "site.yml"]


def _answers() -> bool:
    res = subprocess.run(["ip", "netns", "exec", config.CLIENT_NETNS, "curl", "-s", "--max-time", "1",
                          f"http://{config.VIP}/"], check=False, capture_output=True, text=True, timeout=10)
    return res.returncode == 0


def request_loop(n: int = 12, timeout: float = 60) -> Counter:
    """Send n HTTP requests from the client namespace to the VIP; print and count who answered."""
    answers: Counter = Counter()
    deadline = time.monotonic() + timeout
    for i in range(n):
        if time.monotonic() > deadline:
            break
        res = subprocess.run(["ip", "netns", "exec", config.CLIENT_NETNS, "curl", "-s", "--max-time", "2",
                              f"http://{config.VIP}/"], check=False, capture_output=True, text=True, timeout=10)
        who = res.stdout.strip() if res.returncode == 0 else f"FAILED (curl exit {res.returncode})"
        answers[who] += 1
        print(f"request {i + 1:2}: {who}")
    return answers


@dataclass
class Result:
    converge_s: float
    vip_after_s: float
    answers: Counter


def main() -> Result:
    """Boot the hosts (those not running), converge, wait for the VIP, send 12 requests; fail unless both real
    servers answered and none failed. `./lab demo` and the lab test tests/lab/test_demo.py run this."""
    from .__main__ import main as lab_main
    lab_main(["up", "hosts"])
    inventory.write(image.key_path())
    deps.ensure_venv()
    env = deps.venv_env()
    t0 = time.monotonic()
    # The real servers serve their hostname (lab only), then site.yml builds the DR cluster with a
    # keepalived pair from labkit/inventories/lab-dr.
    run([str(deps.VENV / "bin/ansible-playbook"), "-i", str(INVENTORY), *map(str, PLAYBOOKS)], env=env)
    converge = time.monotonic() - t0
    log(f"converged in {converge:.1f} s")
    log(f"waiting for the VIP {config.VIP} to answer (keepalived elects its MASTER in a few seconds)")
    t1 = time.monotonic()
    while time.monotonic() - t1 < 30 and not _answers():
        time.sleep(0.5)
    vip_after = time.monotonic() - t1
    log(f"VIP answered after {vip_after:.1f} s")
    answers = request_loop()
    print("answers:", dict(answers), flush=True)
    if any(k.startswith("FAILED") for k in answers) or len(answers) < 2:
        raise SystemExit("lab demo: the VIP did not balance across both real servers")
    return Result(converge, vip_after, answers)
