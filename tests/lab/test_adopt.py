"""Clusters built by hand the way the seed documents build them, adopted (lvs.cluster.adopt), then converged by
site.yml from the adopted inventory under a request loop: the IPVS table, the VIP and the VRRP MASTER stay as
they were, no request fails, and a second run changes nothing.

- a keepalived pair (seed 004's keepalived.conf on both directors, the BACKUP's as the seed's comments say) in
  front of real servers set up by seed 003's web.sh;
- ldirectord (seed 000's ldirectord.cf) on one director whose VIP dr.sh set, a real server of the inventory and
  one that is not (a namespace on the lab bridge): keepalived takes ldirectord's services over;
- ipvsadm by hand (seed 003's dr.sh, the table saved as seed 001 does), on a director of its own (fwdirector, in
  the engine lane) in front of two real servers that are not inventory hosts.

The seeds are read from tests/unit/fixtures/seeds with their addresses replaced by the lab's and the page's
non-breaking spaces by spaces (bash would not run them otherwise).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

import pytest
import yaml

from labkit import config, deps, lanhost, requestloop, uml

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "unit" / "fixtures" / "seeds"
PLAYBOOK = str(deps.VENV / "bin" / "ansible-playbook")
# the hand-made keepalived.conf's VRRP password (seed 004 has 1111): longer than the 8 characters keepalived uses
SECRET = "Adopt-9f3kQ"
SECRETS = (SECRET, SECRET[:8])
RS = ("realserver1", "realserver2")


def seed(name: str, replace: dict[str, str]) -> str:
    """A seed file with the lab's addresses, without the comment lines our fixtures add at the top."""
    text = (SEEDS / name).read_text().replace("\xa0", " ")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("# seed ")) + "\n"
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def write(lab, node: str, path: str, text: str) -> None:
    assert "LVSEOF" not in text
    lab.sh(node, f"mkdir -p {os.path.dirname(path)} && cat > {path} <<'LVSEOF'\n{text}LVSEOF\n")


def table(lab, node: str) -> list[str]:
    return sorted(line for line in lab.sh(node, "ipvsadm -Sn").splitlines() if line.strip())


def connection() -> dict:
    """How Ansible reaches the lab's nodes (the lab inventory's all.vars)."""
    lab_dr = yaml.safe_load((ROOT / "labkit" / "inventories" / "lab-dr" / "hosts.yml").read_text())
    return lab_dr["all"]["vars"]


class Adoption:
    """A minimal inventory of the hand-made cluster (hosts and groups only), the adopted one, and the runs."""

    def __init__(self, lab, tmp_path: Path, directors: list[str], realservers: list[str], name: str) -> None:
        self.lab, self.name, self.tmp = lab, name, tmp_path
        self.dest = tmp_path / "adopted"
        self.password = tmp_path / "vault-password"
        self.password.write_text("lab-vault-password\n")
        self.conn = tmp_path / "connection.yml"
        self.conn.write_text(yaml.safe_dump({"all": {"vars": connection()}}))

        def group(hosts):
            return {"hosts": {h: {"ansible_host": config.node(h).addr("private")} for h in hosts}}
        self.hand = tmp_path / "hand.yml"
        self.hand.write_text(yaml.safe_dump({"all": {"children": {"directors": group(directors),
                                                                  "realservers": group(realservers)}}}))

    def adopt(self) -> str:
        return self.lab.run_logged(
            [PLAYBOOK, "-i", str(self.conn), "-i", str(self.hand), str(ROOT / "playbooks" / "adopt.yml"),
             "-e", f"lvs_adopt_dir={self.dest}", "-e", f"lvs_adopt_vault_password_file={self.password}"],
            f"adopt-{self.name}", deps.venv_env(), forbid=SECRETS)

    def site(self, *args: str) -> str:
        self.lab.dirty = True
        return self.lab.run_logged(
            [PLAYBOOK, "-i", str(self.conn), "-i", str(self.dest), str(ROOT / "playbooks" / "site.yml"),
             "--vault-password-file", str(self.password), *args],
            f"adopted-site-{self.name}", deps.venv_env(), forbid=SECRETS)

    def group_vars(self) -> dict:
        return yaml.safe_load((self.dest / "group_vars" / "all" / "main.yml").read_text())

    def report(self) -> str:
        return (self.dest / "ADOPT-REPORT.md").read_text()

    def check_files(self, secret: str | None) -> None:
        """The secret is in the vault file only, encrypted; nothing else has it."""
        vault = self.dest / "group_vars" / "all" / "vault.yml"
        for path in self.dest.rglob("*"):
            if path.is_file() and secret:
                assert secret[:8] not in path.read_text(), path
        if secret:
            assert vault.read_text().startswith("$ANSIBLE_VAULT;"), vault.read_text()[:40]
            assert vault.stat().st_mode & 0o077 == 0
        else:
            assert not vault.exists()

    def converge_under_load(self, url: str, record_property, check) -> requestloop.Takeover:
        """site.yml --check --diff (nothing changes: CHECK() before and after), then site.yml under a request loop
        to URL, then once more (no change); returns the loop's requests."""
        before = check()
        self.site("--check", "--diff")
        assert check() == before
        loop = requestloop.NetnsLoop(config.CLIENT_NETNS, url, interval=0.2, count=1000, seconds=280, timeout=3)
        started = time.monotonic()
        try:
            time.sleep(1)
            loop.mark("failed")
            self.site()
            loop.mark("taken")
            time.sleep(2)
        finally:
            seen = loop.stop()
        record_property(f"{self.name}_converge_s", round(time.monotonic() - started, 1))
        record_property(f"{self.name}_requests", seen.summary())
        # requests flowed all along, none failed (the loop's state files are its own: when the engine lane's loop
        # shared them, its marks cut this loop to 1-5 requests through the converge)
        assert len(seen.during) >= 3 and failed_requests(seen) == 0, seen.summary()
        assert check() == before
        assert self.lab.changed(self.site()) == 0
        return seen


