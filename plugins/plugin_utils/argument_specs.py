# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Role argument specs and defaults as they follow from the schema's fields (fields.py): the roles'
meta/argument_specs.yml options (nested suboptions included) and defaults/main.yml are generated from here
(`./lab generate`) and a unit test keeps the files equal to it.

Types, choices, required keys and defaults only: ranges, patterns and the rules across fields are checked by
lvs.cluster.cluster_model before any role runs, with messages that name the field path and the value.
"""

from __future__ import annotations

import json
from typing import Any, Dict

from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import MISSING, Field, List, Str, Struct


def sentence(text: str) -> str:
    return text + ('' if text.endswith('.') else '.')


def option(field: Field, partial: bool = False) -> Dict[str, Any]:
    """The argument spec of FIELD. PARTIAL: any subset of the keys may be given (lvs_service_defaults), so
    nothing inside is required and nothing has a default."""
    out: Dict[str, Any] = {'type': 'raw' if field.secret else field.kind, 'description': sentence(field.description)}
    if isinstance(field, List):
        out['elements'] = field.item.kind
        if isinstance(field.item, Struct):
            out['options'] = suboptions(field.item, partial)
        elif isinstance(field.item, Str) and field.item.choices:
            out['choices'] = list(field.item.choices)
    if isinstance(field, Struct):
        out['options'] = suboptions(field, partial or field.partial)
    if isinstance(field, Str) and field.choices and not partial:  # a key left out of a partial mapping is None
        out['choices'] = list(field.choices)
    if field.required and not partial:
        out['required'] = True
    elif not partial and field.default is not MISSING and field.default is not None:
        out['default'] = field.default  # a mapping's declared default ({}): its keys' defaults are their own
    if field.secret:
        out['no_log'] = True
    return out


def suboptions(struct: Struct, partial: bool = False) -> Dict[str, Any]:
    return {name: option(f, partial) for name, f in struct.fields.items()}


def options(fields: Dict[str, Field]) -> Dict[str, Any]:
    return {name: option(f) for name, f in fields.items()}


def defaults_text(header: str, fields: Dict[str, Field]) -> str:
    """A role's defaults/main.yml: each option with a default, its description as the comment above it (JSON
    flow style for the value, which is YAML)."""
    lines = ['---'] + ['# ' + line if line else '#' for line in header.splitlines()]
    for name, f in fields.items():
        if f.required or f.default is MISSING:
            continue
        lines += ['', *wrap('# ' + sentence(f.description)), '%s: %s' % (name, json.dumps(f.default))]
    return '\n'.join(lines) + '\n'


def wrap(text: str, width: int = 118) -> list:
    import textwrap
    return textwrap.wrap(text, width, subsequent_indent='# ', break_long_words=False, break_on_hyphens=False)
