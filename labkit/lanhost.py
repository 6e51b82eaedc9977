"""A host on the lab's public network that Ansible never manages: a network namespace of this machine with a veth
on the public bridge, set up as README says a DR real server outside the inventory must be (its VIPs on lo, not
announced: arp_ignore 1, arp_announce 2), answering HTTP on port 80 with a fixed body. Tests use it as a real
server the roles never touch, or as keepalived's sorry server. Its web server exits after 15 minutes (or what the test
says) whatever happens; the namespace and the veth go when the context ends."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator

from . import config

SERVER = ("import http.server as h, sys\n"
          "body = (sys.argv[1] + '\\n').encode()\n"
          "class H(h.BaseHTTPRequestHandler):\n"
          "    def do_GET(self):\n"
          "        self.send_response(200); self.end_headers(); self.wfile.write(body)\n"
          "    def log_message(self, *a): pass\n"
          "h.ThreadingHTTPServer(('0.0.0.0', 80), H).serve_forever()\n")


def _sh(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=30)


@contextlib.contextmanager
def lan_host(name: str, veth: str, address: str, mac: str, vips: list[str], body: str,
             seconds: int = 900) -> Iterator[str]:
    """Namespace NAME at ADDRESS, its eth0 the peer of VETH on the bridge (MAC fixed: a director's ARP cache from an
    earlier run must not point to a veth that is gone), VIPS on lo as lo:0, lo:1, ..., HTTP answering BODY (for
    SECONDS at most)."""
    nsx = ["ip", "netns", "exec", name]
    _sh("ip", "netns", "add", name)
    proc = None
    try:
        _sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "address", mac, "netns", name)
        _sh("ip", "link", "set", veth, "master", config.PUBLIC["bridge"], "up")
        cmds = [["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv4.conf.all.arp_ignore=1",
                 "net.ipv4.conf.all.arp_announce=2", "net.ipv4.conf.lo.arp_ignore=1",
                 "net.ipv4.conf.lo.arp_announce=2"],
                ["ip", "link", "set", "lo", "up"], ["ip", "link", "set", "eth0", "up"],
                ["ip", "addr", "add", f"{address}/{config.PUBLIC['len']}", "dev", "eth0"]]
        cmds += [["ip", "addr", "add", f"{vip}/32", "dev", "lo", "label", f"lo:{i}"] for i, vip in enumerate(vips)]
        for cmd in cmds:
            _sh(*nsx, *cmd)
        proc = subprocess.Popen([*nsx, "timeout", str(seconds), "python3", "-c", SERVER, body],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        yield name
    finally:
        if proc is not None:
            proc.kill()
            proc.wait(10)
        subprocess.run(["ip", "netns", "del", name], check=False)
        subprocess.run(["ip", "link", "del", veth], check=False, capture_output=True)