def failed_requests(seen: requestloop.Takeover) -> int:
    """The loop's failed requests, before, during and after the run."""
    return sum(seen.failed(p) for p in (seen.before, seen.during, seen.after))


# --------------------------------------------------------------------------- a keepalived pair (seeds 004, 003)

@pytest.mark.lane("hosts")
def test_adopt_a_keepalived_pair_built_by_hand(lab, tmp_path, record_property):
    lab.reset()
    vip, (rs1, rs2) = lab.vip, (config.node(r).addr("public") for r in RS)
    conf = seed("004-keepalived.conf", {"192.168.140.140": vip, "192.168.140.137": rs1,
                                        "192.168.140.139": rs2, "auth_pass 1111": f"auth_pass {SECRET}"})
    # the BACKUP's file, as the seed's comments tell (state BACKUP, a lower priority, router_id LVS_BACKUP)
    backup = conf.replace("state MASTER", "state BACKUP").replace("priority 101", "priority 100").replace(
        "router_id LVS_MASTER", "router_id LVS_BACKUP")
    web = seed("003-web.sh.txt", {"192.168.0.14": vip})
    for rs in RS:
        lab.start_http(rs)
        lab.sh(rs, web)
    for d, text in (("director1", conf), ("director2", backup)):
        write(lab, d, "/etc/keepalived/keepalived.conf", text)
        lab.sh(d, "systemctl enable --now keepalived")
    lab.client("ip", "neigh", "flush", "to", vip)
    assert lab.wait_for(lambda: lab.has_vip("director1") and not lab.has_vip("director2"), 20, step=0.5)
    assert lab.wait_for(lambda: len(table(lab, "director1")) == 3, 30, step=0.5), table(lab, "director1")
    assert lab.get(f"http://{vip}/") in RS

    adoption = Adoption(lab, tmp_path, ["director1", "director2"], list(RS), "keepalived")
    adoption.adopt()
    adoption.check_files(SECRET)
    c = adoption.group_vars()
    assert (c["lvs_vip"], c["lvs_ipvs_owner"], c["lvs_keepalived"], c["lvs_forwarding"]) == (
        vip, "keepalived", True, "dr")
    assert c["lvs_vrrp_instances"] == [{"name": "VI_1", "vips": [vip], "router_id": 51, "master": "director1"}]
    assert c["lvs_vrrp_auth_pass"] == "{{ vault_lvs_vrrp_auth_pass }}"
    (svc,) = c["lvs_services"]
    assert (svc["port"], svc["scheduler"], svc["persistence"], svc["health_check"]["type"]) == (80, "wrr", 50, "tcp")
    assert "## Errors of the cluster model\n\nnone" in adoption.report()

    def state():
        return (table(lab, "director1"), lab.has_vip("director1"), lab.has_vip("director2"))
    since = lab.sh("director1", "date +%s").strip()
    adoption.converge_under_load(f"http://{vip}/", record_property, state)
    # no VRRP transition on either director while the roles took the pair over (keepalived reloaded in place)
    for d in ("director1", "director2"):
        log = lab.sh(d, f"journalctl -u keepalived --no-pager -o cat --since @{since}")
        assert not re.search(r"Entering (MASTER|BACKUP|FAULT) STATE", log), f"{d}:\n{log[-3000:]}"
    assert lab.sh("director1", "head -1 /etc/keepalived/keepalived.conf").startswith("# Ansible managed")


# --------------------------------------------------------------------------- ldirectord (seeds 000, 003)

APPLIANCE = ("lvslab-adopt-ap", "lvslab-adap", "10.78.0.31", "02:00:0a:4e:00:1f")


