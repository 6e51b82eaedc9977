"""The failover request loop against a real HTTP server on loopback: phases come from its MARK lines."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from labkit import requestloop  # noqa: E402


class Hostname(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"web1\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostname)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()


def wait_lines(path: Path, n: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and path.read_text().count("\n") < n:
        time.sleep(0.05)


def wait_for_text(path: Path, text: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and text not in path.read_text():
        time.sleep(0.05)
    assert text in path.read_text(), path.read_text()[-500:]


def test_requests_are_split_by_the_marks_and_failures_counted(server, tmp_path):
    base, out = str(tmp_path / "loop"), tmp_path / "out"
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    with open(out, "w") as f:
        # a local server: a request fails only when it is down (timeout 5 s: the machine may be busy booting the lab)
        proc = subprocess.Popen(requestloop.argv(url, base, interval=0.01, seconds=30, timeout=5), stdout=f)
    try:
        wait_lines(out, 5)
        subprocess.run(requestloop.mark(base, "failed"), shell=True, check=True)
        # the loop has seen the mark (a request it started before would fail yet count before the failure: the
        # machine busy booting the lab beside this test, one did)
        wait_for_text(out, "MARK failed")
        server.shutdown()  # the "master" dies: requests fail until the takeover
        server.server_close()
        time.sleep(0.5)
        takeover = http.server.ThreadingHTTPServer(server.server_address, Hostname)
        threading.Thread(target=takeover.serve_forever, daemon=True).start()
        subprocess.run(requestloop.mark(base, "taken"), shell=True, check=True)
        time.sleep(0.5)
        subprocess.run(requestloop.mark(base, "stop"), shell=True, check=True)
        proc.wait(timeout=20)
        takeover.shutdown()
    finally:
        proc.kill()
    seen = requestloop.Takeover.parse(out.read_text())
    assert len(seen.before) >= 5 and seen.failed(seen.before) == 0
    assert seen.failed(seen.during) >= 1  # the server was down then
    assert len(seen.after) >= 10 and seen.failed(seen.after) == 0
    assert {r.who for r in seen.after} == {"web1"}
    assert {r.who for r in seen.during if not r.ok} <= {"ConnectionRefusedError", "ConnectionResetError"}
    assert "failed: Connection" in seen.summary()
    seen.check(max_failed_during=len(seen.during))
    with pytest.raises(AssertionError, match="during the takeover"):
        seen.check(max_failed_during=0)


def test_the_loop_is_bounded_in_count():
    args = requestloop.argv("http://x/", "/tmp/b", count=10**6, seconds=10**6, timeout=10**6)
    assert args[-4:-2] == [str(requestloop.MAX_REQUESTS), str(requestloop.MAX_SECONDS)]
    assert args[-1] == "10"  # one request waits 10 s at most
