# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An LVS cluster built by hand, as an inventory of this collection: what lvs.cluster.adopt_info read on each
director and real server (keepalived.conf, ldirectord.cf, the live IPVS table, rules files, addresses, ARP
settings, MARK rules) mapped to the cluster's variables, with a report of what was mapped, what the model cannot
express (the original line, its file and number), where the directors disagree and the real servers found in the
table but not in the inventory (kept as unmanaged `servers`).

The keepalived keywords of a checker come from keepalived_checks (the table keepalived.conf is rendered from),
the IPVS rules from the engine's parser: parse and render share their declarations.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_options, ipvs_parse
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import IPVSError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_values import FLAG_NAMES, GENERIC_FLAGS, SCHEDULERS
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_schema, keepalived_checks, service_options

KINDS = {'DR': 'dr', 'NAT': 'nat', 'TUN': 'tun'}
FORWARD = {'gate': 'dr', 'masq': 'nat', 'ipip': 'tun'}
FLAGS = tuple(f for names in FLAG_NAMES.values() for f in names) + GENERIC_FLAGS
# keepalived's keywords of the IPVS options (ipvs_options): virtual_server and real_server blocks
SERVICE_KEYWORDS = {o.keepalived: o for o in ipvs_options.SERVICE_OPTIONS if o.keepalived}
REAL_KEYWORDS = {o.keepalived: o for o in ipvs_options.DEST_OPTIONS if o.keepalived}
# keepalived keywords of older releases and what they are now
ALIASES = {'nb_get_retry': 'retry', 'delay_before_retry': 'delay_before_retry', 'lvs_sched': 'lb_algo',
           'lvs_method': 'lb_kind'}
EXTRA_LINE = r'[A-Za-z_][A-Za-z0-9_-]*( [^{}"#!\\]*)?'  # a global_defs line passed on as it is
AUTH_PASS_MAX = 8  # keepalived's PASS authentication uses the first 8 characters of auth_pass
KERNEL_TIMEOUTS = {'tcp': 900, 'tcpfin': 120, 'udp': 300}


class Report:
    """What adoption found, for ADOPT-REPORT.md and the module's result."""

    def __init__(self) -> None:
        self.mapped: List[str] = []
        self.unsupported: List[Dict[str, Any]] = []
        self.disagreements: List[str] = []
        self.unmanaged: List[str] = []
        self.notes: List[str] = []

    def drop(self, node: Dict[str, Any], why: str) -> None:
        self.unsupported.append({'file': node.get('file', ''), 'line': node.get('line', 0),
                                 'text': node.get('text', ''), 'why': why})


def _kw(node: Dict[str, Any]) -> str:
    return ALIASES.get(node['keyword'], node['keyword'])


def _int(text: Any, default: Optional[int] = None) -> Optional[int]:
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return default


def _value(opt: ipvs_options.Option, words: List[str]) -> Any:
    """The value of IPVS option OPT that a keepalived.conf line with WORDS after its keyword gives (a flag keyword
    has none: true); the cluster model checks it later."""
    if opt.kind == 'bool':
        return True
    if opt.kind == 'int':
        return _int(words[0] if words else None, opt.default)
    return words[0] if words else ''


# --------------------------------------------------------------------------- keepalived.conf

def vrrp_instances(tree: List[Dict[str, Any]], report: Report) -> List[Dict[str, Any]]:
    """The vrrp_instance blocks: name, state, interface, router id, priority, advert_int, auth, VIPs (address,
    prefix) and excluded VIPs, nopreempt, preempt_delay, unicast, and the lines the model has no word for."""
    out = []
    for node in tree:
        if node['keyword'] != 'vrrp_instance':
            continue
        inst: Dict[str, Any] = {'name': (node['args'] or ['VI_1'])[0], 'vips': [], 'excluded': [], 'unicast': False,
                                'node': node}
        for child in node['children'] or []:
            kw, args = child['keyword'], child['args']
            if kw == 'state':
                inst['state'] = (args or [''])[0].upper()
            elif kw == 'interface':
                inst['interface'] = (args or [''])[0]
            elif kw == 'virtual_router_id':
                inst['router_id'] = _int((args or [''])[0])
            elif kw == 'priority':
                inst['priority'] = _int((args or [''])[0])
            elif kw == 'advert_int':
                inst['advert_int'] = _int((args or [''])[0])
            elif kw == 'nopreempt':
                inst['nopreempt'] = True
            elif kw == 'preempt_delay':
                inst['preempt_delay'] = _int((args or ['0'])[0])
            elif kw == 'garp_master_refresh':
                inst['garp_master_refresh'] = _int((args or ['0'])[0])
            elif kw in ('unicast_src_ip', 'unicast_peer'):
                inst['unicast'] = True
            elif kw == 'authentication':
                auth = {c['keyword']: (c['args'] or [''])[0] for c in child['children'] or []}
                if auth.get('auth_type', 'PASS').upper() != 'PASS':
                    report.drop(child, 'auth_type %s: the model has PASS authentication only' % auth.get('auth_type'))
                else:
                    inst['auth_pass'] = auth.get('auth_pass', '')
            elif kw in ('virtual_ipaddress', 'virtual_ipaddress_excluded'):
                for line in child['children'] or []:
                    words = [line['keyword'], *line['args']]
                    extra = [w for w in words[1:] if w not in ('dev', inst.get('interface', ''))]
                    if extra and not (len(words) >= 3 and words[1] == 'dev'):
                        report.drop(line, 'address options other than dev (%s) are not in the model' % ' '.join(
                            extra))
                    try:
                        iface = ipaddress.ip_interface(words[0])
                    except ValueError:
                        report.drop(line, 'not an address')
                        continue
                    dest = inst['vips'] if kw == 'virtual_ipaddress' else inst['excluded']
                    dest.append({'address': str(iface.ip), 'prefix': iface.network.prefixlen,
                                 'given_prefix': '/' in words[0]})
            elif kw in ('track_script', 'track_interface', 'track_file', 'notify', 'notify_master', 'notify_backup',
                        'notify_fault', 'notify_stop', 'smtp_alert'):
                inst.setdefault('other', []).append(child)
            else:
                report.drop(child, '%s in vrrp_instance %s is not in the model' % (kw, inst['name']))
        out.append(inst)
    return out


