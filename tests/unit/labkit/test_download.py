"""The lab's view of its slow downloads in a director's connection table, read from `ipvsadm -Lnc` recorded on a
lab director during tests/lab/test_bgp_ecmp.py (UML 7.2.7): the downloads' client ports (20000-20999) in their
state, the request loop's and the spread's short connections (other ports) left out."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from labkit import download  # noqa: E402

LNC = (ROOT / "tests" / "unit" / "fixtures" / "ipvsadm_lnc_bgp.txt").read_text()


def test_established_downloads_by_client_port():
    found = download.connections(LNC)
    assert found == {20101: "10.78.0.22", 20102: "10.78.0.21", 20106: "10.78.0.21", 20108: "10.78.0.21",
                     20109: "10.78.0.22", 20111: "10.78.0.21"}


def test_downloads_in_any_state():
    found = download.connections(LNC, state=None)
    assert set(download.connections(LNC)) < set(found)
    assert found[20006] == "10.78.0.22"  # a finished download of the phase before, in FIN_WAIT
    assert all(20000 <= port <= 20999 for port in found)  # 30001-30090: the spread's requests


def test_results():
    assert download.complete("rc 0: 200 1048576 10.76.0.1", 1048576)
    assert not download.complete("rc 28: 200 524288 10.76.0.1", 1048576)  # curl's timeout, half the file
    assert not download.complete("rc 0: 200 10485760 10.76.0.1", 1048576)
