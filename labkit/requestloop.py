"""A bounded request loop that runs through a failover, and what it saw before, during and after.

The loop is a small Python program (LOOP) run where the client is: in the lab's client namespace
(`ip netns exec`) or in a molecule client container. It sends one HTTP request after another,
bounded in count and in time, stops early when its stop file appears, and prints one line per
request: start and end (wall-clock seconds, the same clock as the host's: UML guests take it from
the host), ok (1/0) and who answered (or the error's name).

`Takeover.split` sorts the requests by their start time into those before the failure (the kill),
during the takeover (from the kill until the backup was seen holding the VIP) and after it.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass

MAX_REQUESTS = 1000
MAX_SECONDS = 120

LOOP = r"""
import os, sys, time, urllib.request
url, interval, count, seconds, stop = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
end = time.time() + seconds
for _ in range(count):
    if time.time() >= end or os.path.exists(stop):
        break
    t0 = time.time()
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            who, ok = r.read().decode().strip() or "?", 1
    except Exception as exc:
        who, ok = type(exc).__name__, 0
    print("%.3f %.3f %d %s" % (t0, time.time(), ok, who), flush=True)
    time.sleep(interval)
"""


def argv(url: str, stop_file: str, interval: float = 0.05, count: int = 600, seconds: float = 60) -> list[str]:
    """The loop's command line (python3 -c LOOP ...), bounded by MAX_REQUESTS and MAX_SECONDS."""
    count, seconds = min(count, MAX_REQUESTS), min(seconds, MAX_SECONDS)
    return ["python3", "-c", LOOP, url, str(interval), str(count), str(seconds), stop_file]


def shell(url: str, stop_file: str, out_file: str, **bounds) -> str:
    """A shell command that starts the loop in the background, writing its lines to OUT_FILE."""
    return f"rm -f {shlex.quote(stop_file)}; nohup {shlex.join(argv(url, stop_file, **bounds))} " \
           f"> {shlex.quote(out_file)} 2>/dev/null &"


@dataclass(frozen=True)
class Request:
    start: float
    end: float
    ok: bool
    who: str


def parse(text: str) -> list[Request]:
    reqs = []
    for line in text.splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4:
            reqs.append(Request(float(parts[0]), float(parts[1]), parts[2] == "1", parts[3]))
    return reqs


@dataclass(frozen=True)
class Takeover:
    """Requests split by start time: before `failed_at`, until `taken_at`, and after."""

    before: list[Request]
    during: list[Request]
    after: list[Request]

    @classmethod
    def split(cls, reqs: list[Request], failed_at: float, taken_at: float) -> Takeover:
        return cls([r for r in reqs if r.start < failed_at],
                   [r for r in reqs if failed_at <= r.start < taken_at],
                   [r for r in reqs if r.start >= taken_at])

    @staticmethod
    def failed(reqs: list[Request]) -> int:
        return sum(not r.ok for r in reqs)

    def summary(self) -> str:
        return (f"requests before the failure {len(self.before)} ({self.failed(self.before)} failed), "
                f"during the takeover {len(self.during)} ({self.failed(self.during)} failed), "
                f"after it {len(self.after)} ({self.failed(self.after)} failed)")

    def check(self, max_failed_during: int, min_after: int = 10) -> None:
        """Assert: none failed before or after the takeover, at most MAX_FAILED_DURING during it."""
        assert self.before and len(self.after) >= min_after, self.summary()
        assert self.failed(self.before) == 0, self.summary()
        assert self.failed(self.during) <= max_failed_during, self.summary()
        assert self.failed(self.after) == 0, self.summary() + f"; failed after: {[r for r in self.after if not r.ok]}"


class NetnsLoop:
    """The loop in a network namespace of this host (the lab client), as a child process."""

    def __init__(self, netns: str, url: str, stop_file: str = "/tmp/lvs-lab-loop.stop", **bounds) -> None:
        self.stop_file = stop_file
        subprocess.run(["rm", "-f", stop_file], check=True)
        self.proc = subprocess.Popen(["ip", "netns", "exec", netns, *argv(url, stop_file, **bounds)],
                                     stdout=subprocess.PIPE, text=True)

    def stop(self, timeout: float = 30) -> list[Request]:
        open(self.stop_file, "w").close()
        out, _ = self.proc.communicate(timeout=timeout)
        return parse(out)
