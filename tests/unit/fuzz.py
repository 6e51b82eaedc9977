"""A seeded mutation fuzzer of nested inventory-like data: each case is a valid seed with one to three values,
keys or containers replaced by hostile ones (huge or negative numbers, wrong types, Unicode digits, control
characters, empty and very long strings, deleted keys, unknown keys). Bounded in count and time."""

from __future__ import annotations

import copy
import random
import time
from typing import Any, Iterator, List, Tuple

HOSTILE: List[Any] = [
    None, True, False, 0, -1, 1, 2 ** 31, 2 ** 64, 10 ** 5000, -10 ** 5000, 0.5, float('nan'), float('inf'),
    '', ' ', '0', '-1', '99999999999999999999', '²', '١٢', '२४', '3.5', '1e9', 'yes', 'no', 'none', 'null',
    '\x00', 'a\nb', '{{', '{% raw %}', '{', '}', '"', "'", '#', '!', '\\', '../../etc/passwd', '/', 'lo', 'eth0:0',
    'x' * 5000, '192.0.2.300', '10.0.0.1/24', '::', '::1', 'fe80::1%eth0', '0.0.0.0', '255.255.255.255',
    '224.0.0.1', '1.2.3.4.5', '2001:db8::10', '192.0.2.10', [], [None], [[]], [{}], ['a', 'a'], {}, {'': 1},
    {'name': None}, {'x': {'y': []}}, (1, 2), b'bytes', {1, 2},
]


def paths(data: Any, prefix: Tuple = ()) -> Iterator[Tuple]:
    """Every path to a value in nested dicts and lists (dict keys and list indexes)."""
    yield prefix
    if isinstance(data, dict):
        for k, v in list(data.items()):
            yield from paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from paths(v, (*prefix, i))


def _parent(data: Any, path: Tuple) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


def inventory_path(path: Tuple) -> bool:
    """What an inventory can hold anything at: a cluster variable's value (any depth) and a host's variable (any
    depth). Ansible itself makes the rest: groups map names to lists of host names, hostvars hosts to mappings."""
    return (len(path) >= 2 and path[0] == 'cluster') or (len(path) >= 3 and path[0] == 'hostvars')


def mutate(data: Any, rng: random.Random, where=inventory_path) -> Any:
    """DATA with one random mutation at a random path that WHERE admits."""
    data = copy.deepcopy(data)
    candidates = [p for p in paths(data) if p and where(p)]
    if not candidates:
        return data
    path = rng.choice(candidates)
    parent = _parent(data, path)
    key = path[-1]
    kind = rng.random()
    if kind < 0.65:
        parent[key] = copy.deepcopy(rng.choice(HOSTILE))
    elif kind < 0.75 and isinstance(parent, dict):
        del parent[key]
    elif kind < 0.85 and isinstance(parent, dict):
        parent[rng.choice(['', 'x', 'name', 'port', 'lvs_vip', 'address', 'weight', 1, None, 'a-b'])] = \
            copy.deepcopy(rng.choice(HOSTILE))
    elif kind < 0.92 and isinstance(parent, list):
        parent.append(copy.deepcopy(rng.choice(HOSTILE) if rng.random() < 0.5 else parent[key]))
    else:  # a container where a scalar is, or the reverse
        value = parent[key]
        parent[key] = [value] if not isinstance(value, list) else {'k': value}
    return data


def cases(seeds: List[Any], seed: int, count: int, seconds: float, where=inventory_path) -> Iterator[Tuple[int, Any]]:
    """Up to COUNT mutated cases (one to three mutations of a seed each), for at most SECONDS."""
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    for n in range(count):
        if time.monotonic() > deadline:
            return
        case = rng.choice(seeds)
        for _step in range(rng.choice((1, 1, 2, 3, 5))):
            case = mutate(case, rng, where)
        yield n, case


def short_repr(value: Any, limit: int = 3000) -> str:
    """repr() that survives integers too long to print (Python refuses more than 4300 digits)."""
    def clean(v):
        if isinstance(v, dict):
            return {clean(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 64:
            return '<int of %d bits>' % v.bit_length()
        return v
    text = repr(clean(value))
    return text if len(text) < limit else text[:limit] + '...'
