"""The `engine` shape: dockerd on a UML node (an IPVS kernel), reached with DOCKER_HOST."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import config, image
from .util import log

LOCAL_SOCKET = Path("/var/run/docker.sock")

# the container images the engines import (labkit/image.py CONTAINER_SUITES): one per Debian release
IMAGES = tuple(f"lvslab/debian:{suite}" for suite in image.CONTAINER_SUITES)


def api(path: str, name: str, timeout: float = 5) -> dict | list:
    url = config.engine_url(name).replace("tcp://", "http://") + path
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def wait_ready(names: list[str], timeout: float = 300) -> None:
    """Wait until every engine's dockerd answers with the lab images imported."""
    for name in names:
        _wait_one(name, timeout)


def _wait_one(name: str, timeout: float) -> float:
    start = time.monotonic()
    last = "no answer"
    while time.monotonic() - start < timeout:
        try:
            for img in IMAGES:
                api(f"/images/{img}/json", name)
            took = time.monotonic() - start
            log(f"{name}: docker API {config.engine_url(name)} ready with {', '.join(IMAGES)} ({took:.1f} s)")
            return took
        except urllib.error.HTTPError as e:
            last = f"HTTP {e.code} (image import still running?)"
        except (OSError, ValueError) as e:
            last = str(e)
        time.sleep(2)
    raise SystemExit(f"lab: {name} docker API not ready after {timeout:.0f} s: {last}")


def host_has_ipvs(proc: Path = Path("/proc/net/ip_vs"), modules: Path | None = None) -> bool:
    """True when this machine's own kernel has IPVS (loaded, or as a module it could load)."""
    if proc.exists():
        return True
    if modules is None:
        import os
        modules = Path("/lib/modules") / os.uname().release
    return any(modules.glob("kernel/net/netfilter/ipvs/ip_vs.ko*"))


def docker_host(has_ipvs: bool, local_socket: bool) -> str:
    """Where molecule's docker driver must create containers: on an IPVS kernel, never elsewhere.

    The local engine when this kernel has IPVS and a local dockerd runs; the lab engine otherwise.
    """
    if has_ipvs and local_socket:
        return f"unix://{LOCAL_SOCKET}"
    return config.engine_url()
