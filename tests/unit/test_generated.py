"""The files generated from the schema (labkit/generate.py: the roles' argument specs, defaults and option tables)
are what the schema says: an option is declared once, in plugins/plugin_utils/cluster_schema.py or role_schema.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from labkit import generate  # noqa: E402

OUTPUTS = generate.outputs()


@pytest.mark.parametrize('path', sorted(OUTPUTS), ids=lambda p: str(p.relative_to(ROOT)))
def test_file_is_generated_from_the_schema(path):
    assert path.read_text() == OUTPUTS[path], f'{path.relative_to(ROOT)} differs from the schema: run ./lab generate'


def test_every_role_option_is_in_its_role_argument_specs_and_defaults():
    for role, options in generate.role_options().items():
        spec = yaml.safe_load((ROOT / 'roles' / role / 'meta/argument_specs.yml').read_text())
        assert list(spec['argument_specs']['main']['options']) == list(options), role


def test_no_role_declares_options_of_another():
    for path in ROOT.glob('roles/*/meta/argument_specs.yml'):
        role = path.parts[-3]
        for entry in yaml.safe_load(path.read_text())['argument_specs'].values():
            for name in entry.get('options') or {}:
                assert name.startswith('%s_' % role) or (role == 'lvs' and name.startswith('lvs_')), (path, name)


def seeds():
    """Valid inventories: the model's catalogue and the keepalived rendering cases."""
    import copy
    sys.path.insert(0, str(ROOT / 'tests/unit/roles'))
    sys.path.insert(0, str(ROOT / 'tests/unit'))
    from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_model
    from ansible_collections.lvs.cluster.tests.unit.plugins.plugin_utils import cluster_cases as C
    from test_keepalived_conf import CASES
    groups = {'directors': ['director1', 'director2'], 'realservers': ['rs1', 'rs2']}
    found = [C.DR, C.NAT, C.FWMARK, C.DUAL, C.NAT6, C.SEED_004] + [
        {'cluster': cluster, 'groups': groups, 'hostvars': hostvars} for cluster, hostvars, _role in CASES.values()]
    valid = [c for c in found if not cluster_model.build(cluster_model.Inventory(**copy.deepcopy(c)))[1]]
    assert len(valid) >= 18
    return valid


def test_role_defaults_change_nothing_in_the_model():
    """The lvs role's defaults are in scope wherever its dependants run: with them under the inventory's values
    the model is the same as without them (a default such as a filled-in lvs_vrrp_email once made every model
    fail in the roles)."""
    import copy

    from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_model
    defaults = yaml.safe_load((ROOT / 'roles/lvs/defaults/main.yml').read_text())
    for case in seeds():
        plain = cluster_model.build(cluster_model.Inventory(**copy.deepcopy(case)))
        merged = copy.deepcopy(case)
        merged['cluster'] = dict(copy.deepcopy(defaults), **merged['cluster'])
        with_defaults = cluster_model.build(cluster_model.Inventory(**merged))
        assert plain[1] == [] and with_defaults[1] == [], (plain[1], with_defaults[1])
        assert plain[0] == with_defaults[0]


def test_every_value_the_model_accepts_the_roles_argument_specs_accept():
    """The roles validate their argument specs when they start, after the model: a valid inventory must pass
    them too (or a run would fail half-way, after other hosts changed)."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    spec = yaml.safe_load((ROOT / 'roles/lvs/meta/argument_specs.yml').read_text())['argument_specs']['main']
    validator = ArgumentSpecValidator(spec['options'])
    for case in seeds():
        result = validator.validate(dict(case['cluster']))
        assert not result.error_messages, (case['cluster'], result.error_messages)
