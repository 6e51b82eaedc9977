"""The IPVS options are declared once (module_utils/ipvs_options.py): what stays hand-written (the dataclasses,
the modules' doc fragment, the keepalived template) is checked against the tables here, and every option goes
through every part of the engine that the tables drive: argument spec, builder, rule line both ways, netlink
both ways, keepalived.conf line, the cluster schema.

A new option is one table entry, its dataclass field, its doc fragment entry and its sample below."""

import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from ansible_collections.lvs.cluster.plugins.doc_fragments.ipvs import ModuleDocFragment
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_args
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_model as M
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_netlink as NL
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_options as O
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_parse as P
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_render as R
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_schema

ROOT = Path(__file__).resolve().parents[4]
KEY_FIELDS = {'protocol', 'family', 'address', 'port', 'fwmark', 'destinations'}

# one service per option that sets it to a value other than its default (with what the value needs)
SERVICE_SAMPLES = {
    'scheduler': {'scheduler': 'sh'},
    'persistence': {'persistence': 600},
    'netmask': {'persistence': 60, 'netmask': '255.255.255.0'},
    'persistence_engine': {'protocol': 'udp', 'port': 5060, 'persistence': 60, 'persistence_engine': 'sip'},
    'one_packet': {'protocol': 'udp', 'port': 53, 'one_packet': True},
    'sched_flags': {'scheduler': 'mh', 'sched_flags': ['mh-port', 'mh-fallback']},
}
DEST_SAMPLES = {
    'forwarding': {'forwarding': 'nat', 'port': 8080},
    'weight': {'weight': 7},
    'tun_type': {'forwarding': 'tun', 'tun_type': 'gre'},
    'tun_port': {'forwarding': 'tun', 'tun_type': 'gue', 'tun_port': 6080},
    'tun_csum': {'forwarding': 'tun', 'tun_type': 'gue', 'tun_port': 6080, 'tun_csum': 'remcsum'},
    'upper_threshold': {'upper_threshold': 100},
    'lower_threshold': {'upper_threshold': 100, 'lower_threshold': 10},
}


def sample(name):
    entry = {'protocol': 'tcp', 'address': '192.0.2.10', 'port': 80}
    dest = {'address': '198.51.100.1'}
    if name in SERVICE_SAMPLES:
        entry.update(SERVICE_SAMPLES[name])
    else:
        dest.update(DEST_SAMPLES[name])
    return M.service_with_dests(dict(entry, destinations=[dest]))


def option_fields(cls):
    return [(f.name, f.default) for f in dataclasses.fields(cls) if f.name not in KEY_FIELDS]


def test_the_dataclasses_have_exactly_the_options_of_the_tables_with_their_defaults():
    assert option_fields(M.Service) == [(o.name, o.default) for o in O.SERVICE_OPTIONS]
    assert option_fields(M.Destination) == [(o.name, o.default) for o in O.DEST_OPTIONS]


@pytest.mark.parametrize('fragment,options', [('SERVICE', O.SERVICE_OPTIONS), ('DESTINATION', O.DEST_OPTIONS)])
def test_the_doc_fragment_documents_each_option_with_its_type(fragment, options):
    documented = yaml.safe_load(getattr(ModuleDocFragment, fragment))['options']
    assert list(documented) == [o.name for o in options]
    for opt in options:
        doc = documented[opt.name]
        assert {k: doc[k] for k in ('type', 'elements') if k in doc} == opt.argument_spec(), opt.name
        for value in opt.choices:  # every value the option takes is named in its description
            assert 'V(%s)' % value in ' '.join(doc['description']), (opt.name, value)


def test_the_argument_specs_are_the_tables():
    assert {o.name: o.argument_spec() for o in O.SERVICE_OPTIONS} == ipvs_args.SERVICE_OPTION_ARGS
    assert {o.name: o.argument_spec() for o in O.DEST_OPTIONS} == ipvs_args.DEST_OPTION_ARGS


