"""The lab's kernel: Debian's newest `user-mode-linux`, run beside this host with its own C library.

Bookworm's user-mode-linux 6.1 (and trixie's 6.12) panic at the first user process on hosts with
AVX-512/AMX (their fixed-size XSAVE buffer makes PTRACE_SETREGSET fail with EFAULT). Debian
unstable's package (7.2 when this was written) boots on every x86-64 host here, but it is linked
against a newer glibc than bookworm's. So the lab extracts that package and its dependencies
(libc6, libgcc-s1) with `mmdebstrap --variant=extract` into a private root under the cache, and
each node's private mount namespace (see uml.boot) lays that root's library directory over the
host's with overlayfs: in there, `linux.uml` and the few host tools that start it run on the newer
glibc (which runs bookworm's binaries too). Nothing is installed into the host system.

Starting it through the newer loader instead (`ld.so linux.uml`) does not work: the program break
is then the loader's, far above the binary, and UML sizes its physical memory from it (it panics
with "Failed to allocate 1465994379264 bytes for node 0 memory map").

No version is pinned: a fetch takes whatever the suite holds, and the result is kept by package
version under CACHE/kernel/<version>/ (`lab kernel --update` fetches again).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from plugins.module_utils.ipvs_values import SCHEDULERS

from . import config
from .util import log

# Every kernel module the lab and its tests load in guests (the engine loads them all at boot for
# its containers, which cannot). `twos` is left out: no Debian UML kernel has had it so far, and the
# integration targets check the modules' message for a missing scheduler with it.
SCHEDULER_MODULES = tuple(f"ip_vs_{s}" for s in SCHEDULERS if s != "twos")
LAB_MODULES = (
    "ip_vs", *SCHEDULER_MODULES, "ip_vs_pe_sip", "ip_vs_ftp",
    "ipip", "ip_gre", "ip_tunnel", "fou", "ip6_tunnel", "ip6_gre",  # TUN real servers
    "nf_conntrack", "nf_tables", "nft_compat", "xt_mark", "xt_multiport", "xt_comment", "xt_conntrack",
    "overlay", "veth", "bridge", "br_netfilter",  # containers on the engine (docker without iptables)
    "sch_netem", "dummy",
)
SUITE = os.environ.get("LVS_LAB_UML_SUITE", "unstable")
PACKAGE = "user-mode-linux"
LIBDIR = "usr/lib/x86_64-linux-gnu"
HOME = config.CACHE / "kernel"


@dataclass(frozen=True)
class Kernel:
    root: Path  # the extracted package root

    @property
    def binary(self) -> Path:
        return self.root / "usr/bin/linux.uml"

    @property
    def modules_root(self) -> Path:
        return self.root / "usr/lib/uml/modules"

    @property
    def release(self) -> str:
        """The kernel release (`uname -r` in a guest), the name of the modules directory."""
        names = sorted(p.name for p in self.modules_root.iterdir() if p.is_dir())
        if len(names) != 1:
            raise SystemExit(f"lab: expected one kernel modules directory under {self.modules_root}, found {names}")
        return names[0]

    @property
    def modules(self) -> Path:
        return self.modules_root / self.release

    @property
    def package_version(self) -> str:
        return (self.root.parent / "version").read_text().strip()

    @property
    def modules_hash(self) -> str:
        return (self.root.parent / "modules.sha256").read_text().strip()

    def describe(self) -> str:
        return f"Linux {self.release} (Debian {PACKAGE} {self.package_version}, {SUITE})"

    def namespace_setup(self) -> str:
        """Shell command for a node's private mount namespace: this kernel's glibc over the host's."""
        return (f"mount -t overlay lvslab-glibc -o lowerdir={self.root / LIBDIR}:/{LIBDIR} /{LIBDIR}")

    def has_module(self, name: str) -> bool:
        """Whether modprobe NAME can succeed in a guest: a module file or built in."""
        builtin = (self.modules / "modules.builtin").read_text()
        pattern = re.compile(rf"(^|/){re.escape(name)}\.ko(\.[a-z]+)?$", re.M)
        if pattern.search(builtin):
            return True
        alt = name.replace("-", "_")
        return any(p.name.split(".ko")[0].replace("-", "_") == alt for p in self.modules.rglob("*.ko*"))


