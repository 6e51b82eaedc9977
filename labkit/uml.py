"""Boot and stop lab nodes: user-mode-linux kernels, run as an unprivileged user.

Each node boots the shared read-only image through its own copy-on-write file. UML runs as
`nobody` (its kernel has hostfs, so root in a guest must not be root on the host), in a private
mount namespace holding the only tun device node it can open.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from . import config, kernel, net, qemu
from .util import log, run

NETMASK = {24: "255.255.255.0"}


def node_dir(name: str) -> Path:
    return config.STATE / "nodes" / name


def console_path(name: str) -> Path:
    """A node's console output; kept after the node stops (and after a failed `lab up`)."""
    return config.STATE / "consoles" / f"{name}.log"


def alive(pid: int) -> bool:
    """Whether PID runs: a zombie (a UML kernel that exited or panicked, not yet reaped) does not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def pid_of(name: str) -> int | None:
    f = node_dir(name) / "pid"
    if not f.exists():
        return None
    pid = int(f.read_text())
    return pid if alive(pid) else None


# Console lines of a kernel that died (the AVX-512 case prints the first two: see labkit/kernel.py).
PANIC_MARKS = ("Kernel panic", "set fp regs failed", "Attempted to kill init", "Oops:", "BUG:",
               "Segmentation fault", "error while loading shared libraries", "not found (required by")


def console_failure(name: str, lines: int = 12) -> str | None:
    """The console lines that tell why a node's kernel died, or None while it shows no such line."""
    log_file = console_path(name)
    try:
        text = log_file.read_text(errors="replace")
    except OSError:
        return None
    found = [i for i, line in enumerate(text.splitlines()) if any(m in line for m in PANIC_MARKS)]
    if not found:
        return None
    all_lines = text.splitlines()
    start = max(0, found[0] - 3)
    return "\n".join(all_lines[start:start + lines])


def boot_failure(name: str) -> str | None:
    """Why NODE is not booting (its kernel exited or panicked), with its console's lines; None if it is."""
    panic = console_failure(name)
    if panic is None and pid_of(name):
        return None
    if panic is None:
        tail = console_path(name).read_text(errors="replace").strip().splitlines()[-12:]
        return f"lab: {name}: kernel exited while booting; console tail:\n  " + "\n  ".join(tail)
    return f"lab: {name}: kernel failed while booting ({console_path(name)}):\n  " + \
        panic.replace("\n", "\n  ")


def nics(node: config.Node) -> list[str]:
    """The lab networks a node is attached to, in NIC order (eth0, eth1)."""
    return ["private"] if node.group == "engines" else ["public", "private"]


def mac(node: config.Node, index: int) -> str:
    return f"52:54:00:4c:{index:02x}:{node.octet:02x}"


def ip_args(node: config.Node) -> list[str]:
    """Kernel `ip=` arguments (systemd-network-generator turns them into networkd configs): eth0, eth1, v4 and v6."""
    out = [f"ip={node.addr(netname)}:::{NETMASK[config.NETWORKS[netname]['len']]}::eth{i}:off"
           for i, netname in enumerate(nics(node)) if netname == "private" or node.public]
    if node.public:  # the hosts shape: both networks dual-stack (not the engines: docker's networks are theirs)
        out += [f"ip=[{node.addr6(netname)}]:::{config.NETWORKS6[netname]['len']}::eth{i}:off"
                for i, netname in enumerate(nics(node))]
    return out


def cmdline(node: config.Node, image: Path, ndir: Path) -> list[str]:
    args = [
        f"umid=lvslab-{node.name}", f"uml_dir={config.SHM / 'uml'}/", f"mem={node.mem}",
        f"ubd0={ndir / 'root.cow'},{image / 'base.raw'}", "root=/dev/ubda", "rw",
        "con0=null,fd:1", "con=null", "ssl=null", f"systemd.hostname={node.name}",
        "systemd.show_status=0", "loglevel=4", "net.ifnames=0",
    ]
    for i, netname in enumerate(nics(node)):
        args.append(f"vec{i}:transport=tap,ifname={net.tap_name(node, netname)},gro=1,mac={mac(node, i)}")
    args += ip_args(node)
    if node.group == "engines":
        args += [f"ubd1={ndir / 'docker.raw'}", f"lab.engine={node.addr('private')}:{config.ENGINE_PORT}"]
    return args + config.UML_ARGS + node.extra_args


