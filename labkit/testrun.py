"""`lab test`: the whole test suite from a fresh machine.

Installs what it needs and boots a fresh lab in the background while the linters run (ruff,
ansible-lint production profile, ansible-test sanity) and then the unit tests; then the lab tests
on real IPVS kernels in three lanes at once (the four hosts, engine, engine2: disjoint nodes, see
tests/lab/conftest.py), then the teardown lane (`lab down` leaves nothing behind). Prints how many
tests of each tier ran and exits non-zero when any stage fails.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from . import config, deps
from .util import log

ROOT = config.PROJECT


def _stage(name: str, cmd: list[str], env: dict, cwd: Path = ROOT) -> tuple[str, bool, float]:
    log(f"== {name}: {' '.join(cmd)}")
    t0 = time.monotonic()
    rc = subprocess.run(cmd, check=False, cwd=cwd, env=env).returncode
    took = time.monotonic() - t0
    log(f"== {name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'} in {took:.1f} s")
    return name, rc == 0, took


def _pip_bootstrap() -> None:
    """Give ansible-test a pip bootstrap script that needs only PyPI (see get_pip_offline.py)."""
    import re
    src = (deps.VENV / "lib").glob("python3*/site-packages/ansible_test/_internal/python_requirements.py")
    version = re.search(r"pip='([0-9.]+)'", next(src).read_text()).group(1)
    cache = Path.home() / ".ansible/test/cache" / f"get_pip_{version.replace('.', '_')}.py"
    cache.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(__file__).with_name("get_pip_offline.py"), cache)


def sanity() -> tuple[list[str], Path]:
    """ansible-test wants the collection at ansible_collections/lvs/cluster inside a git tree."""
    _pip_bootstrap()
    tmp = Path(tempfile.mkdtemp(prefix="lvs-sanity-"))
    dest = tmp / "ansible_collections" / "lvs" / "cluster"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split("\n")
    for f in filter(None, files):
        src = ROOT / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    excluded = ["labkit/", "lab", "tests/lab/", ".ci/", "benchmarks/"]  # not shipped (build_ignore); ruff lints them
    cmd = [str(deps.VENV / "bin/ansible-test"), "sanity", "--python", "3.11", "--color", "no", "--requirements",
           *(arg for path in excluded for arg in ("--exclude", path))]
    return cmd, dest


TIERS = (  # (tier, test id prefix), first match wins
    ("unit", "tests.unit."),
    ("integration targets", "tests.lab.test_integration_targets"),
    ("molecule scenarios", "tests.lab.test_molecule"),
    ("lab hosts (smoke, site.yml, teardown)", "tests.lab."),
)


def tier_counts(reports: list[Path]) -> list[str]:
    """One line per tier: tests passed, failed, skipped (and testinfra tests inside molecule)."""
    import xml.etree.ElementTree as ET
    if not reports:
        return ["no test report (pytest did not run)"]
    counts: dict[str, dict[str, int]] = {t: {"passed": 0, "failed": 0, "skipped": 0} for t, _ in TIERS}
    counts["other"] = {"passed": 0, "failed": 0, "skipped": 0}
    testinfra = 0
    measured: list[str] = []
    for case in (c for junit in reports for c in ET.parse(junit).getroot().iter("testcase")):
        tier = next((t for t, prefix in TIERS if case.get("classname", "").startswith(prefix)), "other")
        outcome = "failed" if case.find("failure") is not None or case.find("error") is not None else \
            "skipped" if case.find("skipped") is not None else "passed"
        counts[tier][outcome] += 1
        for prop in case.iter("property"):
            if prop.get("name") == "testinfra_passed":
                testinfra += int(prop.get("value"))
            else:
                measured.append(f"{case.get('name')}: {prop.get('value')}")
    lines = [f"{t}: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped"
             for t, c in counts.items() if t != "other" or sum(c.values())]
    lines.append(f"testinfra tests inside the molecule scenarios: {testinfra} passed")
    return lines + [f"measured: {m}" for m in measured]


def _unit_ends(env: dict) -> list[tuple[str, bool, float]]:
    """The unit tier again on the oldest and the newest ansible-core of the supported range (labkit/compat.py),
    both at once. Left out there: test_clean_install.py, which builds its own venvs for both ends, and test_docs.py
    and test_changelog.py, which lint with the development venv's antsibull-docs, Sphinx and antsibull-changelog."""
    from .compat import ENDS
    procs, t0 = {}, time.monotonic()
    for end in ENDS:
        venv = deps.ensure_end_venv(end)
        cmd = [str(venv / "bin/python"), "-m", "pytest", "-p", "no:cacheprovider", "-q", "-ra",
               "--ignore=tests/unit/test_clean_install.py", "--ignore=tests/unit/test_docs.py",
               "--ignore=tests/unit/test_changelog.py", "tests/unit"]
        log(f"== unit tests on {end} ansible-core {ENDS[end]['ansible_core']}: {' '.join(cmd)}")
        procs[end] = _background(cmd, config.STATE / "logs" / f"unit-{end}.log", {**env, "PATH": f"{venv}/bin:"
                                                                                         f"{env['PATH']}"})
    out = []
    for end, proc in procs.items():
        rc = proc.wait()
        text = (config.STATE / "logs" / f"unit-{end}.log").read_text()
        print(f"--- unit tests on {end} ansible-core {ENDS[end]['ansible_core']}: {text.strip().splitlines()[-1]}")
        if rc:
            print(text[-6000:])
        out.append((f"unit tests, {end} ansible-core {ENDS[end]['ansible_core']}", rc == 0, time.monotonic() - t0))
    return out


