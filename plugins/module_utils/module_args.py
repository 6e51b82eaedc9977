# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AnsibleModule for this collection's modules: arguments that make ansible-core's own argument check raise
(a float infinity for an int, a list of numbers for a dict with suboptions) end as fail_json naming the
argument, not as a traceback."""

from __future__ import annotations

from typing import Any, Dict

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator


def _shown(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # pylint: disable=broad-except
        text = '(a %s)' % type(value).__name__
    return text if len(text) <= 200 else text[:200] + '...'


def new_module(argument_spec: Dict[str, Any], **kwargs: Any) -> AnsibleModule:
    """AnsibleModule(argument_spec, **kwargs); when ansible-core's argument check itself raises, fail with the
    argument that made it raise."""
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
