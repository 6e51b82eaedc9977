"""lvs.cluster.lock: the module part on a host (one attempt per call), run as Ansible runs it, on a lock file
in a temporary directory; and the controller part's dead-run detection."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ansible_collections.lvs.cluster.plugins.plugin_utils import run_lock

ROOT = Path(__file__).resolve().parents[4]
MODULE = ROOT / 'plugins' / 'modules' / 'lock.py'


def call(tmp_path, **args):
    argfile = tmp_path / 'args.json'
    args.setdefault('path', str(tmp_path / 'run' / 'lock.json'))
    argfile.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    res = subprocess.run([sys.executable, str(MODULE), str(argfile)], capture_output=True, text=True, env=env,
                         check=False)
    return json.loads(res.stdout)


def holder(run, **kw):
    return dict({'run': run, 'controller': 'ctl', 'pid': 1, 'user': 'root', 'purpose': 'site'}, **kw)


def test_take_renew_and_release(tmp_path):
    first = call(tmp_path, holder=holder('a'), ttl=600)
    assert first['acquired'] and first['taken_over'] is None and first['holder']['run'] == 'a'
    assert oct(os.stat(tmp_path / 'run' / 'lock.json').st_mode & 0o777) == '0o600'
    again = call(tmp_path, holder=holder('a'), ttl=600)  # the same run renews
    assert again['acquired'] and again['holder']['since'] == first['holder']['since']
    other = call(tmp_path, holder=holder('b'), ttl=600)
    assert not other['acquired'] and other['holder']['run'] == 'a' and not other['changed']
    assert not call(tmp_path, state='absent', holder=holder('b'))['changed']  # not b's to release
    assert call(tmp_path, state='absent', holder=holder('a'))['changed']
    assert call(tmp_path, holder=holder('b'), ttl=600)['acquired']


def test_an_ended_lease_or_a_dead_run_is_taken_over(tmp_path):
    path = tmp_path / 'run' / 'lock.json'
    call(tmp_path, holder=holder('a'), ttl=600)
    data = json.loads(path.read_text())
    data['expires_at'] = time.time() - 1
    path.write_text(json.dumps(data))
    res = call(tmp_path, holder=holder('b'), ttl=600)
    assert res['acquired'] and res['taken_over']['run'] == 'a'
    res = call(tmp_path, holder=holder('c'), ttl=600, break_run='b')
    assert res['acquired'] and res['taken_over']['run'] == 'b'
    assert not call(tmp_path, holder=holder('d'), ttl=600, break_run='zzz')['acquired']


def test_bad_input_fails_before_the_host_is_touched(tmp_path):
    res = call(tmp_path, holder=holder('a'), ttl=5)
    assert res['failed'] and res['msg'] == 'ttl: 5 is out of range 60-604800'
    res = call(tmp_path)
    assert res['failed'] and 'holder: missing' in res['msg']
    # relative: every run would lock a file of its own working directory
    res = call(tmp_path, holder=holder('a'), path='lvs-test-relative/lock.json')
    assert res['failed'] and res['msg'] == "path: 'lvs-test-relative/lock.json' is not an absolute file path"
    assert not Path('lvs-test-relative').exists()
    assert not (tmp_path / 'run').exists()


def test_check_mode_reports_without_taking(tmp_path):
    res = call(tmp_path, holder=holder('a'), _ansible_check_mode=True)
    assert res['acquired'] and not (tmp_path / 'run' / 'lock.json').exists()


def test_dead_run_detection():
    me = run_lock.this_run('site')
    assert me['pid'] == os.getppid() and me['run'].startswith(me['controller'] + ':')
    assert not run_lock.is_dead(me)  # the parent runs
    gone = subprocess.Popen(['true'])
    gone.wait()
    assert run_lock.is_dead(dict(me, pid=gone.pid, pid_start='1'))
    assert run_lock.is_dead(dict(me, pid_start='0'))  # the pid now belongs to a process started at another time
    assert not run_lock.is_dead(dict(me, controller='elsewhere', pid=gone.pid))  # elsewhere: only its lease ends


def test_busy_message_names_the_holder():
    msg = run_lock.busy_message('director2', {'purpose': 'drain rs1', 'user': 'alice', 'controller': 'ctl',
                                              'pid': 42, 'since': 'S', 'expires': 'E'}, 600, '/run/x')
    assert msg.startswith('director2 is locked by another run of lvs.cluster: drain rs1 by alice@ctl '
                          '(ansible-playbook pid 42) since S, lease until E; waited 600 s.')