LANES = ("hosts", "engine", "engine2")  # run at once; then the teardown lane (tests/lab/conftest.py)


def _lane_cmd(lane: str) -> list[str]:
    return ["pytest", "-p", "no:cacheprovider", "-ra", "--durations=15",
            f"--junitxml={config.STATE / f'junit-{lane}.xml'}", "tests/lab"]


def _background(cmd: list[str], log_file: Path, env: dict) -> subprocess.Popen:
    with open(log_file, "w") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _lanes(env: dict) -> list[tuple[str, bool, float]]:
    """The lab lanes at the same time, each its own pytest with its output in a file; then teardown."""
    logs = config.STATE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    # every ansible/molecule run of this suite keeps its output here (the teardown lane greps them for secrets)
    runs = logs / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir()
    env = {**env, "LAB_LOG_DIR": str(runs)}
    t0 = time.monotonic()
    procs = {}
    for lane in LANES:
        log(f"== lane {lane}: {' '.join(_lane_cmd(lane))} (output: {logs / f'lane-{lane}.log'})")
        procs[lane] = _background(_lane_cmd(lane), logs / f"lane-{lane}.log", {**env, "LVS_LAB_LANE": lane})
    took: dict[str, float] = {}
    while len(took) < len(procs):
        time.sleep(5)
        for lane, proc in procs.items():
            if lane not in took and proc.poll() is not None:
                took[lane] = time.monotonic() - t0
                log(f"== lane {lane}: {'ok' if proc.returncode == 0 else 'FAILED'} after {took[lane]:.0f} s")
        if int(time.monotonic() - t0) % 120 < 5:
            progress = {lane: _progress(logs / f"lane-{lane}.log") for lane in procs if lane not in took}
            log("   running: " + "; ".join(f"{k}: {v}" for k, v in progress.items()))
    for lane in LANES:
        print(f"\n===== lane {lane} =====\n{(logs / f'lane-{lane}.log').read_text()}", flush=True)
    results = [(f"lab lane {lane}", procs[lane].returncode == 0, took[lane]) for lane in LANES]
    results.append(_stage("lab lane teardown", _lane_cmd("teardown"), {**env, "LVS_LAB_LANE": "teardown"}))
    return results


def _progress(log_file: Path) -> str:
    lines = [line for line in log_file.read_text(errors="replace").splitlines() if line.startswith("tests/")]
    return lines[-1][:100] if lines else "starting"


def main(args) -> None:
    deps.ensure_host()
    deps.ensure_venv()
    env = deps.venv_env()
    results = []
    lab_up = None
    logs = config.STATE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if not args.fast:  # a fresh lab boots while the linters run
        log(f"== lab down; lab up all (output: {logs / 'lab-up.log'})")
        lab_up = _background(["sh", "-c", f"{ROOT / 'lab'} down && {ROOT / 'lab'} up all"], logs / "lab-up.log", env)
        t_up = time.monotonic()
    results.append(_stage("ruff", ["ruff", "check", "."], env))
    results.append(_stage("ansible-lint", ["ansible-lint", "--profile", "production"], env))
    if any((ROOT / "plugins/modules").glob("*.py")):
        cmd, where = sanity()
        results.append(_stage("ansible-test sanity", cmd, env, cwd=where))
        shutil.rmtree(where.parents[2], ignore_errors=True)
    for f in config.STATE.glob("junit-*.xml"):
        f.unlink()
    results.append(_stage("unit tests", ["pytest", "-p", "no:cacheprovider", "-ra",
                                         f"--junitxml={config.STATE / 'junit-unit.xml'}", "tests/unit"], env))
    results += _unit_ends(env)
    if lab_up is not None:
        rc = lab_up.wait()
        print((config.STATE / "logs/lab-up.log").read_text(), flush=True)
        results.append(("lab up (fresh)", rc == 0, time.monotonic() - t_up))
        if rc == 0:
            results += _lanes(env)
        else:
            results.append(_stage("lab down", [str(ROOT / "lab"), "down"], env))
        from . import kernel
        print(f"\nlab kernel: {kernel.current().describe() if kernel.current() else 'none'}")
    print("\ntests run per tier:")
    for line in tier_counts(sorted(config.STATE.glob("junit-*.xml"))):
        print(f"  {line}")
    print("\nstage summary:")
    for name, good, took in results:
        print(f"  {'ok    ' if good else 'FAILED'} {name} ({took:.1f} s)")
    failed = [name for name, good, _ in results if not good]
    if failed:
        raise SystemExit(f"lab test: failed stages: {', '.join(failed)}")