def global_defs(tree: List[Dict[str, Any]], report: Report) -> Dict[str, Any]:
    out: Dict[str, Any] = {'extra': []}
    email: Dict[str, Any] = {}
    for node in tree:
        if node['keyword'] != 'global_defs':
            continue
        for child in node['children'] or []:
            kw, args = child['keyword'], child['args']
            if kw == 'router_id':
                out['router_id'] = (args or [''])[0]
            elif kw == 'notification_email':
                email['to'] = [c['keyword'] for c in child['children'] or []]
            elif kw == 'notification_email_from':
                email['from'] = (args or [''])[0]
            elif kw == 'smtp_server':
                email['smtp_server'] = (args or [''])[0]
                if len(args) > 1:
                    email['smtp_port'] = _int(args[1])
            elif kw == 'smtp_connect_timeout':
                email['connect_timeout'] = _int((args or [''])[0])
            elif kw == 'lvs_sync_daemon':
                out['sync_daemon'] = True
                out['sync_interface'] = (args or [''])[0]
            elif kw == 'vrrp_garp_master_refresh':
                out['garp_master_refresh'] = _int((args or ['0'])[0])
            elif kw.startswith('vrrp_garp_') and kw[len('vrrp_garp_'):] in (
                    'master_delay', 'master_repeat', 'master_refresh_repeat', 'lower_prio_delay',
                    'lower_prio_repeat'):
                out.setdefault('garp', {})[kw[len('vrrp_garp_'):]] = _int((args or ['0'])[0])
            elif kw in ('enable_script_security', 'script_user'):
                continue  # the keepalived role writes them
            elif child['children'] is None and re.fullmatch(EXTRA_LINE, ' '.join([kw, *args])):
                out['extra'].append(' '.join([kw, *args]))
                report.mapped.append('%s:%d %s: kept as keepalived_global_defs_extra' % (
                    child['file'], child['line'], kw))
            else:
                report.drop(child, 'global_defs %s is not in the model' % kw)
    if email.get('to'):
        out['email'] = email
    return out


ROLE_TRACK_FILE = 'lvs_handover'  # the keepalived role's handover track_file (templates/keepalived/global_defs.j2)
INSTANCE_BLOCKS = ('global_defs', 'vrrp_instance', 'virtual_server', 'virtual_server_group')


def top_level(tree: List[Dict[str, Any]], report: Report) -> Dict[str, Any]:
    """The global blocks that instances and checkers name: vrrp_script (name -> script keys), track_file (name ->
    its keywords), vrrp_sync_group (name, members, notify commands, other lines). Any other top-level statement
    is reported."""
    out: Dict[str, Any] = {'scripts': {}, 'track_files': {}, 'sync_groups': []}
    for node in tree:
        kw = node['keyword']
        if kw in INSTANCE_BLOCKS:
            continue
        name = (node['args'] or [''])[0]
        children = node['children'] or []
        if node.get('conditional'):
            report.drop(node, 'a line keepalived reads only on some hosts or with a definition (@, $): not in the '
                        'model')
        elif kw == 'vrrp_script' and node['children'] is not None:
            script: Dict[str, Any] = {'name': name}
            for c in children:
                if c['keyword'] == 'script':
                    script['script'] = ' '.join(c['args'])
                elif c['keyword'] in ('interval', 'timeout', 'weight', 'rise', 'fall'):
                    script[c['keyword']] = _int((c['args'] or [''])[0])
                else:
                    report.drop(c, '%s in vrrp_script %s is not in the model' % (c['keyword'], name))
            out['scripts'][name] = script
        elif kw == 'track_file' and node['children'] is not None:
            out['track_files'][name] = {c['keyword']: ' '.join(c['args']) for c in children}
        elif kw == 'vrrp_sync_group' and node['children'] is not None:
            group: Dict[str, Any] = {'name': name, 'members': [], 'notify': {}, 'other': [], 'node': node}
            for c in children:
                if c['keyword'] == 'group':
                    group['members'] = [m['keyword'] for m in c['children'] or []]
                elif c['keyword'] == 'notify' or c['keyword'].startswith('notify_'):
                    group['notify'][c['keyword']] = ' '.join(c['args'])
                elif c['keyword'] != 'sync_group_tracking_weight':
                    group['other'].append(c)
            out['sync_groups'].append(group)
        else:
            report.drop(node, '%s is not in the model' % kw)
    return out


def instance_tracking(inst: Dict[str, Any], top: Dict[str, Any], handover_file: str,
                      report: Report) -> Dict[str, Any]:
    """What a vrrp_instance tracks and notifies: script names, interfaces (name, weight), notify commands (keyword ->
    command); the role's own handover track_file is left out, other track_files reported."""
    out: Dict[str, Any] = {'scripts': [], 'interfaces': [], 'notify': {}}
    for node in inst.get('other', []):
        kw = node['keyword']
        if kw == 'track_script':
            for e in node['children'] or []:
                out['scripts'].append(e['keyword'])
                if e['args']:
                    report.drop(e, 'a weight of its own for a tracked script: the model has the vrrp_script\'s '
                                'weight')
        elif kw == 'track_interface':
            for e in node['children'] or []:
                weight = _int(e['args'][1]) if len(e['args']) == 2 and e['args'][0] == 'weight' else None
                if e['args'] and weight is None:
                    report.drop(e, 'track_interface options other than weight are not in the model')
                out['interfaces'].append({'name': e['keyword'], 'weight': weight or 0})
        elif kw == 'track_file':
            for e in node['children'] or []:
                if e['keyword'] == ROLE_TRACK_FILE or top['track_files'].get(e['keyword'], {}).get(
                        'file') == handover_file:
                    continue
                report.drop(e, 'track_file %s of vrrp_instance %s is not in the model (files are read by FILE_CHECK '
                            'and the handover playbook only)' % (e['keyword'], inst['name']))
        elif kw == 'notify' or kw.startswith('notify_'):
            out['notify'][kw] = ' '.join(node['args'])
        else:
            report.drop(node, '%s in vrrp_instance %s is not in the model' % (kw, inst['name']))
    return out


def _check(real: Dict[str, Any], report: Report) -> Optional[Dict[str, Any]]:
    """The checker of a real_server block as health_check keys (None: none)."""
    found = None
    for child in real['children'] or []:
        if not child['keyword'].endswith('_CHECK') and child['keyword'] not in ('HTTP_GET', 'SSL_GET'):
            continue
        if found is not None:
            report.drop(child, 'a second checker of a real server: the model has one per service')
            continue
        body = _body(child['children'] or [])
        try:
            found = keepalived_checks.parse_block(child['keyword'], body)
        except KeyError:
            report.drop(child, 'checker %s is not in the model (checkers: %s)' % (
                child['keyword'], ', '.join(c.block for c in keepalived_checks.CHECKERS.values())))
            continue
        for kw in found.pop('_unknown', []):
            node = next(c for c in _walk(child['children'] or []) if c['keyword'] == kw)
            report.drop(node, '%s in %s is not in the model' % (kw, child['keyword']))
    return found


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n['children'] or [])