MACHINES = ("uml", "qemu")


def boot(node: config.Node, image: Path, keep_disk: bool = False, machine: str | None = None) -> None:
    """Boot NODE from IMAGE with a new copy-on-write disk, or with the one it had (*keep_disk*: a reboot).

    *machine* is `uml` (the lab kernel, the default) or `qemu` (Debian's amd64 kernel under
    emulation, see labkit/qemu.py); a reboot keeps the machine the node had.
    """
    if pid_of(node.name):
        log(f"{node.name} already running")
        return
    user = pwd.getpwnam(config.UML_USER)
    ndir = node_dir(node.name)
    if keep_disk and machine is None and (ndir / "machine").exists():
        machine = (ndir / "machine").read_text().strip()
    machine = machine or "uml"
    if machine not in MACHINES:
        raise SystemExit(f"lab: machine {machine!r} is not one of {', '.join(MACHINES)}")
    if not keep_disk:
        shutil.rmtree(ndir, ignore_errors=True)
    ndir.mkdir(parents=True, exist_ok=True)
    shm = config.SHM / node.name
    shutil.rmtree(shm, ignore_errors=True)
    for d in (shm, config.SHM / "uml"):
        d.mkdir(parents=True, exist_ok=True)
        os.chown(d, user.pw_uid, user.pw_gid)
    os.chown(config.SHM, user.pw_uid, user.pw_gid)
    if node.group == "engines" and not keep_disk:
        disk = ndir / "docker.raw"
        with open(disk, "wb") as f:
            f.truncate(24 << 30)
        run(["mkfs.ext4", "-q", "-F", "-L", "docker", str(disk)])
        os.chown(disk, user.pw_uid, user.pw_gid)
    if machine == "qemu":
        if not keep_disk:
            run(qemu.disk_command(image, ndir))
        os.chown(ndir / "root.qcow2", user.pw_uid, user.pw_gid)
        setup, argv = "true", qemu.command(node, image, ndir, [
            (net.tap_name(node, n), mac(node, i)) for i, n in enumerate(nics(node))], ip_args(node))
    else:
        kern = kernel.ensure()
        setup, argv = kern.namespace_setup(), [str(kern.binary), *cmdline(node, image, ndir)]
    os.chown(ndir, user.pw_uid, user.pw_gid)
    for netname in nics(node):
        net.add_tap(net.tap_name(node, netname), config.NETWORKS[netname]["bridge"])
    script = (
        f"{setup} && "
        "mount -t tmpfs -o size=64k,mode=755 lvslab-tun /dev/net && "
        f"mknod -m 600 /dev/net/tun c 10 200 && chown {user.pw_uid} /dev/net/tun && "
        f"exec setpriv --reuid={user.pw_uid} --regid={user.pw_gid} --clear-groups --inh-caps=-all "
        f"--bounding-set=-all --no-new-privs env -i TMPDIR={shm} HOME={shm} PATH=/usr/bin:/bin \"$@\""
    )
    console_path(node.name).parent.mkdir(parents=True, exist_ok=True)
    with open(console_path(node.name), "wb") as console:
        proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "lab-node", *argv],
            stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT, start_new_session=True,
        )
    (ndir / "pid").write_text(str(proc.pid))
    (ndir / "image").write_text(f"{image}\n")
    (ndir / "machine").write_text(f"{machine}\n")
    if machine == "uml":
        (ndir / "kernel").write_text(f"{kern.root}\n")
    log(f"{node.name}: booting on {machine} (pid {proc.pid}, {node.addr('private')})")


def machine_of(name: str) -> str:
    f = node_dir(name) / "machine"
    return f.read_text().strip() if f.exists() else "uml"


