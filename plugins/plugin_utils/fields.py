# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small typed schema for inventory data: every field has a type, a range and a meaning.

``Field.check(value, path, errors)`` returns the normalised value or ``MISSING`` and appends one
message per problem to *errors*, each naming the field path and the bad value, e.g.
``lvs_services[0].health_check.port: 70000 is out of range 1-65535``.  Nothing raises, so one run
reports every error.  Secrets are never echoed.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable, Dict, Optional, Sequence

MISSING = object()

# Values of a secret that are placeholders of an example, not secrets: refused, so a forgotten one never deploys.
PLACEHOLDERS = re.compile(r'(change[-_ ]?(me|it)|replace[-_ ]?(me|this)?|placeholder|todo|fixme|tbd|x{3,}|example'
                          r'|secret|passw(or|0)d|password1?|<[^>]*>|\$\{?[a-z_]*\}?)', re.IGNORECASE)


class Errors(list):
    """Messages ``path: problem``, in the order found."""

    def add(self, path: str, msg: str) -> None:
        self.append('%s: %s' % (path, msg))


def text(value: Any) -> str:
    """str(VALUE), also for integers too long for Python to print (more than 4300 digits) and for values whose
    str() fails."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return 'an integer of about %d digits' % (value.bit_length() * 30103 // 100000 + 1)
    try:
        return str(value)
    except Exception:  # pylint: disable=broad-except
        return '(a %s)' % type(value).__name__


def shown(value: Any, secret: bool = False) -> str:
    """The bad value as the user wrote it (a string quoted, so whitespace is visible; a long one cut)."""
    if secret:
        return '(secret, %d characters)' % len(text(value))
    if isinstance(value, str):
        return repr(value) if len(value) <= 200 else repr(value[:200]) + '... (%d characters)' % len(value)
    out = text(value)
    return out if len(out) <= 200 else out[:200] + '...'


class Field:
    """A field: ``description`` says what it means, ``default`` is used when it is not given."""

    kind = 'raw'

    def __init__(self, description: str, default: Any = MISSING, required: bool = False,
                 secret: bool = False, scope: str = 'cluster', frontend: str = '') -> None:
        # frontend: the one front end of the VIPs (lvs_frontend) the option means something in; '' = both. The
        # cluster model refuses it, set to another value than its default, with the other front end.
        self.description = description + ('; lvs_frontend %s only' % frontend if frontend else '')
        self.default = default
        self.required = required
        self.secret = secret
        # cluster: one value for every host it applies to (group_vars/all); host: each host its own (host_vars)
        self.scope = scope
        self.frontend = frontend

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        return value

    def bad(self, errors: Errors, path: str, value: Any, why: str) -> Any:
        errors.add(path, '%s %s' % (shown(value, self.secret), why))
        return MISSING


class Int(Field):
    kind = 'int'

    def __init__(self, description: str, low: int, high: int, **kw: Any) -> None:
        super().__init__(description, **kw)
        self.low, self.high = low, high

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        digits = isinstance(value, str) and re.fullmatch(r'[0-9]{1,30}', value, re.ASCII)
        if isinstance(value, bool) or not (isinstance(value, int) or digits):
            return self.bad(errors, path, value, 'is not an integer%s' % (
                ' (at most 30 digits)' if isinstance(value, str) and value.isascii() and value.isdigit() else ''))
        number = int(value)
        if not self.low <= number <= self.high:
            return self.bad(errors, path, number, 'is out of range %d-%d' % (self.low, self.high))
        return number


class Bool(Field):
    kind = 'bool'

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, str) else None
        if text in ('true', 'yes', 'on'):
            return True
        if text in ('false', 'no', 'off'):
            return False
        return self.bad(errors, path, value, 'is not a boolean (true or false)')


class Str(Field):
    """A string of a safe character set (``pattern``, a full match) or one of ``choices``."""

    kind = 'str'

    def __init__(self, description: str, pattern: Optional[str] = None, meaning: str = '',
                 choices: Sequence[str] = (), hints: Optional[Dict[str, str]] = None,
                 allow_int: bool = False, **kw: Any) -> None:
        super().__init__(description, **kw)
        self.pattern = re.compile(pattern) if pattern else None
        self.meaning = meaning
        self.choices = tuple(choices)
        self.hints = hints or {}
        self.allow_int = allow_int

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if self.allow_int and isinstance(value, int) and not isinstance(value, bool):
            value = text(value)
        if not isinstance(value, str):
            return self.bad(errors, path, value, 'is not a string')
        if self.choices and value not in self.choices:
            if value in self.hints:
                return self.bad(errors, path, value, self.hints[value])
            return self.bad(errors, path, value, 'is not one of %s' % ', '.join(self.choices))
        if self.pattern and not self.pattern.fullmatch(value):
            return self.bad(errors, path, value, 'is not %s' % self.meaning)
        if self.secret and value and PLACEHOLDERS.fullmatch(value):
            return self.bad(errors, path, value, 'is a placeholder (such as CHANGEME), not a secret: set your own '
                            '(e.g. in a vault file, ansible-vault encrypt)')
        return value


class Path(Str):
    """An absolute file path without characters that would need quoting where the roles write it."""

    kind = 'path'

    def __init__(self, description: str, empty: bool = False, **kw: Any) -> None:
        super().__init__(description, pattern=('|' if empty else '') + r'/[A-Za-z0-9_.,+@%=/-]*',
                         meaning='an absolute path (letters, digits and _ . , + @ %% = / -)%s'
                                 % (' or empty' if empty else ''), **kw)


class Interface(Str):
    """A network interface that faces other hosts (a VIP, VRRP adverts, the sync daemon): empty or a name, never the
    loopback interface."""

    NAME = r'[A-Za-z0-9_][A-Za-z0-9_.@-]{0,14}'

    def __init__(self, description: str, **kw: Any) -> None:
        super().__init__(description, pattern='|' + self.NAME,
                         meaning='an interface name (at most 15 letters, digits, _ . @ -)', **kw)

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        value = super().check(value, path, errors)
        if isinstance(value, str) and (value == 'lo' or value.startswith('lo:')):
            return self.bad(errors, path, value, 'is the loopback interface: no other host is reached through it '
                            '(name the interface on the network of the other directors and the clients)')
        return value


class Address(Field):
    """An IP address written strictly: no leading zeros, prefix, scope id or whitespace."""

    kind = 'str'

    def __init__(self, description: str, versions: Sequence[int] = (4,), empty: bool = False,
                 loopback: bool = False, **kw: Any) -> None:
        super().__init__(description, **kw)
        self.versions = tuple(versions)
        self.empty = empty
        self.loopback = loopback  # a loopback address means this host (IPVS serves a local address itself)

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if self.empty and value == '':
            return ''
        what = ' or '.join('IPv%d' % v for v in self.versions)
        if not isinstance(value, str):
            return self.bad(errors, path, value, 'is not an %s address (write it as a string)' % what)
        try:
            if '%' in value:
                raise ValueError(value)  # Python takes fe80::1%eth0 (a scope): no VIP or real server has one
            addr = ipaddress.ip_address(value)
        except ValueError:
            return self.bad(errors, path, value, 'is not an %s address (written without leading zeros, prefix, '
                            'scope or spaces)' % what)
        if addr.version not in self.versions:
            return self.bad(errors, path, value, 'is not an %s address' % what)
        if addr.version == 6 and addr.ipv4_mapped:
            return self.bad(errors, path, value, 'is an IPv4-mapped IPv6 address: write the IPv4 address %s'
                            % addr.ipv4_mapped)
        if addr.is_link_local:
            return self.bad(errors, path, value, 'is a link-local IPv%d address (valid on one link only): use a %s'
                            % (addr.version, 'global or unique local address' if addr.version == 6 else
                               'routable or private address (169.254.0.0/16 is for automatic configuration)'))
        if addr.is_unspecified or addr.is_multicast or (addr.is_loopback and not self.loopback) or \
                str(addr) == '255.255.255.255':
            return self.bad(errors, path, value, 'is a %s address, not one a host can use' % (
                'loopback' if addr.is_loopback else 'multicast' if addr.is_multicast else 'reserved'))
        return str(addr)


class List(Field):
    kind = 'list'

    def __init__(self, description: str, item: Field, unique: bool = False, min_items: int = 0, **kw: Any) -> None:
        super().__init__(description, **kw)
        self.item, self.unique, self.min_items = item, unique, min_items

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, (list, tuple)):
            return self.bad(errors, path, value, 'is not a list')
        out = []
        for i, raw in enumerate(value):
            item = self.item.check(raw, '%s[%d]' % (path, i), errors)
            if item is not MISSING:
                if self.unique and item in out:
                    errors.add('%s[%d]' % (path, i), '%s is listed twice' % shown(item))
                out.append(item)
        if len(value) < self.min_items:
            errors.add(path, 'needs at least %d entr%s' % (self.min_items, 'y' if self.min_items == 1 else 'ies'))
            return MISSING
        return out


class Map(Field):
    """A mapping from keys matching ``key`` to values of ``value`` (e.g. host -> weight)."""

    kind = 'dict'

    def __init__(self, description: str, key: Field, value: Field, **kw: Any) -> None:
        super().__init__(description, **kw)
        self.key, self.value = key, value

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, dict):
            return self.bad(errors, path, value, 'is not a mapping')
        out = {}
        for k, v in value.items():
            key = self.key.check(k, '%s key' % path, errors)
            item = self.value.check(v, '%s.%s' % (path, k), errors)
            if key is not MISSING and item is not MISSING:
                out[key] = item
        return out


class Struct(Field):
    """A mapping with known keys: unknown keys are errors, missing keys take their default."""

    kind = 'dict'

    def __init__(self, description: str, fields: Dict[str, Field], partial: bool = False, **kw: Any) -> None:
        super().__init__(description, **kw)
        self.fields = fields
        self.partial = partial  # any subset of the keys (a required key or a default of one does not apply)

    def check(self, value: Any, path: str, errors: Errors, defaults: Optional[Dict[str, Any]] = None) -> Any:
        if not isinstance(value, dict):
            return self.bad(errors, path, value, 'is not a mapping')
        merged = dict(defaults or {})
        merged.update(value)
        out = {}
        for key in merged:
            if key not in self.fields:
                errors.add('%s.%s' % (path, key), 'unknown key (known: %s)%s' % (
                    ', '.join(sorted(self.fields)), did_you_mean(str(key), self.fields)))
        for key, spec in self.fields.items():
            sub = '%s.%s' % (path, key)
            if key in merged and merged[key] is not None:
                if isinstance(spec, Struct):
                    item = spec.check(merged[key], sub, errors, spec.defaults())
                else:
                    item = spec.check(merged[key], sub, errors)
            elif spec.required:
                errors.add(sub, 'is required (%s)' % spec.description)
                item = MISSING
            elif isinstance(spec, Struct) and spec.default is not MISSING:
                item = spec.defaults()
            else:
                item = spec.default
            if item is MISSING and spec.default is not MISSING:
                item = spec.defaults() if isinstance(spec, Struct) else spec.default  # reported; go on checking
            if item is not MISSING:
                out[key] = item
        return out

    def defaults(self) -> Dict[str, Any]:
        if self.partial:
            return {}
        return {k: (f.defaults() if isinstance(f, Struct) else f.default)
                for k, f in self.fields.items() if f.default is not MISSING}


def did_you_mean(word: str, known: Dict[str, Any]) -> str:
    import difflib
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.75)
    return '; did you mean %s?' % close[0] if close else ''


def duplicates(items: Sequence[Any], key: Callable[[Any], Any]) -> Dict[Any, list]:
    """Positions of every key that occurs more than once."""
    seen: Dict[Any, list] = {}
    for i, item in enumerate(items):
        k = key(item)
        if k is not None:
            seen.setdefault(k, []).append(i)
    return {k: v for k, v in seen.items() if len(v) > 1}