def _body(nodes: List[Dict[str, Any]]) -> List[Tuple[str, Any]]:
    """A block's statements as (keyword, value or nested body), aliases resolved."""
    out = []
    for n in nodes:
        kw = _kw(n)
        out.append((kw, _body(n['children']) if n['children'] is not None else ' '.join(n['args'])))
    return out


def virtual_servers(tree: List[Dict[str, Any]], report: Report) -> List[Dict[str, Any]]:
    """The virtual_server blocks: key (address, port or fwmark), options, and real servers with their weight and
    checker."""
    out = []
    for node in tree:
        if node['keyword'] != 'virtual_server':
            if node['keyword'] == 'virtual_server_group':
                report.drop(node, 'virtual_server_group is not in the model (one virtual_server per service)')
            continue
        args = node['args']
        vs: Dict[str, Any] = {'options': {}, 'reals': [], 'node': node}
        if args and args[0] == 'fwmark':
            vs['fwmark'] = _int(args[1] if len(args) > 1 else None)
        elif len(args) >= 2:
            vs['address'], vs['port'] = args[0], _int(args[1])
        else:
            report.drop(node, 'a virtual_server without address and port')
            continue
        o = vs['options']
        for child in node['children'] or []:
            kw, words = _kw(child), child['args']
            arg = words[0] if words else ''
            if kw == 'real_server':
                real = {'address': arg, 'port': _int(words[1] if len(words) > 1 else None), 'weight': 1,
                        'options': {}}
                for rc in child['children'] or []:
                    rkw = _kw(rc)
                    if rkw in REAL_KEYWORDS:
                        opt = REAL_KEYWORDS[rkw]
                        (real if opt.name == 'weight' else real['options'])[opt.name] = _value(opt, rc['args'])
                    elif rkw in ('inhibit_on_failure',):
                        real['options']['inhibit_on_failure'] = True
                    elif rkw.endswith('_CHECK') or rkw in ('HTTP_GET', 'SSL_GET'):
                        continue
                    else:
                        report.drop(rc, 'real_server %s is not in the model' % rkw)
                real['check'] = _check(child, report)
                vs['reals'].append(real)
            elif kw in SERVICE_KEYWORDS:
                o[SERVICE_KEYWORDS[kw].name] = _value(SERVICE_KEYWORDS[kw], words)
            elif kw == 'lb_kind':
                o['forwarding'] = KINDS.get(arg.upper(), arg.lower())
            elif kw == 'protocol':
                o['protocol'] = arg.lower()
            elif kw in ('delay_loop', 'quorum', 'hysteresis'):
                o[kw] = _int(arg)
            elif kw in ('alpha', 'omega', 'sorry_server_inhibit'):
                o[kw] = True
            elif kw in ('quorum_up', 'quorum_down'):
                o[kw] = ' '.join(words)
            elif kw == 'sorry_server':
                o['sorry_server'] = {'address': arg, **({'port': _int(words[1])} if len(words) > 1 else {})}
            elif kw in FLAGS:
                o.setdefault('sched_flags', []).append(kw)
            elif kw == 'virtualhost':
                o['virtualhost'] = arg  # the HTTP checkers' default (below: a line of its own if they have theirs)
            elif kw == 'nat_mask':
                report.drop(child, 'nat_mask is not read by keepalived 2 (IPVS has no such setting): dropped')
            elif child['children'] is None and re.fullmatch(EXTRA_LINE, ' '.join([child['keyword'], *child['args']])):
                o.setdefault('keepalived_extra', []).append(' '.join([child['keyword'], *child['args']]))
                report.mapped.append('%s:%d %s: kept as the service\'s keepalived_extra' % (
                    child['file'], child['line'], kw))
            else:
                report.drop(child, 'virtual_server %s is not in the model' % kw)
        if 'virtualhost' in o and any((r.get('check') or {}).get('virtualhost') for r in vs['reals']):
            o.setdefault('keepalived_extra', []).append('virtualhost %s' % o.pop('virtualhost'))
        out.append(vs)
    return out


# --------------------------------------------------------------------------- ldirectord.cf

def ldirectord_services(conf: Dict[str, Any], report: Report) -> List[Dict[str, Any]]:
    """ldirectord's virtual sections as virtual servers of keepalived (the same shape as virtual_servers), its
    checks converted: negotiate (http, https) -> HTTP_GET / SSL_GET with the request's path (the receive string
    cannot be matched by keepalived: the status is checked), connect -> TCP_CHECK, on/off -> none,
    fallback -> sorry server, quiescent=yes -> inhibit_on_failure."""
    glob = conf.get('global', {})
    path = conf.get('path', 'ldirectord.cf')
    out = []
    for v in conf.get('virtuals', []):
        opts = dict(glob)
        opts.update(v['options'])
        node = {'file': path, 'line': v['line'], 'text': 'virtual=%s' % v['virtual']}
        vs: Dict[str, Any] = {'options': {}, 'reals': [], 'node': node}
        value = v['virtual']
        protocol = opts.get('protocol', 'tcp').lower()
        if protocol == 'fwm' or re.fullmatch(r'\d+', value):
            vs['fwmark'] = _int(value)
        else:
            addr, _sep, port = value.rpartition(':')
            vs['address'], vs['port'] = addr.strip('[]'), _port(port)
        o = vs['options']
        if protocol in ('tcp', 'udp', 'sctp'):
            o['protocol'] = protocol
        o['scheduler'] = opts.get('scheduler', 'wrr')
        if opts.get('persistent'):
            o['persistence'] = _int(opts['persistent'], 0)
        if opts.get('netmask'):
            o['netmask'] = opts['netmask']
        if opts.get('checkinterval'):
            o['delay_loop'] = _int(opts['checkinterval'])
        if opts.get('quiescent', 'yes').lower() == 'yes':
            o['inhibit_on_failure'] = True
        if opts.get('fallback'):
            fb = opts['fallback'].split()[0]
            addr, _sep, port = fb.rpartition(':')
            o['sorry_server'] = {'address': addr or fb, **({'port': _port(port)} if port else {})}
        check = _ld_check(opts, report, node)
        methods = set()
        for r in v['reals']:
            methods.add(FORWARD.get(r['method'], r['method']))
            vs['reals'].append({'address': r['address'], 'port': _port(r['port']) if r['port'] else vs.get('port'),
                                'weight': _int(r['weight'], 1), 'options': {}, 'check': check})
        if len(methods) == 1:
            o['forwarding'] = methods.pop()
        elif methods:
            report.drop(node, 'real servers of several forwarding methods (%s) in one service' % ', '.join(methods))
        for key in sorted(set(opts) - LD_MAPPED):
            report.drop({'file': path, 'line': conf.get('where', {}).get('%s|%s' % (None, key), v['line']),
                         'text': '%s=%s' % (key, opts[key])}, '%s is not in the model' % key)
        out.append(vs)
    return out


