"""The day-2 playbooks on the lab hosts (DR, keepalived owning the table, the connection sync daemon on):
drain and restore, rolling maintenance, handover and back, status, and the lock that serializes runs. Every
request loop is bounded (labkit/requestloop.py) and its failed requests are counted."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from labkit import config, download, requestloop

pytestmark = pytest.mark.lane("hosts")

DIRECTORS = ("director1", "director2")
RS_ADDR = {rs: config.node(rs).addr("public") for rs in ("realserver1", "realserver2")}
FACT = "/etc/ansible/facts.d/lvs_cluster.fact"
SYNC = {"state": "both", "interface": ""}  # keepalived_sync_daemon: true (the director role's record)
BIG_BYTES = 3 * 1024 * 1024  # 60 KB/s: 52 s, longer than two handovers


def weights(lab, director: str) -> dict:
    """The live weight of each real server address on DIRECTOR (ipvsadm -Ln)."""
    out = lab.sh(director, "ipvsadm -Ln")
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"->\s+([\d.]+):\d+\s+\w+\s+(\d+)", out)}


def holder(lab) -> list:
    return [d for d in DIRECTORS if lab.has_vip(d)]


def loop(lab, seconds: float = 100, interval: float = 0.1):
    """A bounded request loop to the VIP. A request fails on an error (reset, refused) or after 5 s: the lanes
    share two cores, and a 1 s bound counted a starved-but-answered request as failed."""
    return requestloop.NetnsLoop(config.CLIENT_NETNS, f"http://{lab.vip}/", interval=interval, count=1000,
                                 seconds=seconds, timeout=5)


def downloading(lab, director: str, rs: str) -> int:
    """ESTABLISHED connections of the downloads (by their client ports) to RS on DIRECTOR: the request loop's
    short requests are active too for a moment, and counting them let the drain test start without a download."""
    return sum(1 for addr in download.connections(lab.sh(director, "ipvsadm -Lnc")).values() if addr == RS_ADDR[rs])


def big_download(lab, **kw) -> download.Download:
    """A slow download of the big file through the lab's VIP from the lab client."""
    return download.Download(config.CLIENT_NETNS, f"http://{lab.vip}/big", **kw)


@pytest.fixture(scope="module")
def day2(lab):
    rmem = lab.client("sysctl", "-n", "net.ipv4.tcp_rmem").stdout.split()
    assert len(rmem) == 3, rmem
    lab.client("sysctl", "-qw", "net.ipv4.tcp_rmem=" + download.SMALL_RMEM)
    lab.reset()
    lab.playbook("labkit/playbooks/web.yml", "playbooks/site.yml")
    for rs in RS_ADDR:
        lab.sh(rs, download.make_big(BIG_BYTES))
    assert lab.wait_for(lambda: holder(lab) == ["director1"], 20, step=0.5), holder(lab)
    yield
    for d in DIRECTORS:
        lab.sh(d, f"rm -f {FACT} /run/lvs-cluster/lock.json; echo 0 > /etc/keepalived/lvs-handover; true")
    lab.client("sysctl", "-qw", "net.ipv4.tcp_rmem=" + " ".join(rmem))


@pytest.fixture(autouse=True)
def clean_state(lab, day2):
    """Each test starts as the cluster was built: nothing drained, director1 MASTER, no lock left."""
    yield
    for d in DIRECTORS:
        lab.sh(d, "rm -f /run/lvs-cluster/lock.json")
    if any(json.loads(lab.sh(d, f"cat {FACT} 2>/dev/null || echo '{{}}'")).get("drained") for d in DIRECTORS):
        lab.playbook("playbooks/restore.yml", extra={"lvs_restore": ["all"]})
    if holder(lab) != ["director1"]:
        lab.playbook("playbooks/handover.yml", extra={"lvs_handover_to": "director1"})


