"""A bounded request loop that runs through a failover, and what it saw before, during and after.

The loop is a small Python program (LOOP) run where the client is: in the lab's client namespace
(`ip netns exec`) or in a molecule client container. It sends one HTTP request after another,
bounded in count and in time, and prints one line per request: ok (1/0) and who answered (or the
error's name). Its state files are BASE.stop (stop now), BASE.failed and BASE.taken: the test
creates BASE.failed right before it kills or stops the MASTER and BASE.taken once the backup holds
the VIP, and the loop prints a MARK line when it first sees each. So requests are sorted into
before the failure, during the takeover and after it by the order of the loop's own output, with
no clock shared between the test and the client (a UML guest's clock falls behind the host's when
its CPU is starved: seen seconds behind on a loaded engine).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass, field

MAX_REQUESTS = 1000
MAX_SECONDS = 300  # the longest loop: through a drain that waits for 105 s downloads
MARKS = ("failed", "taken")

LOOP = r"""
import os, sys, time, urllib.request
url, interval, count, seconds, base = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
timeout = float(sys.argv[6]) if len(sys.argv) > 6 else 1.0
end, seen = time.monotonic() + seconds, set()
for _ in range(count):
    if time.monotonic() >= end or os.path.exists(base + ".stop"):
        break
    for mark in ("failed", "taken"):
        if mark not in seen and os.path.exists(base + "." + mark):
            seen.add(mark)
            print("MARK " + mark, flush=True)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            who, ok = r.read().decode().strip() or "?", 1
    except Exception as exc:
        who, ok = type(getattr(exc, "reason", exc)).__name__, 0  # URLError: the reason (refused, reset, timeout)
    print("REQ %d %s" % (ok, who), flush=True)
    time.sleep(interval)
"""


def argv(url: str, base: str, interval: float = 0.05, count: int = 600, seconds: float = 60,
         timeout: float = 1) -> list[str]:
    """The loop's command line (python3 -c LOOP ...), bounded by MAX_REQUESTS and MAX_SECONDS; TIMEOUT is the
    seconds one request may take before it counts as failed (at most 10)."""
    count, seconds, timeout = min(count, MAX_REQUESTS), min(seconds, MAX_SECONDS), min(timeout, 10)
    return ["python3", "-c", LOOP, url, str(interval), str(count), str(seconds), base, str(timeout)]


def reset(base: str) -> str:
    """Shell command removing the loop's state files."""
    return "rm -f " + " ".join(shlex.quote(f"{base}.{s}") for s in ("stop", *MARKS))


def mark(base: str, name: str) -> str:
    """Shell command creating a state file: a MARK (failed, taken) or stop."""
    assert name in (*MARKS, "stop"), name
    return f"touch {shlex.quote(f'{base}.{name}')}"


def shell(url: str, base: str, out_file: str, **bounds) -> str:
    """A shell command that starts the loop in the background, writing its lines to OUT_FILE."""
    return f"{reset(base)}; nohup {shlex.join(argv(url, base, **bounds))} > {shlex.quote(out_file)} 2>/dev/null &"


@dataclass(frozen=True)
class Request:
    ok: bool
    who: str


@dataclass(frozen=True)
class Takeover:
    """The loop's requests split by its MARK lines: before the failure, during the takeover, after it."""

    before: list[Request] = field(default_factory=list)
    during: list[Request] = field(default_factory=list)
    after: list[Request] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> Takeover:
        phases: dict[str, list[Request]] = {"before": [], "during": [], "after": []}
        phase = "before"
        for line in text.splitlines():
            if line == "MARK failed":
                phase = "during"
            elif line == "MARK taken":
                phase = "after"
            elif line.startswith("REQ "):
                ok, _, who = line[4:].partition(" ")
                phases[phase].append(Request(ok == "1", who))
        return cls(**phases)

    @staticmethod
    def failed(reqs: list[Request]) -> int:
        return sum(not r.ok for r in reqs)

    @classmethod
    def _count(cls, reqs: list[Request]) -> str:
        """N (K failed), with the failures' error names when there are any: (2 failed: URLError, timeout)."""
        errors = sorted({r.who for r in reqs if not r.ok})
        return f"{len(reqs)} ({cls.failed(reqs)} failed{': ' + ', '.join(errors) if errors else ''})"

    def summary(self) -> str:
        return (f"requests before the failure {self._count(self.before)}, during the takeover "
                f"{self._count(self.during)}, after it {self._count(self.after)}")

    def check(self, max_failed_during: int, min_after: int = 10) -> None:
        """Assert: none failed before or after the takeover, at most MAX_FAILED_DURING during it."""
        assert self.before and len(self.after) >= min_after, self.summary()
        assert self.failed(self.before) == 0, self.summary()
        assert self.failed(self.during) <= max_failed_during, self.summary()
        assert self.failed(self.after) == 0, self.summary() + f"; failed after: {[r for r in self.after if not r.ok]}"


class NetnsLoop:
    """The loop in a network namespace of this host (the lab client), as a child process. Its state files are
    its own (BASE, by default a fresh name per loop): loops of lanes running at once must never see each other's
    marks (two lanes' loops once shared /tmp/lvs-lab-loop.*, and one test's stop ended the other's loop)."""

    def __init__(self, netns: str, url: str, base: str | None = None, **bounds) -> None:
        if base is None:
            fd, base = tempfile.mkstemp(prefix="lvs-lab-loop-")
            os.close(fd)
        self.base = base
        subprocess.run(reset(base), shell=True, check=True)
        self.proc = subprocess.Popen(["ip", "netns", "exec", netns, *argv(url, base, **bounds)],
                                     stdout=subprocess.PIPE, text=True)

    def mark(self, name: str) -> None:
        subprocess.run(mark(self.base, name), shell=True, check=True)

    def stop(self, timeout: float = 30) -> Takeover:
        self.mark("stop")
        out, _ = self.proc.communicate(timeout=timeout)
        subprocess.run(reset(self.base) + " " + shlex.quote(self.base), shell=True, check=False)
        return Takeover.parse(out)
