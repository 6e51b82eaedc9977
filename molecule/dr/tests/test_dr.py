"""LVS-DR cluster from playbooks/site.yml: traffic, weights, check mode, failover, real-server death
and node restart (shared checks in molecule/shared)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
import lvs_checks as lvs

# the tests every scenario runs: pytest collects them here, where they find CLUSTER
from lvs_checks import *  # noqa: F403  # pylint: disable=wildcard-import,unused-wildcard-import

CLUSTER = lvs.Cluster(
    forwarding="dr",
    vip="10.88.0.200",
    directors=("dr-director1", "dr-director2"),
    realservers={"dr-rs1": ("10.88.0.21", 80), "dr-rs2": ("10.88.0.22", 80)},
    weights={"dr-rs1": 2, "dr-rs2": 1},
    client="dr-client",
    director_sysctls={"net.ipv4.conf.all.send_redirects": 0},
)
testinfra_hosts = [f"ansible://{CLUSTER.client}"]
