"""nested_args checks the entries of ipvs_rules' config as ansible-core's ArgumentSpecValidator would (same spec,
same converted values) and refuses what it would refuse, with the entry, key and value named (its speed:
benchmarks/ipvs_converge.py)."""

import random

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.lvs.cluster.plugins.module_utils import nested_args
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_args import service_config_arg

SPEC = service_config_arg()
OPTIONS = SPEC['options']


def by_ansible(config):
    """config as ansible-core validates it: (params, error messages; its exception's when it raises)."""
    try:
        res = ArgumentSpecValidator({'config': SPEC}).validate({'config': config})
    except (TypeError, ValueError, OverflowError) as exc:  # a float infinity for an int (module_args.new_module)
        return None, ['%s: %s' % (type(exc).__name__, exc)]
    return res.validated_parameters.get('config'), [str(e) for e in res.errors]


def by_us(config):
    try:
        return nested_args.entries(OPTIONS, config, 'config'), []
    except nested_args.NestedError as exc:
        return None, [str(exc)]


VALID = [
    [{'address': '10.0.0.1', 'port': 80, 'scheduler': 'wrr', 'destinations': [{'address': '10.0.1.1', 'weight': 2}]}],
    [{'address': '10.0.0.1', 'port': '80', 'one_packet': 'yes', 'sched_flags': ['flag-1'],
      'destinations': [{'address': '10.0.1.1', 'weight': '3', 'upper_threshold': 0, 'port': None}]}],
    [{'fwmark': 5, 'family': 'ipv6', 'persistence': 300, 'netmask': '128', 'destinations': []}],
    [{'protocol': 'udp', 'address': '10.0.0.2', 'port': 53}],
    [{'address': '10.0.0.3', 'sched_flags': [['a'], 1]}],  # str elements converted, as ansible-core does
    [],
    None,
]


@pytest.mark.parametrize('config', VALID, ids=range(len(VALID)))
def test_valid_config_is_left_as_ansible_core_leaves_it(config):
    want, errors = by_ansible(config)
    assert errors == []
    assert by_us(config) == (want, [])


def random_entry(rng):
    entry = {'address': '10.%d.0.1' % rng.randrange(256), 'port': rng.choice([80, '443', 8080])}
    for name, value in (('scheduler', 'rr'), ('persistence', '60'), ('one_packet', rng.choice([True, 'no'])),
                        ('sched_flags', ['flag-2']), ('netmask', '255.255.255.0')):
        if rng.random() < 0.4:
            entry[name] = value
    entry['destinations'] = [{'address': '10.1.%d.%d' % (i, rng.randrange(256)),
                              **({'weight': rng.choice([0, 1, '7'])} if rng.random() < 0.7 else {}),
                              **({'forwarding': 'nat'} if rng.random() < 0.3 else {})}
                             for i in range(rng.randrange(4))]
    return entry


def test_random_valid_tables_equal_ansible_core():
    rng = random.Random(23)
    for _round in range(200):
        config = [random_entry(rng) for _entry in range(rng.randrange(1, 6))]
        assert by_us(config) == by_ansible(config)


@pytest.mark.parametrize('config, error', [
    ([{'address': '10.0.0.1', 'prot': 80}], "config[0]: unsupported key prot (known: address, destinations"),
    ([{'address': '10.0.0.1', 'destinations': [{'address': '10.0.1.1'}, {'adress': 'x'}]}],
     'config[0].destinations[1]: unsupported key adress (known: address, forwarding, '),
    ([{'address': '10.0.0.1', 'destinations': [{'weight': 1}]}], 'config[0].destinations[0].address: required'),
    ([{'address': '10.0.0.1', 'port': 'http'}], "config[0].port: 'http' is not a valid int"),
    ([{'address': '10.0.0.1', 'port': 1.5}], 'config[0].port: 1.5 is not a valid int'),
    ([{'address': '10.0.0.1', 'one_packet': 'maybe'}], "config[0].one_packet: 'maybe' is not a valid bool"),
    ([{'address': '10.0.0.1', 'destinations': {'address': 'x'}}],
     "config[0].destinations: {'address': 'x'} is not a list"),
    ([{'address': '10.0.0.1', 'destinations': ['10.0.1.1']}], "config[0].destinations[0]: '10.0.1.1' is not a "
                                                              'dictionary'),
    ([{'address': '10.0.0.1', 'destinations': [{'address': '10.0.1.1', 'weight': float('inf')}]}],
     'config[0].destinations[0].weight: inf is not a valid int'),
])
def test_what_ansible_core_refuses_is_refused_naming_entry_key_and_value(config, error):
    assert by_ansible(config)[1], config  # ansible-core refuses it too
    params, errors = by_us(config)
    assert params is None and len(errors) == 1 and errors[0].startswith(error), errors


def test_unsupported_spec_keys_are_not_taken():
    assert nested_args.supported(OPTIONS)
    assert not nested_args.supported({'a': {'type': 'str', 'aliases': ['b']}})
    assert not nested_args.supported({'a': {'type': 'str', 'no_log': True}})
    assert not nested_args.supported({'a': {'type': 'list', 'elements': 'dict', 'options': {
        'b': {'type': 'str', 'mutually_exclusive': []}}}})
