"""No input crashes the cluster model: mutated valid inventories (tests/unit/fuzz.py) end as a model or as errors
that each name a field, never as an exception. Seeded and bounded (count and time) in the unit tier; a crash
prints the seed's case number and the input to reproduce it."""

import copy
import json
import os
import sys
from pathlib import Path

import pytest
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_model, host_view, role_options
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors
from ansible_collections.lvs.cluster.tests.unit.plugins.plugin_utils import cluster_cases as C

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'roles'))
from test_keepalived_conf import CASES

GROUPS = {'directors': ['director1', 'director2'], 'realservers': ['rs1', 'rs2']}
# the catalogue's valid inventories and the keepalived rendering cases (every option, active/active, IPv6, NAT)
# a longer run: LVS_FUZZ_COUNT=50000 LVS_FUZZ_SECONDS=300 LVS_FUZZ_SEED=7 pytest tests/unit/plugins/plugin_utils/...
COUNT = int(os.environ.get('LVS_FUZZ_COUNT', '2500'))
SECONDS = float(os.environ.get('LVS_FUZZ_SECONDS', '8'))
SEED_OFFSET = int(os.environ.get('LVS_FUZZ_SEED', '0'))
SEEDS = [C.DR, C.NAT, C.FWMARK, C.DUAL, C.NAT6, C.SEED_004] + [
    {'cluster': cluster, 'groups': GROUPS, 'hostvars': hostvars} for cluster, hostvars, _role in CASES.values()]
FACTS = json.loads((Path(__file__).resolve().parents[2] / 'fixtures/facts/director1-dualstack.json').read_text())


def check_one(case):
    inv = cluster_model.Inventory(**copy.deepcopy(case))
    model, errors, warnings = cluster_model.build(inv)
    assert isinstance(errors, list) and isinstance(warnings, list)
    for e in errors:
        assert isinstance(e, str) and ': ' in e, e
    if not errors:
        json.dumps(model)  # what the roles get must be plain data
        host_view.interfaces(model, model['directors'][0], FACTS, Errors())


@pytest.mark.parametrize('seed', [1, 2, 3])
def test_model_never_raises(seed):
    ran = 0
    for n, case in fuzz.cases(SEEDS, seed + SEED_OFFSET, count=COUNT, seconds=SECONDS):
        try:
            check_one(case)
        except Exception as exc:
            pytest.fail('seed %d case %d: %s: %s\ninput: %r' % (seed, n, type(exc).__name__, exc, fuzz_repr(case)))
        ran += 1
    assert ran >= 200  # the bound is time as well: the fuzzer must still have done real work


def fuzz_repr(case):
    return fuzz.short_repr(case)


@pytest.mark.parametrize('seed', [1, 2])
def test_role_options_never_raise(seed):
    base = {'d1': {'keepalived_advert_int': 1, 'director_sync_threshold': '1 50', 'realserver_arp_ignore': 1,
                   'keepalived_router_id': 'lb1', 'director_ipvs_timeouts': {'tcp': 900}},
            'd2': {'keepalived_global_defs_extra': ['vrrp_strict'], 'director_packages': ['ipvsadm']}}
    for n, case in fuzz.cases([base], seed, count=2000, seconds=4, where=lambda p: len(p) >= 2):
        if not isinstance(case, dict) or not all(isinstance(v, dict) for v in case.values()):
            continue
        try:
            errors = role_options.check(case, role_hosts={'director': list(case), 'keepalived': list(case)})
        except Exception as exc:
            pytest.fail('seed %d case %d: %s: %s\ninput: %r' % (seed, n, type(exc).__name__, exc, fuzz_repr(case)))
        assert all(isinstance(e, str) for e in errors)