@pytest.mark.lane("hosts")
def test_adopt_ldirectord_with_a_real_server_outside_the_inventory(lab, tmp_path, record_property):
    lab.reset()
    vip, rs1 = lab.vip, config.node("realserver1").addr("public")
    ns, veth, appliance, mac = APPLIANCE
    cf = seed("000-ldirectord.cf", {"192.168.34.41:443": f"{vip}:80", "192.168.34.26:443": f"{rs1}:80",
                                    "192.168.34.27:443": f"{appliance}:80", "127.0.0.1:443": "127.0.0.1:80"})
    # ldirectord refuses the page's comments after a value (fallback=... #...: "forward method must be gate, masq
    # or ipip"): the file the seed's cluster runs has none
    cf = re.sub(r"[ \t]+#.*", "", cf)
    dr = seed("003-dr.sh.txt", {"192.168.0.14": vip})
    dr = dr.split("ipvsadm -C")[0]  # the VIP; ldirectord makes the table
    with lanhost.lan_host(ns, veth, appliance, mac, [vip], "appliance"):
        try:
            lab.start_http("realserver1")
            lab.sh("realserver1", seed("003-web.sh.txt", {"192.168.0.14": vip}))
            lab.sh("director1", dr)
            write(lab, "director1", "/etc/ha.d/ldirectord.cf", cf)
            lab.sh("director1", "systemctl enable --now ldirectord")
            lab.client("ip", "neigh", "flush", "to", vip)
            assert lab.wait_for(lambda: len(table(lab, "director1")) == 3, 30, step=0.5), table(lab, "director1")
            # the cluster built by hand answers (one request got no answer within lab.get's 5 s while three lanes
            # loaded both cores in a CI run)
            assert lab.wait_for(lambda: lab.get(f"http://{vip}/"), 30, step=1) in ("realserver1", "appliance")

            adoption = Adoption(lab, tmp_path, ["director1"], ["realserver1"], "ldirectord")
            adoption.adopt()
            adoption.check_files(None)
            c = adoption.group_vars()
            assert (c["lvs_ipvs_owner"], c["lvs_keepalived"], c["director_replace_ldirectord"]) == (
                "keepalived", True, True)
            (svc,) = c["lvs_services"]
            assert svc["servers"] == [{"address": appliance, "weight": 1}] and svc["persistence"] == 600
            assert f"{appliance} (in " in adoption.report()

            def state():
                return (table(lab, "director1"), lab.has_vip("director1"))
            adoption.converge_under_load(f"http://{vip}/", record_property, state)
            assert lab.sh("director1", "systemctl is-active ldirectord; systemctl is-enabled ldirectord; "
                                       "systemctl is-active keepalived", check=False).split() == [
                "inactive", "disabled", "active"]
            assert "cleanstop=no" in lab.sh("director1", "cat /etc/ha.d/ldirectord.cf")
        finally:
            lab.sh("director1", "systemctl disable --now ldirectord; rm -f /etc/ha.d/ldirectord.cf; "
                                f"ip addr del {vip}/32 dev eth0; true", check=False)


# --------------------------------------------------------------------------- ipvsadm by hand (seeds 003, 001)

FW = "fwdirector"
VIP3 = "10.78.0.211"  # no other test uses it: the hosts lane runs at the same time on the same bridge
FW_RS = {"fwrs1": ("10.78.0.43", "02:00:0a:4e:00:2b"), "fwrs2": ("10.78.0.44", "02:00:0a:4e:00:2c")}


@pytest.mark.lane("engine")
def test_adopt_ipvsadm_rules_made_by_hand(lab, tmp_path, record_property):
    (a1, _), (a2, _) = FW_RS.values()
    dr = seed("003-dr.sh.txt", {"192.168.0.14": VIP3, "192.168.0.12": a1, "192.168.0.13": a2})
    with contextlib.ExitStack() as stack:
        for name, (addr, mac) in FW_RS.items():
            stack.enter_context(lanhost.lan_host(f"lvslab-{name}", f"lvslab-{name}", addr, mac, [VIP3], name))
        try:
            lab.lab("restart", FW, timeout=600)  # on the lab kernel, a fresh disk
            # the rules saved as seed 003 keeps them; the image's ldirectord.cf is Debian's dummy one
            lab.sh(FW, dr + "mkdir -p /etc/sysconfig\nipvsadm-save -n > /etc/sysconfig/ipvsadm\n")
            lab.client("ip", "neigh", "flush", "to", VIP3)
            assert lab.get(f"http://{VIP3}/") in FW_RS

            adoption = Adoption(lab, tmp_path, [FW], [], "ipvsadm")
            adoption.adopt()
            adoption.check_files(None)
            c = adoption.group_vars()
            assert (c["lvs_vip"], c["lvs_ipvs_owner"], c["lvs_keepalived"], c["lvs_forwarding"]) == (
                VIP3, "ansible", False, "dr")
            (svc,) = c["lvs_services"]
            assert svc["scheduler"] == "rr" and svc["servers"] == [{"address": a, "weight": 1} for a in (a1, a2)]

            def state():
                return (table(lab, FW), f"inet {VIP3}/32" in lab.sh(FW, "ip -4 -o addr show dev eth0"))
            seen = adoption.converge_under_load(f"http://{VIP3}/", record_property, state)
            assert {r.who for r in seen.during} == set(FW_RS)  # rr: both answered all along
        finally:
            uml.stop(FW)
