# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Argument specs shared by the IPVS modules, and the glue from parameters to the engine.

Choices are deliberately validated by :mod:`ipvs_model` rather than by ``choices`` in the specs so
the same checks (with the same "field: bad value ..." messages) apply to top-level options, to
nested ``destinations``/``config`` entries and to rules text.  Defaults are applied there too:
an unset option is ``None`` here, which lets ``ipvs_rules`` (state=merged) keep live values.
"""

from __future__ import annotations

import copy
from typing import Any, Dict

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import IPVSError, Service, Table
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_options import DEST_OPTIONS, SERVICE_OPTIONS

SERVICE_KEY_ARGS: Dict[str, Dict[str, Any]] = {
    'protocol': {'type': 'str'},
    'address': {'type': 'str'},
    'port': {'type': 'int'},
    'fwmark': {'type': 'int'},
    'family': {'type': 'str'},
}

# the options' argument specs, from their one declaration
SERVICE_OPTION_ARGS: Dict[str, Dict[str, Any]] = {opt.name: opt.argument_spec() for opt in SERVICE_OPTIONS}
DEST_OPTION_ARGS: Dict[str, Dict[str, Any]] = {opt.name: opt.argument_spec() for opt in DEST_OPTIONS}

DEST_ARGS: Dict[str, Dict[str, Any]] = dict(
    {'address': {'type': 'str', 'required': True}, 'port': {'type': 'int'}}, **DEST_OPTION_ARGS)

COMMON_ARGS: Dict[str, Dict[str, Any]] = {
    'load_module': {'type': 'bool', 'default': True},
}


def spec(*parts: Dict[str, Dict[str, Any]], **extra: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """Merge argument spec fragments (deep-copied, so modules cannot alter the shared ones)."""
    result: Dict[str, Dict[str, Any]] = {}
    for part in parts:
        result.update(copy.deepcopy(part))
    result.update(copy.deepcopy(extra))
    return result


def destination_list_arg() -> Dict[str, Any]:
    return {'type': 'list', 'elements': 'dict', 'options': spec(DEST_ARGS)}


def service_config_arg() -> Dict[str, Any]:
    """The ``config`` list of ``ipvs_rules``: services with nested destinations."""
    return {'type': 'list', 'elements': 'dict',
            'options': spec(SERVICE_KEY_ARGS, SERVICE_OPTION_ARGS, destinations=destination_list_arg())}


def pick(params: Dict[str, Any], names) -> Dict[str, Any]:
    return {name: params.get(name) for name in names}


def dest_service_params(params: Dict[str, Any]) -> Dict[str, Any]:
    """``ipvs_dest`` names the service service_address/service_port; map them to the key fields."""
    return {'protocol': params.get('protocol'), 'address': params.get('service_address'),
            'port': params.get('service_port'), 'fwmark': params.get('fwmark'), 'family': params.get('family')}


def fail_on_error(module, func, *args, field='', **kwargs):
    """Call *func*; turn an IPVSError into ``fail_json`` with its message (prefixed by *field*)."""
    try:
        return func(*args, **kwargs)
    except IPVSError as exc:
        module.fail_json(msg='%s: %s' % (field, exc) if field else str(exc))


def service_result(svc: Service) -> Dict[str, Any]:
    return svc.to_dict()


def table_result(table: Table):
    return table.to_list()
