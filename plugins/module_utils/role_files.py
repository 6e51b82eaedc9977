# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Several small files a role owns, checked first and then written in one pass (lvs.cluster.role_files).

A file is written to a temporary file in its own directory with its final mode and owner, checked there by its
``validate`` command, synced and renamed over the old one: a reader never sees it half written or, for a secret,
readable by anyone else for a moment."""

from __future__ import annotations

import grp
import os
import pwd
import re
import tempfile
from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.module_utils.file_update import read_text

ENTRY = {
    'path': {'type': 'path', 'required': True},
    'content': {'type': 'str'},
    'secret_content': {'type': 'str', 'no_log': True},
    'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
    'mode': {'type': 'raw', 'default': '0644'},
    'owner': {'type': 'str', 'default': 'root'},
    'group': {'type': 'str', 'default': 'root'},
    'validate': {'type': 'str'},
    'link_to': {'type': 'path'},
    'secret': {'type': 'bool', 'default': False},
    'parents': {'type': 'bool', 'default': False},
}

_OCTAL = re.compile(r'^0?[0-7]{3,4}$')
LINK = 'symbolic link to %s\n'  # how a link is shown in a diff and compared


class FilesError(Exception):
    """A file entry that cannot be written: its index, field and value are in the message."""


class Planned:
    """What one entry asks for and what the host has."""

    def __init__(self, index: int, entry: Dict[str, Any], mode: int, uid: int, gid: int):
        self.index = index
        self.path: str = entry['path']
        self.secret = entry['secret'] or entry.get('secret_content') is not None
        self.link_to: Optional[str] = entry.get('link_to')
        given = [entry.get(key) for key in ('secret_content', 'content') if entry.get(key) is not None]
        self.content: Optional[str] = None if entry['state'] == 'absent' else (
            given[0] if given else LINK % self.link_to)
        self.parents: bool = entry['parents']
        self.mode, self.uid, self.gid = mode, uid, gid
        self.validate: Optional[str] = entry.get('validate')
        self.before: Optional[str] = None
        self.attributes_differ = False

    @property
    def content_differs(self) -> bool:
        return self.before != self.content

    @property
    def changed(self) -> bool:
        return self.content_differs or self.attributes_differ

    def diff(self) -> Dict[str, str]:
        if self.secret:
            hidden = '(secret content not shown)\n'
            return {'before': hidden if self.before is not None else '', 'after': hidden if self.content else '',
                    'before_header': self.path, 'after_header': self.path}
        return {'before': self.before or '', 'after': self.content or '',
                'before_header': self.path, 'after_header': self.path}


def _mode(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0o7777:
        return value
    if isinstance(value, str) and _OCTAL.match(value):
        return int(value, 8)
    raise FilesError('%s.mode: %r is not an octal file mode such as "0644"' % (where, value))


def _user(name: str, where: str) -> int:
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        raise FilesError('%s.owner: no user %r on this host' % (where, name)) from None


def _group(name: str, where: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise FilesError('%s.group: no group %r on this host' % (where, name)) from None


def check_entries(entries: List[Dict[str, Any]]) -> None:
    """Everything that can be said wrong about the entries without the host: raises FilesError."""
    if not entries:
        raise FilesError('files: give at least one file')
    seen: Dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = 'files[%d]' % index
        for key in ('path', 'owner', 'group', 'validate'):
            if '\x00' in (entry.get(key) or ''):
                raise FilesError('%s.%s: %r holds a NUL character' % (where, key, entry[key]))
        for key in ('content', 'secret_content'):
            try:
                (entry.get(key) or '').encode('utf-8')
            except UnicodeEncodeError:
                raise FilesError('%s.%s: not UTF-8 text' % (where, key)) from None
        path = entry['path']
        if not os.path.isabs(path) or path.endswith('/'):
            raise FilesError('%s.path: %r is not an absolute path of a file' % (where, path))
        if path in seen:
            raise FilesError('%s.path: %r is also files[%d]' % (where, path, seen[path]))
        seen[path] = index
        given = [k for k in ('content', 'secret_content', 'link_to') if entry.get(k) is not None]
        if entry['state'] == 'present' and len(given) != 1:
            raise FilesError('%s: give one of content, secret_content and link_to for %s' % (where, path))
        if entry.get('link_to') is not None and entry.get('validate') is not None:
            raise FilesError('%s.validate: %s is a symbolic link, there is no content to check' % (where, path))
        extra = given + (['validate'] if entry.get('validate') is not None else [])
        if entry['state'] == 'absent' and extra:
            raise FilesError('%s.%s: %s is to be absent and takes no %s' % (where, extra[0], path, extra[0]))
        if entry.get('validate') is not None and '%s' not in entry['validate']:
            raise FilesError('%s.validate: %r has no %%s for the file to check' % (where, entry['validate']))
        _mode(entry['mode'], where)


def plan(entries: List[Dict[str, Any]]) -> List[Planned]:
    """The entries against the host (read only)."""
    planned = []
    made = set()  # the directories that entries with parents will create, for the entries after them
    for index, entry in enumerate(entries):
        where = 'files[%d]' % index
        item = Planned(index, entry, _mode(entry['mode'], where), _user(entry['owner'], where),
                       _group(entry['group'], where))
        directory = os.path.dirname(item.path)
        if item.content is not None and not os.path.isdir(directory):
            if not (item.parents or directory in made):
                raise FilesError('%s.path: the directory %s of %s does not exist' % (where, directory, item.path))
            while directory not in made and not os.path.isdir(directory):
                made.add(directory)
                directory = os.path.dirname(directory)
        if os.path.isdir(item.path) and not os.path.islink(item.path):
            raise FilesError('%s.path: %s is a directory' % (where, item.path))
        if os.path.islink(item.path):
            item.before = LINK % os.readlink(item.path)
        elif item.link_to is not None and os.path.lexists(item.path):
            item.before = '(a file)\n'
        else:
            try:
                item.before = read_text(item.path)
            except UnicodeDecodeError:
                item.before = '(not UTF-8 text)\n'
        if item.before is not None and item.content is not None and item.link_to is None \
                and not os.path.islink(item.path):
            st = os.stat(item.path)
            item.attributes_differ = (st.st_mode & 0o7777, st.st_uid, st.st_gid) != (item.mode, item.uid, item.gid)
        planned.append(item)
    return planned


def apply(planned: List[Planned], run: Callable[[str], Tuple[int, str, str]]) -> None:
    """Write what differs, in order (a later file's check may read an earlier one). RUN runs a validate command
    and returns (rc, stdout, stderr)."""
    for item in planned:
        where = 'files[%d]' % item.index
        if item.content is None:
            if item.before is not None:
                os.unlink(item.path)
            continue
        directory = os.path.dirname(item.path)
        if item.parents and not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        if item.link_to is not None:
            if item.content_differs:
                tmp = os.path.join(directory, '.%s.%d' % (os.path.basename(item.path), os.getpid()))
                os.symlink(item.link_to, tmp)
                os.rename(tmp, item.path)
            continue
        if not item.content_differs:
            if item.attributes_differ:
                os.chown(item.path, item.uid, item.gid)
                os.chmod(item.path, item.mode)
            continue
        fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(item.path), dir=directory)
        try:
            with os.fdopen(fd, 'w') as handle:
                os.fchown(handle.fileno(), item.uid, item.gid)
                os.fchmod(handle.fileno(), item.mode)
                handle.write(item.content)
                handle.flush()
                os.fsync(handle.fileno())
            if item.validate:
                rc, out, err = run(item.validate.replace('%s', tmp))
                if rc != 0:
                    said = '\n'.join(text.strip() for text in (out, err) if text.strip())
                    raise FilesError('%s.validate: %s rejected the new %s (rc %d): %s'
                                     % (where, item.validate, item.path, rc, said[-2000:]))
            os.rename(tmp, item.path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