LD_MAPPED = {'protocol', 'scheduler', 'persistent', 'netmask', 'checkinterval', 'quiescent', 'fallback', 'checktype',
             'service', 'request', 'receive', 'checkport', 'virtualhost', 'checktimeout', 'negotiatetimeout',
             'connecttimeout', 'failurecount', 'logfile', 'autoreload', 'cleanstop'}


def _port(text: str) -> Optional[int]:
    if re.fullmatch(r'\d+', text or ''):
        return int(text)
    return ipvs_parse.service_port(text)


def _ld_check(opts: Dict[str, str], report: Report, node: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    kind = opts.get('checktype', 'negotiate').lower()
    service = opts.get('service', 'none').lower()
    timeout = _int(opts.get('negotiatetimeout') or opts.get('checktimeout') or opts.get('connecttimeout'))
    common = {k: v for k, v in (('connect_timeout', timeout), ('port', _int(opts.get('checkport')))) if v}
    if opts.get('failurecount'):
        common['retry'] = max(0, _int(opts['failurecount'], 1) - 1)
    if kind in ('on', 'off'):
        return {'type': 'none'}
    if kind == 'connect':
        return dict(common, type='tcp')
    if kind in ('negotiate', 'combined') or re.fullmatch(r'\d+', kind):
        if service in ('http', 'https'):
            request = opts.get('request', '/')
            hc = dict(common, type=service, path=request if request.startswith('/') else '/' + request)
            if opts.get('virtualhost'):
                hc['virtualhost'] = opts['virtualhost']
            if opts.get('receive'):
                report.notes.append('%s:%d: receive=%s: keepalived checks the status of the page (200), not its '
                                    'text (set health_check.digest to check its content)' % (
                                        node['file'], node['line'], opts['receive']))
            return hc
        if service in ('none', ''):
            return dict(common, type='tcp')
        report.drop(node, 'checktype=%s with service=%s: no keepalived checker for it (TCP_CHECK used)'
                    % (kind, service))
        return dict(common, type='tcp')
    report.drop(node, 'checktype=%s is not in the model (TCP_CHECK used)' % kind)
    return dict(common, type='tcp')


# --------------------------------------------------------------------------- the live host

def addresses(ip_output: str) -> List[Tuple[str, int, str]]:
    """(address, prefix, device) of `ip -o addr show`, loopback and link-local addresses left out."""
    out = []
    for line in (ip_output or '').splitlines():
        f = line.split()
        if len(f) >= 4 and f[2] in ('inet', 'inet6'):
            iface = ipaddress.ip_interface(f[3])
            if not (iface.ip.is_loopback or iface.ip.is_link_local):
                out.append((str(iface.ip), iface.network.prefixlen, f[1].split('@')[0]))
    return out


def mark_rules(text: str) -> Dict[int, Tuple[str, List[int]]]:
    """{mark: (address, [tcp ports])} of the MARK rules in `iptables -t mangle -S`."""
    out: Dict[int, Tuple[str, List[int]]] = {}
    for line in (text or '').splitlines():
        m = re.search(r'-d (\S+?)(?:/32)? .*--dport (\d+) .*-j MARK --set-(?:x)?mark (0x[0-9a-f]+|\d+)', line)
        if m:
            mark = int(m.group(3), 0)
            _addr, ports = out.setdefault(mark, (m.group(1), []))
            ports.append(int(m.group(2)))
    return out


def table_services(services: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The live table (ipvs_info's services, or a rules file parsed) as virtual servers of the same shape as
    virtual_servers()."""
    out = []
    for s in services:
        vs: Dict[str, Any] = {'options': {'scheduler': s['scheduler']}, 'reals': [], 'node': {
            'file': 'the IPVS table', 'line': 0, 'text': s.get('label', '')}}
        if s['protocol'] == 'fwmark':
            vs['fwmark'] = s['fwmark']
        else:
            vs['address'], vs['port'] = s['address'], s['port']
            vs['options']['protocol'] = s['protocol']
        o = vs['options']
        o.update((k, list(s[k]) if isinstance(s[k], (list, tuple)) else s[k])
                 for k in ipvs_options.SERVICE_FIELDS if s.get(k))
        fwds = {d['forwarding'] for d in s['destinations']}
        if len(fwds) == 1:
            o['forwarding'] = fwds.pop()
        for d in s['destinations']:
            # the real server's IPVS options the cluster keeps per service (thresholds; not its forwarding or weight)
            opts = {k: d[k] for k in ipvs_options.DEST_FIELDS
                    if d.get(k) and k in cluster_schema.SERVICE.fields and k not in ('forwarding', 'weight')}
            vs['reals'].append({'address': d['address'], 'port': d['port'], 'weight': d['weight'], 'options': opts,
                                'check': None})
        out.append(vs)
    return out


def rules_file_services(text: str, path: str, report: Report) -> List[Dict[str, Any]]:
    """A rules file (ipvsadm-save, `ipvsadm -Sn > FILE`, or the ipvsadm commands of a script) as services."""
    lines = [re.sub(r'^\s*(ipvsadm)\s+', '', line) for line in text.splitlines()
             if re.match(r'^\s*(ipvsadm\s+)?-[AaC]\b', line)]
    try:
        table = ipvs_parse.parse_save('\n'.join(lines))
    except IPVSError as exc:
        report.drop({'file': path, 'line': 0, 'text': ''}, 'cannot be read: %s' % exc)
        return []
    return table_services(table.to_list())


def _shape(services: List[Dict[str, Any]]) -> List[Any]:
    """What two tables must share to be the same: services, schedulers and options, real servers and weights."""
    return sorted(repr((vs.get('fwmark'), vs.get('address'), vs.get('port'), sorted(vs['options'].items()),
                        sorted((r['address'], r['port'], r['weight']) for r in vs['reals']))) for vs in services)


# --------------------------------------------------------------------------- the cluster

def _service_name(vs: Dict[str, Any], taken: set) -> str:
    base = ('fwmark-%d' % vs['fwmark']) if vs.get('fwmark') else '%s-%d' % (
        vs['options'].get('protocol', 'tcp'), vs.get('port') or 0)
    name = base
    if name in taken:
        name = '%s-%s' % (base, str(vs.get('address', '')).replace(':', '-').replace('.', '-'))
    taken.add(name)
    return name[:32]


def _holder(infos: Dict[str, Any], directors: List[str], vip: str) -> Optional[str]:
    for d in directors:
        if any(a == vip for a, _p, _dev in addresses((infos.get(d) or {}).get('addresses', ''))):
            return d
    return None


class Adopter:
    """The mapping of one cluster; adopt() runs it."""

    def __init__(self, infos: Dict[str, Any], directors: List[str], realservers: List[str],
                 hostvars: Dict[str, Dict[str, Any]]) -> None:
        self.infos, self.directors, self.realservers, self.hostvars = infos, directors, realservers, hostvars
        self.report = Report()
        self.cluster: Dict[str, Any] = {}
        self.host_vars: Dict[str, Dict[str, Any]] = {h: {} for h in directors + realservers}
        self.secret: Optional[str] = None
        self.top: Dict[str, Any] = {'scripts': {}, 'track_files': {}, 'sync_groups': []}

    def info(self, host: str) -> Dict[str, Any]:
        return self.infos.get(host) or {}

    def tree(self, host: str) -> List[Dict[str, Any]]:
        kc = self.info(host).get('keepalived')
        return kc['tree'] if kc else []

    # -- sources ------------------------------------------------------------------------------
    def sources(self, host: str, report: Report) -> Tuple[str, List[Dict[str, Any]]]:
        """(where the services come from, the services) of HOST: keepalived.conf's virtual servers, ldirectord.cf,
        the live table, a rules file."""
        vs = virtual_servers(self.tree(host), report)
        if vs:
            return 'keepalived', vs
        ld = self.info(host).get('ldirectord')
        if ld and ld.get('virtuals'):  # Debian's package ships an ldirectord.cf without any
            return 'ldirectord', ldirectord_services(ld, report)
        ipvs = self.info(host).get('ipvs')
        live = table_services(ipvs['services']) if ipvs and ipvs.get('services') else []
        for path, text in (self.info(host).get('rules_files') or {}).items():
            found = rules_file_services(text, path, report)
            if found and not live:
                return 'rules', found
            if found and _shape(found) != _shape(live):
                report.notes.append('%s on %s restores another table at boot than the one running: the running one '
                                    'was adopted' % (path, host))
        return ('table', live) if live else ('none', [])

    # -- the whole cluster ---------------------------------------------------------------------
    def run(self) -> None:
        rep = self.report
        for info in self.infos.values():
            for err in info.get('errors') or []:
                rep.unsupported.append({'file': err.split(':')[0], 'line': 0, 'text': '', 'why': err})
        per_director = {}
        for d in self.directors:
            quiet = Report()  # the other directors' drops repeat the primary's; their differences are compared
            per_director[d] = {'instances': vrrp_instances(self.tree(d), quiet), 'sources': self.sources(d, quiet),
                               'global': global_defs(self.tree(d), quiet), 'report': quiet}
        primary = self.primary(per_director)
        p = per_director[primary]
        self.top = top_level(self.tree(primary), self.report)
        self.report.unsupported += p['report'].unsupported
        self.report.mapped += p['report'].mapped
        self.report.notes += p['report'].notes
        source, services = p['sources']
        self.compare(per_director, primary)
        owner = 'keepalived' if source in ('keepalived', 'ldirectord') else 'ansible'
        self.cluster['lvs_ipvs_owner'] = owner
        if source == 'ldirectord':
            self.cluster['director_replace_ldirectord'] = True
            rep.notes.append('ldirectord.cf converted to keepalived checks; the director role stops ldirectord '
                             '(without removing its services: cleanstop=no) and keepalived takes the table over')
        rep.mapped.append('services from %s on %s (%d)' % ({'keepalived': 'keepalived.conf', 'ldirectord':
                                                            'ldirectord.cf', 'table': 'the live IPVS table',
                                                            'rules': 'a rules file', 'none': 'nowhere'}[source],
                                                           primary, len(services)))
        self.vrrp(per_director, primary, services, source)
        self.services(services)
        self.sync_and_timeouts(primary)
        self.realserver_vars()

    def primary(self, per_director) -> str:
        """The director whose configuration is taken: the one holding the first VIP, else the first."""
        for d in self.directors:
            for inst in per_director[d]['instances']:
                if inst['vips'] and _holder(self.infos, [d], inst['vips'][0]['address']):
                    return d
        return self.directors[0]

    def compare(self, per_director, primary: str) -> None:
        """Where the directors' configurations differ beyond state, priority, router_id and unicast addresses."""
        def shape(d):
            inst = [{k: v for k, v in i.items() if k not in ('state', 'priority', 'other', 'unicast', 'node')}
                    for i in per_director[d]['instances']]
            src, vs = per_director[d]['sources']
            services = [({k: v for k, v in s.items() if k != 'node'}) for s in vs]
            glob = {k: v for k, v in per_director[d]['global'].items() if k not in ('router_id',)}
            return {'instances': inst, 'source': src, 'services': services, 'global_defs': glob}
        base = shape(primary)
        for d in self.directors:
            if d == primary:
                continue
            other = shape(d)
            for key in base:
                if base[key] != other[key]:
                    self.report.disagreements.append('%s and %s differ in their %s' % (primary, d, key.replace(
                        '_', ' ')))

    # -- VRRP --------------------------------------------------------------------------------
    def vrrp(self, per_director, primary: str, services, source: str) -> None:
        c, rep = self.cluster, self.report
        instances = per_director[primary]['instances']
        glob = per_director[primary]['global']
        marks = mark_rules((self.info(primary) or {}).get('marks', ''))
        service_vips = [vs['address'] for vs in services if vs.get('address')] + [
            marks[vs['fwmark']][0] for vs in services if vs.get('fwmark') in marks]
        if not instances:
            vip = next((a for a in service_vips if _holder(self.infos, self.directors, a)), None) or \
                (service_vips[0] if service_vips else None)
            if vip:
                c['lvs_vip'] = vip
            if source == 'ldirectord' and vip:
                c['lvs_keepalived'] = True
                rep.notes.append('keepalived runs VRRP for %s from now on (virtual_router_id %d): make sure no '
                                 'other VRRP router on that network uses it' % (
                                     vip, cluster_schema.CLUSTER['lvs_vrrp_router_id'].default))
            else:
                c['lvs_keepalived'] = False
                if len(self.directors) > 1:
                    rep.unsupported.append({'file': '', 'line': 0, 'text': '', 'why': 'several directors and no '
                                            'keepalived: the model has one director without keepalived'})
            prefix = next((p for a, p, _d in addresses(self.info(primary).get('addresses', '')) if a == vip), 32)
            if vip and ':' not in vip and prefix != 32:
                c['lvs_vip_prefix'] = prefix
            return
        # NAT: an instance whose VIP is the real servers' default gateway is the gateway instance
        gateways = {m.group(1) for r in self.realservers
                    for m in re.finditer(r'default via (\S+)', self.info(r).get('routes', '') or '')}
        public = [i for i in instances if not any(v['address'] in gateways for v in i['vips'] + i['excluded'])]
        internal = [i for i in instances if i not in public]
        vips = [v['address'] for i in public for v in i['vips'] + i['excluded']]
        c['lvs_vip'] = vips[0] if vips else None
        first = public[0] if public else instances[0]
        prefix = first['vips'][0]['prefix'] if first['vips'] else 32
        if prefix != 32 and ':' not in (c['lvs_vip'] or ''):
            c['lvs_vip_prefix'] = prefix
        if first.get('interface'):
            c['lvs_public_interface'] = first['interface']
        for v in vips[1:]:
            if v not in service_vips:
                rep.unsupported.append({'file': '', 'line': 0, 'text': v, 'why': 'a VIP no service uses: the model '
                                        'carries lvs_vip and the services\' addresses'})
        for i in internal:
            for v in i['vips'] + i['excluded']:
                six = '6' if ':' in v['address'] else ''
                c['lvs_internal_vip' + six] = v['address']
                c['lvs_internal_vip%s_prefix' % six] = v['prefix'] if v['given_prefix'] else (64 if six else 24)
            c['lvs_vrrp_internal_router_id'] = i['router_id']
            if i.get('interface'):
                c['lvs_internal_interface'] = i['interface']
            if i['name'] != 'VI_GATEWAY':
                rep.notes.append('vrrp_instance %s (the real servers\' gateway) is named VI_GATEWAY by the roles: '
                                 'keepalived removes and adds its address once, at the first reload' % i['name'])
        # priorities per director (of the first instance), in descending order: the directors' group order
        prios = {d: next((i.get('priority') for i in per_director[d]['instances'] if i['name'] == first['name']),
                         None) for d in self.directors}
        order = sorted(self.directors, key=lambda d: -(prios[d] or 0))
        self.directors[:] = order
        values = [prios[d] for d in order if prios[d] is not None]
        if len(public) > 1 or first['name'] != 'VI_PUBLIC':
            def priority(d, name):
                return next((j.get('priority') or 0 for j in per_director[d]['instances'] if j['name'] == name), 0)
            c['lvs_vrrp_instances'] = [{
                'name': i['name'], 'vips': [v['address'] for v in i['vips'] + i['excluded']],
                'router_id': i.get('router_id'),
                'master': max(self.directors, key=lambda d, name=i['name']: priority(d, name))} for i in public]
        else:
            c['lvs_vrrp_router_id'] = first.get('router_id')
        if values:
            c['lvs_vrrp_priority_base'] = values[0]
            steps = {a - b for a, b in zip(values, values[1:])}
            if len(steps) == 1 and min(steps) >= 1:
                c['lvs_vrrp_priority_step'] = steps.pop()
            elif len(values) > 1 and 'lvs_vrrp_instances' not in c:
                for d in order:
                    if prios[d] is not None:
                        self.host_vars[d]['lvs_vrrp_priority'] = prios[d]
            elif len(values) > 1:
                c['lvs_vrrp_priority_step'] = max(1, values[0] - values[1])
                rep.notes.append('priorities %s become %s (base and step from the first two)' % (
                    values, [values[0] - n * c['lvs_vrrp_priority_step'] for n in range(len(values))]))
        c['lvs_keepalived'] = True
        if first.get('advert_int') not in (None, 1):
            c['keepalived_advert_int'] = first['advert_int']
        if first.get('nopreempt'):
            c['keepalived_nopreempt'] = True
        if first.get('preempt_delay'):
            c['keepalived_preempt_delay'] = first['preempt_delay']
        if first.get('garp_master_refresh') or glob.get('garp_master_refresh'):
            c['keepalived_garp_master_refresh'] = first.get('garp_master_refresh') or glob['garp_master_refresh']
        if any(i.get('unicast') for i in instances):
            c['keepalived_unicast'] = True
        if first.get('auth_pass'):
            self.secret = first['auth_pass'][:AUTH_PASS_MAX]
            if len(first['auth_pass']) > AUTH_PASS_MAX:
                rep.notes.append('auth_pass of vrrp_instance %s is longer than %d characters: keepalived uses the '
                                 'first %d, which the vault file keeps' % (first['name'], AUTH_PASS_MAX, AUTH_PASS_MAX))
            c['lvs_vrrp_auth_pass'] = '{{ vault_lvs_vrrp_auth_pass }}'
        if glob.get('email'):
            c['lvs_vrrp_email'] = dict(glob['email'])
        if glob.get('garp'):
            c['lvs_vrrp_garp'] = glob['garp']
        if glob.get('sync_daemon'):
            c['keepalived_sync_daemon'] = True
            rep.notes.append('lvs_sync_daemon: the director role runs the master and backup sync daemons on every '
                             'director instead of keepalived (keepalived_sync_daemon: true); keepalived.conf no '
                             'longer names them')
        if glob.get('extra'):
            c['keepalived_global_defs_extra'] = glob['extra']
        for d in self.directors:
            g = per_director[d]['global']
            if g.get('router_id') and g['router_id'] != d:
                self.host_vars[d]['keepalived_router_id'] = g['router_id']
            if g.get('sync_interface') and g['sync_interface'] != c.get('lvs_public_interface'):
                self.host_vars[d]['keepalived_sync_interface'] = g['sync_interface']
        self.tracking(self.top, instances, bool(internal))

    def tracking(self, top: Dict[str, Any], instances: List[Dict[str, Any]], nat: bool) -> None:
        """vrrp_script, track_interface and notify of the instances as the model's cluster-wide lvs_vrrp_scripts,
        lvs_vrrp_track_interfaces and lvs_vrrp_notify (the keepalived role renders them into every instance, the
        interfaces less each instance's own, the notify commands into the sync group with nat); what differs
        between instances is reported."""
        c, rep = self.cluster, self.report
        handover = str(self.hostvars.get(self.directors[0], {}).get('keepalived_handover_file', '')) or \
            '/etc/keepalived/lvs-handover'
        tracked = {i['name']: instance_tracking(i, top, handover, rep) for i in instances}
        names = [i['name'] for i in instances]
        why = 'the model tracks the same %s in every VRRP instance (%s)'
        scripts = {tuple(t['scripts']) for t in tracked.values()}
        if len(scripts) > 1:
            rep.drop(instances[0].get('node', {}), why % ('scripts', 'lvs_vrrp_scripts') + ': they differ here')
        used = list(scripts.pop()) if len(scripts) == 1 else []
        missing = [n for n in used if n not in top['scripts']]
        for name in missing:
            rep.drop({}, 'track_script %s: no vrrp_script of that name' % name)
        if used and not missing:
            c['lvs_vrrp_scripts'] = [top['scripts'][n] for n in used]
        for name in top['scripts']:
            if name not in used:
                rep.notes.append('vrrp_script %s is tracked by no instance: left out' % name)
        every: List[Dict[str, Any]] = []
        for t in tracked.values():
            for e in t['interfaces']:
                if e['name'] not in [x['name'] for x in every]:
                    every.append(e)
        by_instance = {i['name']: i.get('interface') for i in instances}
        for name, t in tracked.items():
            expected = [e for e in every if e['name'] != by_instance[name]]
            if sorted(map(str, t['interfaces'])) != sorted(map(str, expected)):
                rep.drop({}, why % ('interfaces', 'lvs_vrrp_track_interfaces') + ': vrrp_instance %s tracks %s' % (
                    name, ', '.join(e['name'] for e in t['interfaces']) or 'none'))
                every = []
                break
        if every:
            c['lvs_vrrp_track_interfaces'] = every
        groups = top['sync_groups']
        if nat and len(groups) == 1 and sorted(groups[0]['members']) == sorted(names):
            notify = [groups[0]['notify']]
            for node in groups[0]['other']:
                rep.drop(node, '%s in vrrp_sync_group %s is not in the model' % (node['keyword'], groups[0]['name']))
        else:
            for g in groups:
                rep.drop(g['node'], 'vrrp_sync_group %s: the model makes one sync group, of the public and gateway '
                         'instances of nat' % g['name'])
            notify = [t['notify'] for t in tracked.values()]
        if any(notify) and all(n == notify[0] for n in notify):
            commands = dict(notify[0])
            if 'notify' in commands:
                c['keepalived_notify_script'] = commands.pop('notify')
            if commands:
                c['lvs_vrrp_notify'] = {k[len('notify_'):]: v for k, v in commands.items()}
        elif any(notify):
            rep.drop({}, 'notify commands that differ between the VRRP instances: the model has one set '
                     '(lvs_vrrp_notify)')

    # -- services ------------------------------------------------------------------------------
    def owner_of(self) -> Dict[str, str]:
        """Every address of the inventory's real servers -> the host."""
        out = {}
        for r in self.realservers:
            for a, _p, dev in addresses(self.info(r).get('addresses', '')):
                if dev not in ('lo', 'tunl0', 'ip6tnl0'):
                    out.setdefault(a, r)
            host = str(self.hostvars.get(r, {}).get('ansible_host', ''))
            if host:
                out.setdefault(host, r)
        return out

    def services(self, services: List[Dict[str, Any]]) -> None:
        c, rep = self.cluster, self.report
        owner_of = self.owner_of()
        marks = mark_rules((self.info(self.directors[0]) or {}).get('marks', ''))
        fwds = {vs['options'].get('forwarding', 'dr') for vs in services}
        if len(fwds) == 1:
            c['lvs_forwarding'] = fwds.pop()
        taken: set = set()
        out, used_hosts = [], set()
        weights_of: Dict[str, set] = {}
        for vs in services:
            o = dict(vs['options'])
            svc: Dict[str, Any] = {'name': _service_name(vs, taken)}
            if vs.get('fwmark'):
                svc['fwmark'] = vs['fwmark']
                if vs['fwmark'] in marks:
                    addr, ports = marks[vs['fwmark']]
                    svc['ports'] = sorted(set(ports))
                    if addr != c.get('lvs_vip'):
                        svc['address'] = addr
            else:
                svc['port'] = vs['port']
                if vs['address'] != c.get('lvs_vip'):
                    svc['address'] = vs['address']
                if o.get('protocol', 'tcp') != 'tcp':
                    svc['protocol'] = o['protocol']
            if 'lvs_forwarding' not in c:
                svc['forwarding'] = o.get('forwarding', 'dr')
            for key in ('scheduler', 'persistence', 'netmask', 'delay_loop', 'quorum', 'hysteresis', 'alpha', 'omega',
                        'quorum_up', 'quorum_down', 'sorry_server_inhibit', 'one_packet', 'persistence_engine',
                        'sched_flags', 'inhibit_on_failure', 'keepalived_extra'):
                if o.get(key) not in (None, '', [], False, 0) and not (key == 'scheduler' and o[key] == 'wlc'):
                    svc[key] = o[key]
            if svc.get('scheduler') and svc['scheduler'] not in SCHEDULERS:
                rep.drop(vs['node'], 'scheduler %s is not an IPVS scheduler' % svc['scheduler'])
                svc.pop('scheduler')
            if o.get('sorry_server'):
                svc['sorry_server'] = o['sorry_server']
            self.reals(vs, svc, owner_of, used_hosts, weights_of)
            hc = self.health_check(vs, o, owner_of)
            if hc is not None:
                svc['health_check'] = hc
            out.append(svc)
        c['lvs_services'] = out
        for h, ws in weights_of.items():
            if len(ws) == 1 and ws != {1}:
                self.host_vars[h]['lvs_weight'] = ws.pop()
                for svc in out:
                    svc.get('weights', {}).pop(h, None)
                    if 'weights' in svc and not svc['weights']:
                        svc.pop('weights')
        for r in self.realservers:
            if r not in used_hosts:
                rep.notes.append('real server %s of the inventory serves no service of the table' % r)

    def reals(self, vs, svc, owner_of, used_hosts, weights_of) -> None:
        hosts, servers, weights, inhibit = [], [], {}, set()
        port = vs.get('port') or 0
        for real in vs['reals']:
            host = owner_of.get(real['address'])
            inhibit.add(bool(real['options'].get('inhibit_on_failure')))
            if host:
                hosts.append(host)
                used_hosts.add(host)
                self.real_address(host, real['address'], vs)
                weights_of.setdefault(host, set()).add(real['weight'])
                weights[host] = real['weight']
                if real.get('port') and port and real['port'] != port:
                    svc['real_port'] = real['port']
            else:
                entry = {'address': real['address'], 'weight': real['weight']}
                if real.get('port') and port and real['port'] != port:
                    entry['port'] = real['port']
                servers.append(entry)
                self.report.unmanaged.append('%s (in %s, not an inventory host: kept as an unmanaged server)' % (
                    real['address'], svc['name']))
            for key in ('upper_threshold', 'lower_threshold'):
                if real['options'].get(key):
                    svc[key] = real['options'][key]
        if True in inhibit and False not in inhibit:
            svc['inhibit_on_failure'] = True
        elif len(inhibit) > 1:
            self.report.drop(vs['node'], 'inhibit_on_failure on some real servers only: the model sets it per '
                             'service (left out)')
        if hosts and sorted(hosts) != sorted(self.realservers):
            svc['realservers'] = hosts
        if servers:
            svc['servers'] = servers
        if any(w != 1 for w in weights.values()):
            svc['weights'] = dict(weights)

    def real_address(self, host: str, address: str, vs) -> None:
        """lvs_real_address(6) of HOST when the directors send to another address than its ansible_host."""
        key = 'lvs_real_address6' if ':' in address else 'lvs_real_address'
        given = self.host_vars[host].get(key)
        if given is None:
            if address != str(self.hostvars.get(host, {}).get('ansible_host', '')):
                self.host_vars[host][key] = address
        elif given != address:
            self.report.drop(vs['node'], 'real server %s is %s here and %s in another service: the model gives a '
                             'host one address per family (%s)' % (host, address, given, key))

    def health_check(self, vs, o, owner_of) -> Optional[Dict[str, Any]]:
        checks = [r.get('check') for r in vs['reals']]
        if not checks or all(ch is None for ch in checks):
            return None if self.cluster.get('lvs_ipvs_owner') != 'keepalived' or not vs['reals'] else \
                {'type': 'none'}
        first = next(ch for ch in checks if ch is not None)
        hc = {k: v for k, v in first.items() if not k.startswith('@')}
        if first.get('type') in ('misc', 'file'):
            self.per_real_path(vs, hc, owner_of)
        if o.get('virtualhost') and hc.get('type') in ('http', 'https'):
            hc.setdefault('virtualhost', o['virtualhost'])
        for key in ('port', 'connect_timeout', 'retry', 'delay_before_retry', 'status_code'):
            if key in hc:
                hc[key] = _int(hc[key], hc[key])
        if hc.get('port') == (vs.get('port') or None):
            hc.pop('port')
        if any({k: v for k, v in (ch or {}).items() if not k.startswith('@')} != {
                k: v for k, v in first.items() if not k.startswith('@')} for ch in checks):
            self.report.notes.append('%s: the real servers\' checkers differ; the first one\'s is used for all' %
                                     vs['node'].get('text', ''))
        return hc

    def per_real_path(self, vs, hc, owner_of) -> None:
        """misc_path (MISC_CHECK's command) or file_path (FILE_CHECK's track_file's file) of HC: the template with
        {address}, {port} and {name} that gives each real server's own (service_options.fill)."""
        kind = hc['type']
        cases = []
        for r in vs['reals']:
            check = r.get('check') or {}
            if kind == 'misc':
                text = check.get('@misc_path', '')
            else:
                text = self.top['track_files'].get(check.get('@track_file', ''), {}).get('file')
                if text is None:
                    self.report.drop(vs['node'], 'FILE_CHECK of %s names track_file %s, which is not declared' % (
                        r['address'], check.get('@track_file')))
                    return
            values = {'address': r['address'], 'port': r.get('port') or vs.get('port') or hc.get('port') or 0,
                      'name': owner_of.get(r['address'], r['address'])}
            cases.append((text, values))
        template = service_options.unfill(cases, service_options.MISC_PLACEHOLDERS if kind == 'misc' else
                                          service_options.FILE_PLACEHOLDERS)
        if template is None:
            self.report.drop(vs['node'], '%s that differ per real server beyond its %s' % (
                'MISC_CHECK commands' if kind == 'misc' else 'FILE_CHECK files',
                'address and port' if kind == 'misc' else 'name, address and port'))
        else:
            hc['misc_path' if kind == 'misc' else 'file_path'] = template

    # -- director settings, real servers ----------------------------------------------------------
    def sync_and_timeouts(self, primary: str) -> None:
        ipvs = self.info(primary).get('ipvs') or {}
        timeouts = {k: v for k, v in (ipvs.get('timeouts') or {}).items() if KERNEL_TIMEOUTS.get(k) != v}
        if timeouts:
            self.cluster['director_ipvs_timeouts'] = timeouts
        # the director role runs the sync daemons with either owner; keepalived's lvs_sync_daemon maps to
        # keepalived_sync_daemon (both daemons on every director), whose id the live daemons tell
        pair = bool(self.cluster.get('keepalived_sync_daemon'))
        for d in self.directors:
            daemons = (self.info(d).get('ipvs') or {}).get('daemons') or []
            states = sorted({x.get('state') for x in daemons if x.get('state')})
            if states:
                first = daemons[0]
                if first.get('syncid'):
                    self.cluster['director_sync_id'] = first['syncid']
                if pair:
                    continue
                self.host_vars[d]['director_sync_daemon'] = 'both' if len(states) > 1 else states[0]
                if first.get('mcast_interface'):
                    self.host_vars[d]['director_sync_interface'] = first['mcast_interface']

    def realserver_vars(self) -> None:
        for r in self.realservers:
            s = self.info(r).get('sysctls') or {}
            ignore = max(_int(s.get('net.ipv4.conf.all.arp_ignore'), 0), _int(s.get('net.ipv4.conf.lo.arp_ignore'), 0))
            announce = max(_int(s.get('net.ipv4.conf.all.arp_announce'), 0),
                           _int(s.get('net.ipv4.conf.lo.arp_announce'), 0))
            if ignore == 2:
                self.host_vars[r]['realserver_arp_ignore'] = 2
            elif ignore != 1 and self.cluster.get('lvs_forwarding', 'dr') in ('dr', 'tun'):
                self.report.notes.append('real server %s answers ARP for its VIP today (arp_ignore %d): the '
                                         'realserver role sets 1' % (r, ignore))
            if announce not in (2,) and self.cluster.get('lvs_forwarding', 'dr') in ('dr', 'tun'):
                self.report.notes.append('real server %s announces with arp_announce %d today: the realserver role '
                                         'sets 2' % (r, announce))

    # -- the result ----------------------------------------------------------------------------
    def inventory(self) -> Dict[str, Any]:
        """{'hosts': hosts.yml, 'group_vars': group_vars/all/main.yml, 'host_vars': {host: vars}} (the secret
        separately: self.secret)."""
        c = {k: v for k, v in self.cluster.items() if v is not None}
        hosts = {'all': {'children': {
            'directors': {'hosts': {d: self._conn(d) for d in self.directors}},
            'realservers': {'hosts': {r: self._conn(r) for r in self.realservers}}}}}
        return {'hosts': hosts, 'group_vars': c, 'host_vars': {h: v for h, v in self.host_vars.items() if v}}

    def _conn(self, host: str) -> Dict[str, Any]:
        hv = self.hostvars.get(host, {})
        return {k: hv[k] for k in ('ansible_host', 'ansible_port', 'ansible_user') if k in hv} or None


def adopt(infos: Dict[str, Any], directors: List[str], realservers: List[str],
          hostvars: Dict[str, Dict[str, Any]]) -> Tuple[Dict[str, Any], Optional[str], Report]:
    """(inventory, the VRRP secret or None, report) of the cluster INFOS describes ({host: adopt_info})."""
    a = Adopter(infos, list(directors), list(realservers), hostvars)
    a.run()
    return a.inventory(), a.secret, a.report
