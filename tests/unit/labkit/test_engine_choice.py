"""Molecule's containers go to a kernel with IPVS: the local docker only when this kernel has it."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from labkit import config, engine  # noqa: E402


def test_local_docker_when_kernel_has_ipvs_and_dockerd_runs():
    assert engine.docker_host(has_ipvs=True, local_socket=True) == "unix:///var/run/docker.sock"


def test_lab_engine_when_kernel_lacks_ipvs_even_with_local_docker():
    assert engine.docker_host(has_ipvs=False, local_socket=True) == config.engine_url()


def test_lab_engine_when_no_local_dockerd():
    assert engine.docker_host(has_ipvs=True, local_socket=False) == config.engine_url()


def test_host_has_ipvs_from_proc_or_module(tmp_path):
    proc = tmp_path / "ip_vs"
    mods = tmp_path / "modules"
    assert not engine.host_has_ipvs(proc, mods)
    (mods / "kernel/net/netfilter/ipvs").mkdir(parents=True)
    (mods / "kernel/net/netfilter/ipvs/ip_vs.ko.xz").write_bytes(b"")
    assert engine.host_has_ipvs(proc, mods)
    proc.write_text("IP Virtual Server version 1.2.1\n")
    assert engine.host_has_ipvs(proc, tmp_path / "none")


def test_this_machine_kernel_has_no_ipvs_so_molecule_uses_the_engine():
    # Recorded fact of these machines (LAB-NOTES): if this ever changes, the test says so.
    if not engine.host_has_ipvs():
        assert engine.docker_host(engine.host_has_ipvs(), True) == config.engine_url()
