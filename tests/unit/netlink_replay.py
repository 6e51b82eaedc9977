# SPDX-License-Identifier: GPL-3.0-or-later
"""A recorded generic netlink conversation in place of ipvs_netlink.Channel (unit tests only)."""

from __future__ import annotations

from typing import Dict, List

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_netlink import NetlinkError, request_key


class Replay:
    """A recorded conversation in place of :class:`Channel` (unit tests): {request key: replies}."""

    def __init__(self, family_id: int, replies: Dict[str, List[bytes]]):
        self.family_id = family_id
        self.replies = replies
        self.requests: List[str] = []

    def family(self, name: bytes) -> int:
        return self.family_id

    def request(self, family: int, cmd: int, version: int, payload: bytes = b'', dump: bool = False) -> List[bytes]:
        key = request_key(cmd, payload)
        self.requests.append(key)
        if key not in self.replies:
            raise NetlinkError('no recorded reply for request %s' % key)
        return self.replies[key]

    def close(self) -> None:
        pass
