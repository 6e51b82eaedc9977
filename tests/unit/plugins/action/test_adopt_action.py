"""The adopt action's files: written from what Ansible hands it (host names, inventory values and templated strings
are tagged subclasses of str since ansible-core 2.19), as plain YAML."""

from __future__ import annotations

import yaml
from ansible.template import trust_as_template
from ansible_collections.lvs.cluster.plugins.action import adopt as action


def test_tagged_values_are_written_as_plain_yaml():
    host = trust_as_template('director1')
    assert host.__class__ is not str  # a subclass: what the dumper could not represent
    text = action.dump({'all': {'children': {'directors': {'hosts': {host: {'ansible_host': trust_as_template(
        '10.0.0.1'), 'ansible_port': 22}}}}}})
    assert text == ('---\nall:\n  children:\n    directors:\n      hosts:\n        director1:\n'
                    '          ansible_host: 10.0.0.1\n          ansible_port: 22\n')
    assert yaml.safe_load(text)['all']['children']['directors']['hosts'] == {
        'director1': {'ansible_host': '10.0.0.1', 'ansible_port': 22}}


def test_the_report_lists_every_section():
    report = action.adopt.Report()
    report.drop({'file': '/etc/keepalived/keepalived.conf', 'line': 7, 'text': 'static_routes {'}, 'not in the model')
    text = action.render_report(report, [], True, False)
    assert '`/etc/keepalived/keepalived.conf:7` `static_routes {`: not in the model' in text
    assert 'mode 0600, not encrypted' in text and '## Errors of the cluster model\n\nnone' in text