def test_sync_daemons_run_by_the_director_role_and_keepalived_logs_no_error(lab, day2, record_property):
    """keepalived_sync_daemon: true: the director role runs the master and the backup sync daemon on both directors
    and keepalived.conf names none (keepalived's lvs_sync_daemon restarted the daemon at every reload and logged
    `IP_VS_SO_SET_STARTDAEMON ... Daemon has already run`, keepalived 2.2.7 here on Debian 12 as 2.3.3 on Debian
    13); after the converge and a reload of keepalived on both, its journal since it started holds no error line."""
    for d in DIRECTORS:
        daemons = lab.sh(d, "ipvsadm -L --daemon")
        assert "master sync daemon" in daemons and "backup sync daemon" in daemons, (d, daemons)
        assert "lvs_sync_daemon" not in lab.sh(d, "cat /etc/keepalived/keepalived.conf"), d
        lab.sh(d, "systemctl reload keepalived")
    time.sleep(3)  # the reloaded configuration applied (VRRP and checkers re-read it)
    found = {}
    for d in DIRECTORS:
        since = lab.sh(d, "systemctl show -P ActiveEnterTimestamp keepalived").strip()
        journal = lab.sh(d, f"journalctl -u keepalived --since '{since}' --no-pager -o cat").splitlines()
        errors = [line for line in journal if re.search(r"\berror\b", line, re.I)]
        found[d] = errors
        record_property(f"keepalived_log_{d}", f"{len(journal)} lines since {since}, {len(errors)} with an error")
        daemons = lab.sh(d, "ipvsadm -L --daemon")  # the reload leaves the director role's daemons alone
        assert "master sync daemon" in daemons and "backup sync daemon" in daemons, (d, daemons)
    assert found == {d: [] for d in DIRECTORS}, found
    # at boot Debian's ipvsadm service starts them (/etc/default/ipvsadm) and, keepalived owning the table,
    # restores no rules: its restart (stop + start, what a reboot runs) leaves keepalived's table as it was
    d = DIRECTORS[1]
    table = lab.sh(d, "ipvsadm -Sn")
    assert lab.sh(d, "systemctl is-enabled ipvsadm").strip() == "enabled"
    lab.sh(d, "ipvsadm --stop-daemon master; ipvsadm --stop-daemon backup; systemctl restart ipvsadm")
    daemons = lab.sh(d, "ipvsadm -L --daemon")
    assert "master sync daemon (mcast=eth0, syncid=0" in daemons and "backup sync daemon (mcast=eth0, syncid=0" \
        in daemons, daemons
    assert lab.sh(d, "ipvsadm -Sn") == table


def test_drain_and_restore_under_load(lab, day2, record_property):
    """Downloads run, one at least from realserver1, paused by the test: the drain takes realserver1 out at once
    (new requests go to realserver2) and waits while their connections stay open; resumed, they complete, and
    the drain's wait ends. Restore puts the weight back. Not one request of the loops (during the drain, during
    the restore) fails."""
    reqs = loop(lab, seconds=240, interval=0.2)  # bounded; stopped as soon as the drain has ended
    time.sleep(2)
    downloads = []
    # wrr 2:1: two of three new connections go to realserver1; on a loaded machine a download takes seconds
    # to be established, so each gets a bounded wait before the next
    while len(downloads) < 6 and not downloading(lab, "director1", "realserver1"):
        downloads.append(big_download(lab, max_time=300))
        lab.wait_for(lambda: downloading(lab, "director1", "realserver1"), 8, step=0.5)
    # paused: idle but open; resumed, curl's rate limit (an average since the start) lets them finish at once
    for d in downloads:
        d.pause()
    if not downloading(lab, "director1", "realserver1"):
        table = lab.sh("director1", "ipvsadm -Lnc")
        for d in downloads:
            d.resume()
            d.proc.terminate()
        pytest.fail(f"no download from realserver1 is active: {[d.result() for d in downloads]}\n{table}")
    drained = {RS_ADDR["realserver1"]: 0, RS_ADDR["realserver2"]: 1}
    outs = []
    t0 = time.monotonic()
    drain = threading.Thread(target=lambda: outs.append(lab.playbook("playbooks/drain.yml",
                                                                     extra={"lvs_drain": ["realserver1"]})))
    drain.start()
    try:
        # drained on both directors, and the playbook still waits for the paused downloads
        assert lab.wait_for(lambda: all(weights(lab, d) == drained for d in DIRECTORS), 240, step=1), \
            [weights(lab, d) for d in DIRECTORS]
        # a request sent just before the weights changed may still be answered by realserver1: the loop's
        # timeout (5 s) later, every request in flight was sent to a drained table
        time.sleep(5)
        reqs.mark("failed")  # from here on: drained
        time.sleep(3)
        assert drain.is_alive(), outs
    finally:
        for d in downloads:
            d.resume()
    drain.join(300)
    took = time.monotonic() - t0
    assert not drain.is_alive() and outs, "drain.yml did not end within 300 s of the downloads' resumption"
    out = outs[0]
    for d in DIRECTORS:
        assert weights(lab, d) == drained, d
        assert json.loads(lab.sh(d, f"cat {FACT}")) == {"drained": [RS_ADDR["realserver1"]], "owner": "keepalived",
                                                         "sync": SYNC}
    waited = [float(w) for w in re.findall(r"connections left after ([\d.]+) s", out)]
    assert waited and max(waited) > 5, out[-2000:]  # it waited for the downloads from realserver1
    assert re.search(r'10\.78\.0\.21\\": \{\\"active\\": 0,', out), out[-2000:]
    time.sleep(2)
    drain_seen = reqs.stop()
    record_property("day2", f"drain {took:.1f} s under load (waited {max(waited):.1f} s for {len(downloads)} "
                            f"paused downloads); {drain_seen.summary()}")
    assert drain_seen.failed(drain_seen.before + drain_seen.during + drain_seen.after) == 0, drain_seen.summary()
    assert drain_seen.during and {r.who for r in drain_seen.during} == {"realserver2"}, drain_seen.summary()
    results = [d.result() for d in downloads]
    assert all(download.complete(r, BIG_BYTES) for r in results), results

    reqs = loop(lab, seconds=60)
    time.sleep(2)
    reqs.mark("failed")
    t0 = time.monotonic()
    lab.playbook("playbooks/restore.yml", extra={"lvs_restore": ["realserver1"]})
    took = time.monotonic() - t0
    reqs.mark("taken")
    for d in DIRECTORS:
        assert weights(lab, d) == {RS_ADDR["realserver1"]: 2, RS_ADDR["realserver2"]: 1}, d
        assert json.loads(lab.sh(d, f"cat {FACT}")) == {"drained": [], "owner": "keepalived", "sync": SYNC}
    time.sleep(3)
    seen = reqs.stop()
    record_property("day2", f"restore {took:.1f} s under load; {seen.summary()}")
    assert seen.failed(seen.before + seen.during + seen.after) == 0, seen.summary()
    assert {r.who for r in seen.before} == {"realserver2"}, seen.summary()
    assert "realserver1" in {r.who for r in seen.after}, seen.summary()


