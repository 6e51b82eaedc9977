"""Slow HTTP downloads through a VIP from a client network namespace of this host (curl, rate-limited, bounded
in time), and the directors' view of them (ipvsadm -Lnc): long-lived flows that a failover, a drain or a
re-hash of the routers must carry through. Their client ports are below the kernel's ephemeral range, so the
request loops' short connections are never taken for them."""

from __future__ import annotations

import re
import signal
import subprocess

PORTS = (20000, 20999)
BIG = "/var/www/lvs-lab/big"  # the file served (labkit/playbooks/web.yml's document root)
# a small receive buffer in the client's namespace, so a rate-limited download is slow on the wire too (with the
# default buffers the kernel takes the whole file in seconds and the connection ends long before curl)
SMALL_RMEM = "4096 8192 16384"


def make_big(size: int) -> str:
    """Shell command writing the served file of SIZE bytes on a real server."""
    return f"head -c {size} /dev/zero > {BIG}"


class Download:
    """curl in NETNS fetching URL at RATE, for at most MAX_TIME seconds, from client PORT (by default one of
    PORTS, chosen by curl)."""

    def __init__(self, netns: str, url: str, rate: str = "60k", max_time: int = 100, port: int | None = None):
        self.port = port
        local = str(port) if port else "-".join(map(str, PORTS))
        self.proc = subprocess.Popen(["ip", "netns", "exec", netns, "curl", "-s", "-o", "/dev/null",
                                      "--limit-rate", rate, "--max-time", str(max_time), "--local-port", local,
                                      "-w", "%{http_code} %{size_download} %{remote_ip}", url],
                                     stdout=subprocess.PIPE, text=True)

    def pause(self) -> None:
        """SIGSTOP curl: the client's window closes and the connection stays ESTABLISHED, idle, for as long as
        the test needs (a drain's wait, whatever the machine's load makes the playbook take)."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def result(self, timeout: float = 330) -> str:
        """rc N: HTTP_CODE BYTES REMOTE_IP, once curl has ended."""
        out, _ = self.proc.communicate(timeout=timeout)
        return f"rc {self.proc.returncode}: {out}"


def complete(result: str, size: int) -> bool:
    """Whether a Download's result is the whole file of SIZE bytes."""
    return result.startswith(f"rc 0: 200 {size} ")


def connections(ipvsadm_lnc: str, state: str | None = "ESTABLISHED") -> dict[int, str]:
    """The downloads' connections in `ipvsadm -Lnc` output, in STATE (None: any): {client port: real server
    address}."""
    lo, hi = PORTS
    found = re.finditer(r"([A-Z_]+)\s+(?:\d+\.){3}\d+:(\d+)\s+\S+\s+([\d.]+):\d+", ipvsadm_lnc)
    return {int(m.group(2)): m.group(3) for m in found
            if lo <= int(m.group(2)) <= hi and state in (None, m.group(1))}
