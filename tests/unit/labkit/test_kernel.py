"""The lab kernel's facts: its Debian version, its modules, and the image cache key that covers both."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from labkit import config, image, kernel  # noqa: E402


def fake_kernel(base: Path, version: str = "7.2um1", release: str = "7.2.7", modules=("ip_vs", "ip_vs_wrr")):
    """A kernel cache entry laid out as kernel.fetch() leaves it (package root, version, modules hash)."""
    root = base / version / "root"
    doc = root / "usr/share/doc/user-mode-linux"
    doc.mkdir(parents=True)
    with gzip.open(doc / "changelog.Debian.gz", "wt") as f:
        f.write(f"user-mode-linux ({version}) unstable; urgency=medium\n\n  * Prepare UML\n")
    mods = root / "usr/lib/uml/modules" / release
    (mods / "kernel/net/netfilter/ipvs").mkdir(parents=True)
    for m in modules:
        (mods / "kernel/net/netfilter/ipvs" / f"{m}.ko").write_bytes(m.encode())
    (mods / "modules.builtin").write_text("kernel/net/ipv4/tcp_cubic.ko\n")
    (root.parent / "version").write_text(kernel.package_version_of(root) + "\n")
    (root.parent / "modules.sha256").write_text(kernel.modules_sha256(mods) + "\n")
    return kernel.Kernel(root)


def test_version_release_and_description(tmp_path):
    k = fake_kernel(tmp_path)
    assert k.package_version == "7.2um1"
    assert k.release == "7.2.7"
    assert k.describe() == f"Linux 7.2.7 (Debian user-mode-linux 7.2um1, {kernel.SUITE})"


def test_modules_present_builtin_and_missing(tmp_path):
    k = fake_kernel(tmp_path)
    assert k.has_module("ip_vs") and k.has_module("ip_vs_wrr")
    assert k.has_module("tcp_cubic")  # built in
    assert not k.has_module("ip_vs_twos")
    missing = kernel.missing_modules(k)
    assert "ip_vs" not in missing and "ip_vs_rr" in missing and "nft_compat" in missing


def test_lab_modules_cover_every_scheduler_of_the_engine_but_twos():
    from plugins.module_utils.ipvs_values import SCHEDULERS
    assert {f"ip_vs_{s}" for s in SCHEDULERS} - set(kernel.LAB_MODULES) == {"ip_vs_twos"}


def test_modules_hash_changes_with_any_module(tmp_path):
    a = fake_kernel(tmp_path / "a")
    b = fake_kernel(tmp_path / "b")
    assert a.modules_hash == b.modules_hash
    (b.modules / "kernel/net/netfilter/ipvs/ip_vs.ko").write_bytes(b"rebuilt")
    assert kernel.modules_sha256(b.modules) != a.modules_hash


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CACHE", tmp_path / "cache")
    return tmp_path


def test_image_cache_key_covers_the_kernel_version_and_modules(cache):
    """After a kernel change the image (which holds the kernel's modules) must be rebuilt."""
    base = fake_kernel(cache / "k1")
    same = fake_kernel(cache / "k2")
    newer = fake_kernel(cache / "k3", version="7.3um1", release="7.3.1")
    other_modules = fake_kernel(cache / "k4", modules=("ip_vs", "ip_vs_wrr", "ip_vs_twos"))
    key = image.content_hash(base)
    assert image.content_hash(same) == key
    assert image.content_hash(newer) != key
    assert image.content_hash(other_modules) != key


def test_a_kernel_that_cannot_be_had_fails_with_a_clear_message(tmp_path, monkeypatch):
    """A real fetch from the machine's Debian archive, of a suite that does not exist."""
    monkeypatch.setattr(kernel, "HOME", tmp_path / "kernel")
    monkeypatch.setattr(kernel, "SUITE", "lvs-lab-no-such-suite")
    with pytest.raises(SystemExit) as err:
        kernel.fetch()
    msg = str(err.value)
    assert msg.startswith("lab: cannot get Debian's user-mode-linux from lvs-lab-no-such-suite at http")
    assert "AVX-512/AMX" in msg and "mmdebstrap said:" in msg
    assert not (tmp_path / "kernel" / "current").exists()


def test_each_release_has_its_own_image_and_a_new_one_prunes_only_its_own(cache):
    """`lab up/restart --suite trixie` boots trixie's own image (no container images in it: the engines boot
    bookworm's); building one release's image never removes the other's."""
    kern = fake_kernel(cache / "k1")
    assert image.content_hash(kern, "trixie") != image.content_hash(kern, "bookworm")
    assert image.container_suites("trixie") == () and image.container_suites(image.SUITE) == image.CONTAINER_SUITES
    assert "docker.io" in image.node_packages(image.SUITE) and "docker.io" not in image.node_packages("trixie")
    images = config.CACHE / "images"
    old_bookworm, old_trixie, new_trixie = (images / n for n in ("a", "b", "c"))
    for d in (old_bookworm, old_trixie, new_trixie):
        d.mkdir(parents=True)
    (old_trixie / "suite").write_text("trixie\n")
    (new_trixie / "suite").write_text("trixie\n")
    image._prune("trixie", keep={new_trixie})
    assert sorted(p.name for p in images.iterdir()) == ["a", "c"]
    assert image.suite_of(old_bookworm) == "bookworm" and image.suite_of(new_trixie) == "trixie"
