# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AnsibleModule for this collection's modules: arguments that make ansible-core's own argument check raise
(a float infinity for an int, a list of numbers for a dict with suboptions) end as fail_json naming the
argument, not as a traceback. The entries of a long list option can be checked by nested_args (same spec, one
pass) instead of ansible-core's per-entry machinery."""

from __future__ import annotations

from typing import Any, Dict, Tuple

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.lvs.cluster.plugins.module_utils import nested_args


def _shown(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # pylint: disable=broad-except
        text = '(a %s)' % type(value).__name__
    return text if len(text) <= 200 else text[:200] + '...'


def new_module(argument_spec: Dict[str, Any], checked_here: Tuple[str, ...] = (), **kwargs: Any) -> AnsibleModule:
    """AnsibleModule(argument_spec, **kwargs); when ansible-core's argument check itself raises, fail with the
    argument that made it raise. CHECKED_HERE: list options whose entries nested_args checks against their
    ``options`` (a whole IPVS table: ansible-core spends about 60 microseconds per entry); the module's params
    hold them checked, as ansible-core would leave them."""
    nested = {name: argument_spec[name]['options'] for name in checked_here}
    if nested:
        for name, options in nested.items():
            if argument_spec[name].get('type') != 'list' or not nested_args.supported(options):
                raise ValueError('%s: nested_args cannot check this spec' % name)
        argument_spec = dict(argument_spec, **{name: {k: v for k, v in argument_spec[name].items() if k != 'options'}
                                               for name in nested})
        module = _module(argument_spec, **kwargs)
        for name, options in nested.items():
            try:
                module.params[name] = nested_args.entries(options, module.params.get(name), name)
            except nested_args.NestedError as exc:
                module.fail_json(msg=str(exc))
        return module
    return _module(argument_spec, **kwargs)


def _module(argument_spec: Dict[str, Any], **kwargs: Any) -> AnsibleModule:
    try:
        return AnsibleModule(argument_spec=argument_spec, **kwargs)
    except (TypeError, ValueError, OverflowError, AttributeError, KeyError) as exc:
        # the same parameters, taken as they are, only to report
        fallback = AnsibleModule(argument_spec={name: {'type': 'raw'} for name in argument_spec},
                                 supports_check_mode=True)
        params = fallback.params if isinstance(fallback.params, dict) else {}
        for name, spec in argument_spec.items():
            if name not in params:
                continue
            try:
                ArgumentSpecValidator({name: spec}).validate({name: params[name]})
            except Exception as sub:  # pylint: disable=broad-except
                fallback.fail_json(msg='%s: %s is not a valid value (%s: %s)' % (
                    name, _shown(params[name]), type(sub).__name__, sub))
        fallback.fail_json(msg='the arguments could not be checked (%s: %s)' % (type(exc).__name__, exc))
    raise AssertionError('not reached')  # fail_json exits