def test_every_option_has_a_sample():
    assert list(SERVICE_SAMPLES) == list(O.SERVICE_FIELDS)
    assert list(DEST_SAMPLES) == list(O.DEST_FIELDS)


@pytest.mark.parametrize('name', [*O.SERVICE_FIELDS, *O.DEST_FIELDS])
def test_each_option_goes_through_every_part_of_the_engine(name):
    svc = sample(name)
    obj = svc if name in O.SERVICE_FIELDS else svc.destinations[0]
    opt = O.IPVS_OPTIONS[name]
    assert getattr(obj, name) not in (opt.default, None), 'the sample must set %s' % name
    # a rule line and back, as ipvsadm -R reads it and ipvsadm -Sn prints it
    lines = R.render_service(svc)
    assert any(token in ' '.join(lines).split() for token in (*opt.switches, *opt.choice_switches))
    assert P.parse_save(R.render_text(lines)).services == [svc]
    # netlink and back
    decoded, _key = NL.decode_service(NL.attr(NL.IPVS_CMD_ATTR_SERVICE | NL.NESTED, NL.service_attrs(svc)))
    decoded.destinations = M.KeyedList(NL.decode_dest(decoded, NL.attr(NL.IPVS_CMD_ATTR_DEST | NL.NESTED,
                                                                       NL.dest_attrs(d))) for d in svc.destinations)
    assert decoded == svc
    # keepalived.conf
    lines = O.keepalived_lines(obj, O.SERVICE_OPTIONS if obj is svc else O.DEST_OPTIONS)
    if opt.keepalived:
        assert any(line.split()[0] == opt.keepalived for line in lines), lines
    elif opt.keepalived == '':
        assert set(getattr(obj, name)) <= set(lines)


@pytest.mark.parametrize('name', [*O.SERVICE_FIELDS, *O.DEST_FIELDS])
def test_given_values_are_checked_before_the_table_is_read_like_the_builder_checks_them(name):
    opt = O.IPVS_OPTIONS[name]
    bad = {'int': 'many', 'bool': 'maybe', 'list': ['no-such-flag'], 'str': 'no-such-value'}[opt.kind]
    if name == 'netmask':
        bad = '255.0.255.0'
    params = dict(SERVICE_SAMPLES.get(name) or DEST_SAMPLES[name], **{name: bad})
    key = {'protocol': params.pop('protocol', 'tcp'), 'address': '192.0.2.10', 'port': params.pop('port', 80)}
    with pytest.raises(M.IPVSError) as built:
        if name in O.SERVICE_FIELDS:
            M.service_from_params(dict(key, **params))
        else:
            M.dest_from_params(dict(params, address='198.51.100.1'), M.service_from_params(key))
    with pytest.raises(M.IPVSError) as given:
        if name in O.SERVICE_FIELDS:
            M.check_given_service(dict(key, **params))
        else:
            M.check_given_dest(dict(params, address='198.51.100.1'), M.service_from_params(key))
    assert str(built.value).startswith(name + ':') and str(given.value) == str(built.value)


def test_the_keepalived_template_writes_no_ipvs_option_by_hand():
    template = (ROOT / 'roles/keepalived/templates/keepalived/virtual_servers.j2').read_text()
    for opt in (*O.SERVICE_OPTIONS, *O.DEST_OPTIONS):
        if opt.keepalived:
            assert not re.search(r'^\s*%s\b' % re.escape(opt.keepalived), template, re.M), opt.keepalived


def test_the_cluster_schema_takes_the_ipvs_options_from_the_tables():
    fields = cluster_schema.SERVICE.fields
    for opt in (*O.SERVICE_OPTIONS, *O.DEST_OPTIONS):
        if opt.name in fields:
            if opt.name != 'forwarding':  # the cluster's says where its default comes from
                assert fields[opt.name].description == opt.summary, opt.name
            assert fields[opt.name].kind == opt.kind, opt.name
            assert getattr(fields[opt.name], 'choices', ()) == (opt.choices if opt.kind == 'str' else ())
            if opt.kind == 'int':
                assert (fields[opt.name].low, fields[opt.name].high) == opt.bounds