def test_rolling_under_load(lab, day2, record_property):
    """Rolling maintenance over both real servers (each drained, its web server restarted, checked, restored)
    under a request loop: 0 failed. Then a failing maintenance stops at the first server and leaves it drained."""
    for rs in RS_ADDR:
        lab.sh(rs, "rm -f /run/lvs-rolling.log")
    reqs = loop(lab)
    time.sleep(2)
    t0 = time.monotonic()
    out = lab.playbook("playbooks/rolling.yml", extra={"lvs_rolling_tasks": "tests/lab/files/rolling_tasks.yml"})
    took = time.monotonic() - t0
    time.sleep(2)
    seen = reqs.stop()
    record_property("day2", f"rolling over 2 real servers {took:.1f} s; {seen.summary()}")
    assert seen.before and seen.failed(seen.before) == 0, seen.summary()
    assert {r.who for r in seen.before} == {"realserver1", "realserver2"}
    for rs in RS_ADDR:
        assert lab.sh(rs, "cat /run/lvs-rolling.log").split("\n")[0] == f"{rs} maintained"
    # each batch was drained on both directors (the run's model was built before the batches), and restored
    for rs in RS_ADDR:
        assert out.count(f'"msg": "drained: {RS_ADDR[rs]}') == 2, out[-3000:]
    for d in DIRECTORS:
        assert weights(lab, d) == {RS_ADDR["realserver1"]: 2, RS_ADDR["realserver2"]: 1}, d
        assert json.loads(lab.sh(d, f"cat {FACT}"))["drained"] == [], d

    out = lab.playbook("playbooks/rolling.yml", extra={"lvs_rolling_tasks": "tests/lab/files/rolling_fail.yml"},
                       ok=False)
    assert "rolling stopped at realserver1" in out and "it stays drained" in out, out[-3000:]
    for d in DIRECTORS:
        assert weights(lab, d) == {RS_ADDR["realserver1"]: 0, RS_ADDR["realserver2"]: 1}, d
    assert "realserver1 attempted" in lab.sh("realserver1", "cat /run/lvs-rolling.log")
    assert "attempted" not in lab.sh("realserver2", "cat /run/lvs-rolling.log")  # never reached
    for d in DIRECTORS:
        assert json.loads(lab.sh(d, f"cat {FACT}"))["drained"] == [RS_ADDR["realserver1"]], d
    lab.playbook("playbooks/restore.yml", extra={"lvs_restore": ["all"]})
    assert weights(lab, "director1") == {RS_ADDR["realserver1"]: 2, RS_ADDR["realserver2"]: 1}


