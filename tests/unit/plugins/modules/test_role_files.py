# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""role_files: several files in one run, in order, each checked before it replaces the old one; idempotent,
check and diff mode, a secret never shown, and bad entries refused before any file is written."""

from __future__ import annotations

import grp
import json
import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest
from ansible_collections.lvs.cluster.plugins.modules import role_files
from ipvs_harness import run_module

OWNER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


def entry(path, **kwargs):
    return dict({'path': str(path), 'owner': OWNER, 'group': GROUP}, **kwargs)


def files(tmp_path):
    # the second file's check reads the first (keepalived.conf includes the secret)
    return [entry(tmp_path / 'secret', secret_content='auth_pass s3cr3t\n', mode='0600'),
            entry(tmp_path / 'main.conf', content='include %s\nrest\n' % (tmp_path / 'secret'), mode=0o640,
                  validate="sh -c 'grep -q ^auth_pass %s && grep -q ^include \"$1\"' - %%s" % (tmp_path / 'secret'))]


def test_files_written_in_order_idempotent_with_check_and_diff_mode(tmp_path):
    args = {'files': files(tmp_path)}
    res = run_module(role_files.main, args, check_mode=True, diff=True)
    assert res['changed'] and res['changed_paths'] == [str(tmp_path / 'secret'), str(tmp_path / 'main.conf')]
    assert not list(tmp_path.iterdir())
    assert 's3cr3t' not in json.dumps(res) and 'rest\n' in res['diff'][1]['after']
    res = run_module(role_files.main, args)
    assert res['changed'] and not res.get('failed'), res
    assert 'diff' not in res  # diff mode off for the task: no diff (a file written by hand may hold a password)
    assert (tmp_path / 'secret').read_text() == 'auth_pass s3cr3t\n'
    assert oct((tmp_path / 'secret').stat().st_mode & 0o7777) == '0o600'
    assert oct((tmp_path / 'main.conf').stat().st_mode & 0o7777) == '0o640'
    res = run_module(role_files.main, args)
    assert res['changed'] is False and res['changed_paths'] == []
    (tmp_path / 'main.conf').chmod(0o644)
    res = run_module(role_files.main, args)
    assert res['changed_paths'] == [str(tmp_path / 'main.conf')]
    assert oct((tmp_path / 'main.conf').stat().st_mode & 0o7777) == '0o640'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['main.conf', 'secret']


def test_a_file_its_check_rejects_is_not_installed(tmp_path):
    target = tmp_path / 'keepalived.conf'
    target.write_text('old\n')
    res = run_module(role_files.main, {'files': [entry(target, content='new\n', validate='false %s')]})
    assert res['failed'] and res['msg'].startswith('files[0].validate: false %%s rejected the new %s (rc 1)'
                                                   % target), res
    assert target.read_text() == 'old\n' and [p.name for p in tmp_path.iterdir()] == ['keepalived.conf']


def test_a_secret_file_removed_shows_no_content(tmp_path):
    (tmp_path / 'secret').write_text('auth_pass s3cr3t\n')
    args = {'files': [entry(tmp_path / 'secret', state='absent', secret=True)]}
    res = run_module(role_files.main, args, diff=True)
    assert res['changed_paths'] == [str(tmp_path / 'secret')] and 's3cr3t' not in json.dumps(res), res
    assert not (tmp_path / 'secret').exists()
    # content marked secret is written, and shown in no diff
    args = {'files': [entry(tmp_path / 'secret', content='auth_pass s3cr3t\n', secret=True)]}
    res = run_module(role_files.main, args, diff=True)
    assert (tmp_path / 'secret').read_text() == 'auth_pass s3cr3t\n' and 's3cr3t' not in json.dumps(res), res


def test_absent_removes_and_is_idempotent(tmp_path):
    (tmp_path / 'gone').write_text('x')
    args = {'files': [entry(tmp_path / 'gone', state='absent')]}
    assert run_module(role_files.main, args, check_mode=True)['changed'] and (tmp_path / 'gone').exists()
    assert run_module(role_files.main, args)['changed_paths'] == [str(tmp_path / 'gone')]
    assert not (tmp_path / 'gone').exists() and run_module(role_files.main, args)['changed'] is False


@pytest.mark.parametrize('bad, message', [
    ({'path': 'relative.conf'}, "files[1].path: 'relative.conf' is not an absolute path of a file"),
    ({'content': None}, 'files[1]: give one of content, secret_content and link_to for'),
    ({'secret_content': 'x'}, 'files[1]: give one of content, secret_content and link_to for'),
    ({'mode': 'u+rw'}, "files[1].mode: 'u+rw' is not an octal file mode"),
    ({'mode': '0999'}, "files[1].mode: '0999' is not an octal file mode"),
    ({'owner': 'no-such-user-lvs'}, "files[1].owner: no user 'no-such-user-lvs' on this host"),
    ({'group': 'no-such-group-lvs'}, "files[1].group: no group 'no-such-group-lvs' on this host"),
    ({'validate': 'keepalived -t'}, "files[1].validate: 'keepalived -t' has no %s for the file to check"),
    ({'state': 'absent'}, 'files[1].content: '),
    ({'link_to': '/etc/x.service'}, 'files[1]: give one of content, secret_content and link_to for'),
    ({'content': None, 'link_to': '/x', 'validate': 'true %s'}, 'files[1].validate: '),
    ({'path': '/nonexistent-dir-lvs/x.conf'}, 'files[1].path: the directory /nonexistent-dir-lvs of'),
    ({'path': '/tmp'}, "files[1].path: '/tmp' is also files[0]"),
])
def test_bad_entries_fail_naming_them_before_any_file_is_written(tmp_path, bad, message):
    first = entry(tmp_path / 'first', content='1\n')
    second = dict(entry(tmp_path / 'second', content='2\n'), **bad)
    if message.endswith('is also files[0]'):
        first['path'] = second['path']
        message = "files[1].path: '%s' is also files[0]" % second['path']
    res = run_module(role_files.main, {'files': [first, second]})
    assert res.get('failed') and res['msg'].startswith(message), res
    assert not (tmp_path / 'first').exists()


def test_the_secret_is_masked_in_a_real_module_run(tmp_path):
    collections = Path(role_files.__file__).parents[5]
    args = {'ANSIBLE_MODULE_ARGS': {'files': [entry(tmp_path / 'secret', secret_content='auth_pass s3cr3t\n')],
                                    '_ansible_diff': True}}
    out = subprocess.run([sys.executable, '-m', 'ansible_collections.lvs.cluster.plugins.modules.role_files'],
                         input=json.dumps(args), capture_output=True, text=True, check=False,
                         env=dict(os.environ, PYTHONPATH=str(collections)))
    result = json.loads(out.stdout)
    assert result['changed'] and (tmp_path / 'secret').read_text() == 'auth_pass s3cr3t\n'
    assert 's3cr3t' not in out.stdout and result['diff'][0]['after'] == '(secret content not shown)\n'


def test_links_and_missing_parents(tmp_path):
    """A unit enabled by its .wants links (one of them in a directory that does not exist yet), replacing a file
    that was there; idempotent; a link that points elsewhere is put back."""
    unit = tmp_path / 'lvs-interfaces.service'
    wants = tmp_path / 'multi-user.target.wants' / 'lvs-interfaces.service'
    other = tmp_path / 'ipvsadm.service.wants' / 'lvs-interfaces.service'
    wants.parent.mkdir()
    wants.write_text('a file where the link goes\n')
    args = {'files': [entry(unit, content='[Unit]\n'), entry(wants, link_to=str(unit)),
                      entry(other, link_to=str(unit), parents=True)]}
    res = run_module(role_files.main, args, check_mode=True, diff=True)
    assert res['changed_paths'] == [str(unit), str(wants), str(other)] and not other.parent.exists()
    assert res['diff'][1] == {'before': '(a file)\n', 'after': 'symbolic link to %s\n' % unit,
                              'before_header': str(wants), 'after_header': str(wants)}
    res = run_module(role_files.main, args)
    assert res['created_paths'] == [str(unit), str(other)]  # wants held a file: replaced, not created
    assert os.readlink(wants) == os.readlink(other) == str(unit) and other.parent.stat().st_mode & 0o777 == 0o755
    assert run_module(role_files.main, args)['changed'] is False
    other.unlink()
    other.symlink_to('/dev/null')
    assert run_module(role_files.main, args)['changed_paths'] == [str(other)] and os.readlink(other) == str(unit)
    assert sorted(p.name for p in other.parent.iterdir()) == ['lvs-interfaces.service']


def test_a_directory_an_earlier_entry_creates_serves_the_later_ones(tmp_path):
    """A fresh host: facts.d does not exist; the first file creates it, the second is written in it."""
    facts = tmp_path / 'etc/ansible/facts.d'
    args = {'files': [entry(facts / 'lvs_cluster.fact', content='{}\n', parents=True),
                      entry(facts / 'lvs_packages.fact', content='#!/bin/sh\n', mode='0755')]}
    assert run_module(role_files.main, args, check_mode=True)['changed'] and not facts.parent.exists()
    assert run_module(role_files.main, args)['changed_paths'] == [str(facts / 'lvs_cluster.fact'),
                                                                  str(facts / 'lvs_packages.fact')]
    assert (facts / 'lvs_packages.fact').stat().st_mode & 0o777 == 0o755
    res = run_module(role_files.main, {'files': [entry(facts / 'x' / 'y.fact', content='')]})
    assert res['failed'] and res['msg'].startswith('files[0].path: the directory %s of' % (facts / 'x'))
