# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a small text file idempotently, atomically, with check and diff mode support."""

from __future__ import annotations

import os
import tempfile
from typing import Any, Dict, Optional

# The options of a module that writes a file with update_file (documented in lvs.cluster.ipvs.backup).
FILE_ARGS = {'backup': {'type': 'bool', 'default': False}}


def read_text(path: str) -> Optional[str]:
    """The file's content, or None when it does not exist."""
    try:
        with open(path) as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def update_file(module, path: str, content: Optional[str], default_mode: int = 0o644) -> Dict[str, Any]:
    """Make *path* hold *content* (None: make sure it is absent).

    Honours check mode, ``backup`` (FILE_ARGS: a timestamped copy before the file is changed or removed),
    and the module's file attribute options (mode/owner/group, ``unsafe_writes``) when the module was created
    with ``add_file_common_args=True``.  Returns ``{'changed': bool, 'diff': {...}}`` and ``backup_file``
    when a backup was made.
    """
    current = read_text(path)
    diff = {'before': current or '', 'after': content or '', 'before_header': path, 'after_header': path}
    result: Dict[str, Any] = {'changed': current != content, 'diff': diff}
    if result['changed'] and current is not None and module.params.get('backup') and not module.check_mode:
        result['backup_file'] = module.backup_local(path)
    if content is None:
        if current is None:
            return result
        if not module.check_mode:
            os.unlink(path)
        return result
    changed = result['changed']
    if changed and not module.check_mode:
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            module.fail_json(msg='path: directory %s of %s does not exist' % (directory, path))
        fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=directory)
        with os.fdopen(fd, 'w') as handle:
            handle.write(content)
        if current is None:
            os.chmod(tmp, default_mode)
        else:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        module.atomic_move(tmp, path, unsafe_writes=module.params.get('unsafe_writes', False))
    if 'mode' in module.params and os.path.exists(path):
        file_args = module.load_file_common_arguments(module.params, path=path)
        changed = module.set_fs_attributes_if_different(file_args, changed)
    result['changed'] = changed
    return result