def missing_modules(kern: Kernel) -> list[str]:
    return [m for m in LAB_MODULES if not kern.has_module(m)]


def package_version_of(root: Path) -> str:
    """The Debian version of the extracted package, from the first line of its changelog."""
    changelog = root / "usr/share/doc" / PACKAGE / "changelog.Debian.gz"
    with gzip.open(changelog, "rt") as f:
        m = re.match(rf"{PACKAGE} \(([^)]+)\)", f.readline())
    if not m:
        raise SystemExit(f"lab: cannot read the {PACKAGE} version from {changelog}")
    return m.group(1)


def modules_sha256(modules: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in modules.rglob("*") if p.is_file() or p.is_symlink()):
        h.update(str(f.relative_to(modules)).encode() + b"\0")
        h.update((os.readlink(f).encode() if f.is_symlink() else f.read_bytes()) + b"\0")
    return h.hexdigest()


def mirror_uri() -> str:
    """The Debian archive this machine's apt uses (the lab fetches SUITE from the same place)."""
    from .image import mirror_lines
    for line in mirror_lines():
        _deb, uri, suite, *_ = line.split()
        if "security" not in uri and suite == "bookworm":
            return uri
    raise SystemExit("lab: no Debian archive entry in /etc/apt/sources*: cannot fetch user-mode-linux")


def current() -> Kernel | None:
    link = HOME / "current"
    if link.is_symlink() and (link / "ready").exists():
        return Kernel(link.resolve() / "root")
    return None


def fetch() -> Kernel:
    """Extract SUITE's user-mode-linux and its libraries into the cache; return that kernel."""
    uri = mirror_uri()
    log(f"fetching Debian {SUITE}'s {PACKAGE} from {uri} (mmdebstrap --variant=extract)")
    work = HOME / "fetch"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # Valid-Until is not checked: these machines' mirrors may be frozen snapshots (signatures still are).
    cmd = ["mmdebstrap", "--mode=root", "--variant=extract", f"--include={PACKAGE}",
           '--aptopt=Acquire::Check-Valid-Until "false"', "--aptopt=Acquire::Languages \"none\"",
           SUITE, str(work / "root"), f"deb {uri} {SUITE} main"]
    res = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if res.returncode != 0 or not (work / "root/usr/bin/linux.uml").exists():
        tail = "\n".join((res.stdout + res.stderr).strip().splitlines()[-8:])
        raise SystemExit(
            f"lab: cannot get Debian's {PACKAGE} from {SUITE} at {uri} (the lab needs a UML kernel that boots on "
            f"AVX-512/AMX CPUs; bookworm's 6.1 and trixie's 6.12 panic there). mmdebstrap said:\n{tail}")
    kernel = Kernel(work / "root")
    version = package_version_of(kernel.root)
    (work / "version").write_text(version + "\n")
    (work / "modules.sha256").write_text(modules_sha256(kernel.modules) + "\n")
    dest = HOME / version
    shutil.rmtree(dest, ignore_errors=True)
    work.rename(dest)
    (dest / "ready").write_text(version + "\n")
    tmp = HOME / "current.new"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(version)
    tmp.rename(HOME / "current")
    kernel = Kernel(dest / "root")
    log(f"lab kernel: {kernel.describe()}")
    for old in HOME.iterdir():
        if old.is_dir() and old.name not in (version, "fetch") and not _in_use(old):
            shutil.rmtree(old, ignore_errors=True)
    return kernel


def _in_use(kdir: Path) -> bool:
    from . import uml
    return any((uml.node_dir(n) / "kernel").exists()
               and (uml.node_dir(n) / "kernel").read_text().strip() == str(kdir / "root")
               for n in uml.running())


def ensure() -> Kernel:
    """The cached kernel, fetched first on a machine that has none."""
    return current() or fetch()
