"""The lvs role's argument specs and defaults mirror the Python schema: each option is declared once."""

from pathlib import Path

import yaml
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_schema

ROLES = Path(__file__).resolve().parents[4] / 'roles'


def test_argument_specs_follow_the_schema():
    spec = yaml.safe_load((ROLES / 'lvs/meta/argument_specs.yml').read_text())
    assert spec['argument_specs']['main']['options'] == cluster_schema.argument_spec()


def test_defaults_follow_the_schema():
    defaults = yaml.safe_load((ROLES / 'lvs/defaults/main.yml').read_text())
    expected = {k: v['default'] for k, v in cluster_schema.argument_spec().items() if 'default' in v}
    assert defaults == expected


def test_no_other_role_declares_lvs_options():
    for path in ROLES.glob('*/meta/argument_specs.yml'):
        if path.parts[-3] == 'lvs':
            continue
        for entry in yaml.safe_load(path.read_text())['argument_specs'].values():
            assert not [o for o in entry.get('options', {}) if o.startswith('lvs_')], path
