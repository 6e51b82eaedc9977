"""Traffic checks shared by the molecule scenarios: bounded request loops from the client container."""

import os
import re
import time

import testinfra

MAX_REQUESTS = 200
MAX_SECONDS = 60


def node(name):
    inv = os.environ["MOLECULE_INVENTORY_FILE"]
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={inv}")


def requests(client, vip, count, interval=0.0, budget=MAX_SECONDS):
    """Send at most `count` (<= MAX_REQUESTS) requests within `budget` seconds; return the answers ('' = failed)."""
    count = min(count, MAX_REQUESTS)
    script = (
        f"end=$(($(date +%s)+{min(budget, MAX_SECONDS)})); i=0; "
        f"while [ $i -lt {count} ] && [ $(date +%s) -lt $end ]; do i=$((i+1)); "
        f"r=$(curl -s --max-time 1 http://{vip}/ || true); echo \"R:$r\"; sleep {interval}; done"
    )
    out = client.run(script).stdout
    return [line[2:].strip() for line in out.splitlines() if line.startswith("R:")]


def has_vip(host, vip):
    return re.search(rf"\binet {re.escape(vip)}/", host.check_output("ip -4 -o addr show")) is not None


def wait_for(predicate, timeout=20.0, step=0.5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
