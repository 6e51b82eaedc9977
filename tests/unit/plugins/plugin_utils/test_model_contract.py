"""The model the roles render from is what model_contract.py declares: the model has exactly those keys and types
(for every catalogue inventory), and the roles, playbooks and filters use no other key."""

import copy
import json
import re
from pathlib import Path

import pytest
from ansible_collections.lvs.cluster.plugins.action.cluster_model import ActionModule
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_model, host_view, model_contract, operations
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors
from ansible_collections.lvs.cluster.tests.unit.plugins.plugin_utils import cluster_cases as C

ROOT = Path(__file__).resolve().parents[4]
FACTS = json.loads((ROOT / 'tests/unit/fixtures/facts/director1-dualstack.json').read_text())
TYPES = {'str': str, 'int': int, 'bool': bool, 'list': list, 'dict': dict}


def complete(case, peers=False):
    """The model as the validate role's build leaves it: built, drained applied, operations, every host's view."""
    model, errors, warnings = cluster_model.build(cluster_model.Inventory(**copy.deepcopy(case)))
    assert errors == []
    errors = Errors()
    ops = operations.check_values({}, errors)
    ActionModule._drained(model, ops, {}, errors, warnings)
    model['operations'] = ops
    model['sync_daemons'], sync_errors = cluster_model.sync_daemons(bool(model['keepalived']), {
        d: {} for d in model['directors']})
    assert sync_errors == []
    model['hosts'] = host_view.views(model, dict.fromkeys(model['directors'], FACTS), set(), peers, errors)
    return model, errors


@pytest.mark.parametrize('name', ['DR', 'NAT', 'DUAL', 'FWMARK', 'SEED_004', 'BGP'])
def test_model_has_the_declared_keys_and_types(name):
    case = copy.deepcopy(getattr(C, name))
    # the recorded facts are of the lab (10.78.0.0/24, 10.79.0.0/24): the catalogue's addresses would be on no
    # network of them; the views' keys are what is checked here
    model, _errors = complete(case, peers=True)
    assert list(model) == list(model_contract.MODEL) or set(model) == set(model_contract.MODEL), set(model) ^ set(
        model_contract.MODEL)
    for key, (kind, _meaning) in model_contract.MODEL.items():
        assert isinstance(model[key], TYPES[kind]), (key, model[key])
    for host, view in model['hosts'].items():
        want = set(model_contract.HOST) - (set() if view['director'] else set(model_contract.DIRECTOR_ONLY))
        assert set(view) == want, (host, set(view) ^ want)
        for key, value in view.items():
            kind = model_contract.HOST[key][0]
            assert (value is None and key == 'priority') or isinstance(value, TYPES[kind]), (host, key, value)


def referenced():
    """(file, 'lvs_model' or 'lvs_host', key) of every key the roles, playbooks and filters read."""
    out = []
    for path in [*ROOT.glob('roles/**/*'), *ROOT.glob('playbooks/**/*.yml'), *ROOT.glob('plugins/filter/*')]:
        if path.is_file() and path.suffix in ('.yml', '.j2', '.py'):
            for var, key in re.findall(r'\b(lvs_model|lvs_host)\.([a-z_]+)', path.read_text()):
                out.append((str(path.relative_to(ROOT)), var, key))
    return out


def test_references_are_found():
    assert len(referenced()) > 50


def test_roles_read_only_declared_keys():
    bad = [(f, v, k) for f, v, k in referenced()
           if k not in (model_contract.MODEL if v == 'lvs_model' else model_contract.HOST)]
    assert not bad, bad
