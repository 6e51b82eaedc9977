# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's main() with a fake process boundary (run_command/get_bin_path) fed by recorded outputs."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Tuple
from unittest import mock

import ipvs_fixtures as F
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_netlink

TWOS_MISSING = 'modprobe: FATAL: Module ip_vs_twos not found in directory /lib/modules/6.1.176\n'


def _no_netlink():
    raise ipvs_netlink.NetlinkError('netlink is replaced by recorded ipvsadm output in this test')


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def view_state(fixture: str, index: int = -1) -> Dict[str, str]:
    """The ipvsadm read views of a fixture ('-Sn', '-Ln --thresholds', ...) at its *index*-th -Sn."""
    state = {}
    for name, cmd in F.VIEWS.items():
        found = F.blocks(fixture, cmd)
        if found:
            if name in ('save', 'thresholds') and len(found) > 1:
                state[cmd[8:]] = found[index].stdout
            else:
                state[cmd[8:]] = found[-1].stdout
    return state


class FakeIPVS:
    """Answers ipvsadm/modprobe like the recorded kernel did.

    *states* is a list of {ipvsadm-arguments: stdout}; every ``ipvsadm -R`` moves to the next state
    (the recording of what the kernel looked like after that batch).
    """

    def __init__(self, states: List[Dict[str, str]], missing_modules=('ip_vs_twos',),
                 apply_result: Tuple[int, str, str] = (0, '', '')):
        self.states = states
        self.index = 0
        self.missing = set(missing_modules)
        self.apply_result = apply_result
        self.calls: List[Tuple[List[str], Optional[str]]] = []
        self.applied: List[str] = []

    def get_bin_path(self, name, required=False, opt_dirs=None):
        return '/usr/sbin/%s' % name

    def run_command(self, args, data=None, binary_data=False, **kwargs):
        args = list(args)
        self.calls.append((args, data))
        prog = os.path.basename(args[0])
        rest = ' '.join(args[1:])
        if prog in ('ip', 'systemctl'):  # the host modules (realserver_vips): an empty host
            return 0, '', ''
        if prog == 'modprobe':
            name = args[-1]
            if name in self.missing:
                return 1, '', 'modprobe: FATAL: Module %s not found in directory /lib/modules/6.1.176\n' % name
            return 0, '', ''
        if prog == 'ipvsadm':
            if rest == '-R':
                self.applied.append(data)
                if self.index + 1 < len(self.states):
                    self.index += 1
                return self.apply_result
            state = self.states[self.index]
            if rest not in state:
                return 2, '', 'fake ipvsadm: no recording for %r' % rest
            return 0, state[rest], ''
        raise AssertionError('unexpected command %r' % args)

    def commands(self) -> List[str]:
        return [' '.join(args[1:]) for args, _data in self.calls]


def run_module(main, args: Dict[str, Any], fake: Optional[FakeIPVS] = None, check_mode: bool = False,
               diff: bool = False) -> Dict[str, Any]:
    """Run *main* with *args*; returns the exit_json/fail_json result (``failed`` set on failure)."""
    args = dict(args)
    if check_mode:
        args['_ansible_check_mode'] = True
    if diff:
        args['_ansible_diff'] = True

    def exit_json(self, **kwargs):
        kwargs.setdefault('changed', False)
        raise ExitJson(kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs['failed'] = True
        kwargs['msg'] = msg
        raise FailJson(kwargs)

    patches = [mock.patch.object(basic.AnsibleModule, 'exit_json', exit_json),
               mock.patch.object(basic.AnsibleModule, 'fail_json', fail_json)]
    if fake is not None:
        # the fake answers as ipvsadm; netlink (the kernel of the machine running the tests) is off
        patches.append(mock.patch.object(ipvs_netlink, 'Channel', _no_netlink))
        patches += [mock.patch.object(basic.AnsibleModule, 'run_command',
                                      lambda self, *a, **k: fake.run_command(*a, **k)),
                    mock.patch.object(basic.AnsibleModule, 'get_bin_path',
                                      lambda self, *a, **k: fake.get_bin_path(*a, **k))]
    with patch_module_args(args):
        for patch in patches:
            patch.start()
        try:
            main()
        except (ExitJson, FailJson) as exc:
            return exc.args[0]
        finally:
            for patch in patches:
                patch.stop()
    raise AssertionError('module did not call exit_json or fail_json')
