"""Boot and stop lab nodes: user-mode-linux kernels, run as an unprivileged user.

Each node boots the shared read-only image through its own copy-on-write file. UML runs as
`nobody` (its kernel has hostfs, so root in a guest must not be root on the host), in a private
mount namespace holding the only tun device node it can open.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from . import config, net
from .util import log, run

NETMASK = {24: "255.255.255.0"}


def node_dir(name: str) -> Path:
    return config.STATE / "nodes" / name


def pid_of(name: str) -> int | None:
    f = node_dir(name) / "pid"
    if not f.exists():
        return None
    pid = int(f.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def nics(node: config.Node) -> list[str]:
    """The lab networks a node is attached to, in NIC order (eth0, eth1)."""
    return ["private"] if node.group == "engines" else ["public", "private"]


def mac(node: config.Node, index: int) -> str:
    return f"52:54:00:4c:{index:02x}:{node.octet:02x}"


def cmdline(node: config.Node, image: Path, ndir: Path) -> list[str]:
    args = [
        f"umid=lvslab-{node.name}", f"uml_dir={config.SHM / 'uml'}/", f"mem={node.mem}",
        f"ubd0={ndir / 'root.cow'},{image / 'base.raw'}", "root=/dev/ubda", "rw",
        "con0=null,fd:1", "con=null", "ssl=null", f"systemd.hostname={node.name}",
        "systemd.show_status=0", "loglevel=4", "net.ifnames=0",
    ]
    for i, netname in enumerate(nics(node)):
        netcfg = config.NETWORKS[netname]
        tap = net.tap_name(node, netname)
        args.append(f"vec{i}:transport=tap,ifname={tap},gro=1,mac={mac(node, i)}")
        if netname == "private" or node.public:
            args.append(f"ip={node.addr(netname)}:::{NETMASK[netcfg['len']]}::eth{i}:off")
    if node.group == "engines":
        args += [f"ubd1={ndir / 'docker.raw'}", f"lab.engine={node.addr('private')}:{config.ENGINE_PORT}"]
    return args + node.extra_args


def boot(node: config.Node, image: Path, keep_disk: bool = False) -> None:
    """Boot NODE from IMAGE with a new copy-on-write disk, or with the one it had (*keep_disk*: a reboot)."""
    if pid_of(node.name):
        log(f"{node.name} already running")
        return
    user = pwd.getpwnam(config.UML_USER)
    ndir = node_dir(node.name)
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
    os.chown(ndir, user.pw_uid, user.pw_gid)
    for netname in nics(node):
        net.add_tap(net.tap_name(node, netname), config.NETWORKS[netname]["bridge"])
    script = (
        "mount -t tmpfs -o size=64k,mode=755 lvslab-tun /dev/net && "
        f"mknod -m 600 /dev/net/tun c 10 200 && chown {user.pw_uid} /dev/net/tun && "
        f"exec setpriv --reuid={user.pw_uid} --regid={user.pw_gid} --clear-groups --inh-caps=-all "
        f"--bounding-set=-all --no-new-privs env -i TMPDIR={shm} HOME={shm} PATH=/usr/bin:/bin "
        f"{config.UML_KERNEL} \"$@\""
    )
    with open(ndir / "console.log", "wb") as console:
        proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "uml",
             *cmdline(node, image, ndir)],
            stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT, start_new_session=True,
        )
    (ndir / "pid").write_text(str(proc.pid))
    (ndir / "image").write_text(f"{image}\n")
    log(f"{node.name}: booting (pid {proc.pid}, {node.addr('private')})")


def wait_ssh(node: config.Node, key: Path, timeout: float = 180) -> float:
    """Wait until the node answers a command over SSH; return the seconds it took."""
    start = time.monotonic()
    addr = node.addr("private")
    while time.monotonic() - start < timeout:
        if not pid_of(node.name):
            tail = (node_dir(node.name) / "console.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"lab: {node.name} exited while booting; console:\n{tail}")
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
                     f"(console: {node_dir(node.name) / 'console.log'})")


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
    """UML processes the lab started that are still alive (empty after `down`)."""
    res = subprocess.run(["pgrep", "-a", "-f", "umid=lvslab-"], check=False, capture_output=True, text=True)
    return [line for line in res.stdout.splitlines() if "pgrep" not in line]
