# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The entries of a long list option (ipvs_rules ``config``: a whole IPVS table, 11,000 entries and more) checked
against the same argument spec that AnsibleModule would use, in one pass.

ansible-core validates suboptions entry by entry through its generic machinery (defaults, no_log collection,
aliases, mutually exclusive sets...), about 60 microseconds per entry: 0.67 s of a no-change run of 11,000 rules
on the lab. The specs these lists use need only a part of it: a type per key (ansible-core's own converters),
``required``, ``default``, ``choices``, ``elements`` and nested ``options``. A spec using anything else is refused
here (SUPPORTED), so it cannot be checked less than ansible-core would. Errors name the entry, the key and the
value (``config[3].destinations[0].weight: 'heavy' is not an int``); unknown keys are refused with the known ones.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Dict, List, Optional

from ansible.module_utils.common.validation import (
    check_type_bool,
    check_type_float,
    check_type_int,
    check_type_list,
    check_type_path,
    check_type_raw,
    check_type_str,
)

CONVERT: Dict[str, Callable[[Any], Any]] = {
    'str': lambda v: check_type_str(v, allow_conversion=True),
    'int': check_type_int,
    'bool': check_type_bool,
    'float': check_type_float,
    'list': check_type_list,
    'path': check_type_path,
    'raw': check_type_raw,
}
SUPPORTED = frozenset(('type', 'required', 'default', 'choices', 'elements', 'options'))


class NestedError(ValueError):
    """An entry that does not fit its spec; the message names the entry, the key and the value."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + '...'


def supported(spec: Dict[str, Dict[str, Any]]) -> bool:
    """Whether every key of SPEC (and of its nested options) is one this checker implements."""
    for sub in spec.values():
        if set(sub) - SUPPORTED or (sub.get('type', 'str') not in CONVERT and sub.get('type') != 'dict'):
            return False
        if sub.get('elements') not in (None, 'dict') and sub['elements'] not in CONVERT:
            return False
        if sub.get('options') and not supported(sub['options']):
            return False
    return True


def _convert(kind: str, value: Any, where: str) -> Any:
    try:
        return CONVERT[kind](value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise NestedError('%s: %s is not a valid %s (%s)' % (where, _shown(value), kind, exc)) from None


def _value(sub: Dict[str, Any], value: Any, where: str) -> Any:
    kind = sub.get('type', 'str')
    if sub.get('options'):
        if kind == 'dict':
            return entry(sub['options'], value, where)
        return entries(sub['options'], value, where)
    value = _convert(kind, value, where) if kind != 'dict' else value
    if kind == 'list' and sub.get('elements'):
        value = [_convert(sub['elements'], v, '%s[%d]' % (where, i)) for i, v in enumerate(value)]
    choices = sub.get('choices')
    if choices is not None and value not in choices:
        raise NestedError('%s: %s is not one of %s' % (where, _shown(value), ', '.join(map(str, choices))))
    return value


def entry(spec: Dict[str, Dict[str, Any]], item: Any, where: str) -> Dict[str, Any]:
    """ITEM checked against SPEC: every key of SPEC present (None or its default when not given), values of the
    declared types."""
    if not isinstance(item, dict):
        raise NestedError('%s: %s is not a dictionary' % (where, _shown(item)))
    unknown = [k for k in item if k not in spec]
    if unknown:
        raise NestedError('%s: unsupported key%s %s (known: %s)' % (
            where, 's' if len(unknown) > 1 else '', ', '.join(map(str, sorted(unknown, key=str))),
            ', '.join(sorted(spec))))
    out: Dict[str, Any] = {}
    for name, sub in spec.items():
        value = item.get(name)
        if value is None:
            if sub.get('required'):
                raise NestedError('%s.%s: required' % (where, name))
            default = sub.get('default')
            out[name] = copy.deepcopy(default) if isinstance(default, (list, dict)) else default
        else:
            out[name] = _value(sub, value, '%s.%s' % (where, name))
    return out


def entries(spec: Dict[str, Dict[str, Any]], value: Any, where: str) -> Optional[List[Dict[str, Any]]]:
    """A list option's entries checked against SPEC (its ``options``); None stays None."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise NestedError('%s: %s is not a list' % (where, _shown(value)))
    return [entry(spec, item, '%s[%d]' % (where, i)) for i, item in enumerate(value)]