def wait_ssh(node: config.Node, key: Path, timeout: float = 180, abort: threading.Event | None = None) -> float:
    """Wait until the node answers a command over SSH; return the seconds it took.

    Fails within a second of the node's kernel exiting or panicking, with its console's lines, and
    returns early (raising) when *abort* is set because another node failed.
    """
    start = time.monotonic()
    addr = node.addr("private")
    while time.monotonic() - start < timeout:
        if abort is not None and abort.is_set():
            raise SystemExit(f"lab: {node.name}: boot abandoned (another node failed)")
        failure = boot_failure(node.name)
        if failure:
            raise SystemExit(failure)
        try:
            with socket.create_connection((addr, 22), timeout=2):
                pass
            res = subprocess.run(ssh_cmd(key, addr, "true", connect_timeout=5), check=False,
                                 capture_output=True, timeout=30)
            if res.returncode == 0:
                return time.monotonic() - start
        except (OSError, subprocess.TimeoutExpired):
            pass
        time.sleep(1)
    raise SystemExit(f"lab: {node.name} not reachable by SSH at {addr} after {timeout:.0f} s "
                     f"(console: {console_path(node.name)})")


def wait_all(nodes: list[config.Node], key: Path, timeout: float = 180) -> dict[str, float]:
    """wait_ssh for several nodes at once; the first failure stops every wait and is raised."""
    abort = threading.Event()

    def one(node: config.Node) -> float:
        try:
            return wait_ssh(node, key, timeout, abort)
        except BaseException:
            abort.set()
            raise

    with concurrent.futures.ThreadPoolExecutor(max(1, len(nodes))) as pool:
        futures = {n.name: pool.submit(one, n) for n in nodes}
        concurrent.futures.wait(futures.values(), return_when=concurrent.futures.FIRST_EXCEPTION)
        abort.set()  # stops the waits still running when one failed; a no-op when all are done
        errors = [f.exception() for f in futures.values() if f.exception() is not None]
    first = next((e for e in errors if "abandoned" not in str(e)), errors[0] if errors else None)
    if first is not None:
        raise first
    return {name: f.result() for name, f in futures.items()}


def ssh_cmd(key: Path, addr: str, *command: str, connect_timeout: int = 10) -> list[str]:
    return ["ssh", "-i", str(key), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={connect_timeout}",
            f"root@{addr}", *command]


def stop(name: str, timeout: float = 30) -> None:
    pid = pid_of(name)
    if pid:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and pid_of(name):
            time.sleep(0.5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        log(f"{name}: stopped")
    node = config.node(name)
    for netname in nics(node):
        net.del_tap(net.tap_name(node, netname))
    shutil.rmtree(node_dir(name), ignore_errors=True)
    shutil.rmtree(config.SHM / name, ignore_errors=True)


def reboot(node: config.Node, key: Path, timeout: float = 90) -> float:
    """Shut NODE down cleanly and boot it again from the same disk; return the seconds until SSH answers."""
    start = time.monotonic()
    image = Path((node_dir(node.name) / "image").read_text().strip())
    subprocess.run(ssh_cmd(key, node.addr("private"), "systemctl", "poweroff"), check=False,
                   capture_output=True, timeout=30)
    pid = pid_of(node.name)
    while pid and time.monotonic() - start < timeout and pid_of(node.name):
        time.sleep(0.5)
    if pid_of(node.name):
        raise SystemExit(f"lab: {node.name} did not power off within {timeout:.0f} s")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)  # the helper processes of the UML kernel
    for netname in nics(node):
        net.del_tap(net.tap_name(node, netname))
    boot(node, image, keep_disk=True)
    wait_ssh(node, key)
    return time.monotonic() - start


def running() -> list[str]:
    return [n.name for nodes in config.SHAPES.values() for n in nodes if pid_of(n.name)]


def stray_processes() -> list[str]:
    """UML and QEMU processes the lab started that are still alive (empty after `down`)."""
    res = subprocess.run(["pgrep", "-a", "-f", "umid=lvslab-|-name lvslab-"], check=False, capture_output=True,
                         text=True)
    return [line for line in res.stdout.splitlines() if "pgrep" not in line]
