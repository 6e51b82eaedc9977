"""`lab test`: the whole test suite from a fresh machine.

Installs what it needs, runs the linters (ruff, ansible-lint production profile, ansible-test
sanity), then one pytest run over the unit tests and the lab tests on real IPVS kernels (the lab
is brought up for it and brought down at the end, checking nothing is left behind). Exits non-zero
when any stage fails.
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


def main(args) -> None:
    deps.ensure_host()
    deps.ensure_venv()
    env = deps.venv_env()
    results = []
    results.append(_stage("ruff", ["ruff", "check", "."], env))
    results.append(_stage("ansible-lint", ["ansible-lint", "--profile", "production"], env))
    if any((ROOT / "plugins/modules").glob("*.py")):
        cmd, where = sanity()
        results.append(_stage("ansible-test sanity", cmd, env, cwd=where))
        shutil.rmtree(where.parents[2], ignore_errors=True)
    tests = ["tests/unit"] if args.fast else ["--durations=20", "tests/unit", "tests/lab"]
    pytest = ["pytest", "-p", "no:cacheprovider", "-ra", *tests]
    results.append(_stage("pytest", pytest, env))
    print("\nstage summary:")
    for name, good, took in results:
        print(f"  {'ok    ' if good else 'FAILED'} {name} ({took:.1f} s)")
    failed = [name for name, good, _ in results if not good]
    if failed:
        raise SystemExit(f"lab test: failed stages: {', '.join(failed)}")
