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