def test_handover_and_back(lab, day2, record_property):
    """Handover to director2 and back to director1 under a request loop, while slow downloads started before
    run through both moves: at most 1 failed request (see below) and every download completes (the sync daemon
    carries the connections to the new MASTER)."""
    for d in DIRECTORS:
        assert "sync" in lab.sh(d, "ipvsadm -L --daemon"), d
    reqs = loop(lab)
    time.sleep(2)
    downloads = [big_download(lab) for _ in range(2)]
    time.sleep(2)
    t0 = time.monotonic()
    lab.playbook("playbooks/handover.yml")
    there = time.monotonic() - t0
    assert holder(lab) == ["director2"]
    reqs.mark("failed")
    t0 = time.monotonic()
    lab.playbook("playbooks/handover.yml", extra={"lvs_handover_to": "director1"})
    back = time.monotonic() - t0
    assert holder(lab) == ["director1"]
    reqs.mark("taken")
    results = [d.result() for d in downloads]
    time.sleep(2)
    seen = reqs.stop()
    record_property("failover", f"planned handover (lvs.cluster.handover) there {there:.1f} s, back {back:.1f} s "
                                f"(playbook runs); {seen.summary()}; downloads {results}")
    assert all(download.complete(r, BIG_BYTES) for r in results), results
    # at most one request of the ~300 may fail: a connection opened on the old MASTER in the moment before the
    # move, whose entry the sync daemon has not sent yet (the kernel sends a sync buffer when it is full, about an
    # MTU of entries, or after 2 s), is unknown to the new MASTER, whose own stack resets it. Measured: 0 alone,
    # 1 of 605 in a full run (three lanes).
    assert seen.failed(seen.before + seen.during + seen.after) <= 1, seen.summary()
    assert len(seen.during) > 10 and len(seen.after) > 5, seen.summary()


def test_status_and_concurrent_site_runs_keep_the_drain(lab, day2, tmp_path):
    """realserver2 drained: status matches the kernel's table on both directors; then two site.yml at once both
    succeed (the second waits for the first's lock and finds everything converged) and keep the drain."""
    lab.playbook("playbooks/drain.yml", extra={"lvs_drain": ["realserver2"], "lvs_drain_timeout": 0})
    out = lab.playbook("playbooks/status.yml", extra={"lvs_status_file": str(tmp_path / "status.json")})
    reports = {r["director"]: r for r in json.loads((tmp_path / "status.json").read_text())}
    assert set(reports) == set(DIRECTORS)
    for d in DIRECTORS:
        r = reports[d]
        (svc,) = r["services"]
        assert svc["service"] == f"tcp {lab.vip}:80" and svc["scheduler"] == "wrr" and svc["quorum_up"]
        live = weights(lab, d)
        assert {x["address"]: x["weight"] for x in svc["destinations"]} == live, (r, live)
        assert {x["host"]: x["drained"] for x in svc["destinations"]} == {"realserver1": False, "realserver2": True}
        assert all(x["keepalived"]["alive"] for x in svc["destinations"]), r
        state = "MASTER" if lab.has_vip(d) else "BACKUP"
        assert [(v["instance"], v["state"]) for v in r["vrrp"]] == [("VI_PUBLIC", state)], r
        assert re.search(rf"{d}: VI_PUBLIC {state} \(priority \d+/\d+\)", out), out[-3000:]
    assert re.search(r"10\.78\.0\.22:80 +realserver2 +dr +0 .*alive w0  drained", out), out[-3000:]

    outs, errors = {}, []

    def run(name):
        try:
            outs[name] = lab.playbook("playbooks/site.yml")
        except AssertionError as exc:
            errors.append(f"{name}: {exc}")

    threads = [threading.Thread(target=run, args=(n,)) for n in ("first", "second")]
    for t in threads:
        t.start()
        time.sleep(2)
    for t in threads:
        t.join(600)
    assert not errors, errors
    assert min(lab.changed(o) for o in outs.values()) == 0, [lab.changed(o) for o in outs.values()]
    for d in DIRECTORS:  # a colleague's site.yml keeps the drain
        assert weights(lab, d) == {RS_ADDR["realserver1"]: 2, RS_ADDR["realserver2"]: 0}, d


def test_a_host_locked_elsewhere(lab, day2):
    """A host locked by a run elsewhere makes a run wait, bounded, then fail naming the holder; nothing changed."""
    foreign = {"run": "elsewhere:4242:1", "controller": "elsewhere", "pid": 4242, "user": "alice",
               "purpose": "drain realserver9", "since": "2026-12-02T05:00:00Z", "expires": "2099-01-01T00:00:00Z",
               "expires_at": 4070908800}
    lab.sh("director2", f"mkdir -p /run/lvs-cluster && echo '{json.dumps(foreign)}' > /run/lvs-cluster/lock.json")
    try:
        out = lab.playbook("playbooks/drain.yml", extra={"lvs_drain": ["realserver1"], "lvs_lock_wait": 4},
                           ok=False)
        assert ("director2 is locked by another run of lvs.cluster: drain realserver9 by alice@elsewhere "
                "(ansible-playbook pid 4242) since 2026-12-02T05:00:00Z") in out, out[-3000:]
        assert "waited 4 s" in out or "waited 5 s" in out, out[-3000:]
        assert weights(lab, "director1")[RS_ADDR["realserver1"]] == 2  # nothing was drained
    finally:
        lab.sh("director2", "rm -f /run/lvs-cluster/lock.json")
