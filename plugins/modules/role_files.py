#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: role_files
short_description: Write the small files a role owns in one module run, each checked before it is installed
version_added: 0.4.0
description:
  - Makes each file of O(files) hold its content, mode and owner, or be absent, in one module run where
    C(ansible.builtin.template) or C(ansible.builtin.copy) take two or three per file (the keepalived and director
    roles write theirs with it; their templates are rendered on the controller with the C(ansible.builtin.template)
    lookup).
  - Every entry is checked before the host is read, and every file is read before any is written. Files are
    written in the order given, so a later file's O(files[].validate) command can read an earlier file (the VRRP
    secret that C(keepalived.conf) includes).
  - A file is written to a temporary file beside it with its final mode and owner, checked by
    O(files[].validate), synced and renamed over the old one.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - A file given by O(files[].secret_content) or marked O(files[].secret) shows only that it changed.
      - No diff is returned when diff mode is off for the task (its C(diff) keyword false), so the old content of
        a file written by hand, which may hold a password, is never shown.
  platform:
    platforms: posix
options:
  files:
    description: The files, in the order they are written.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path of the file; its directory must exist unless O(files[].parents) is set.
        type: path
        required: true
      content:
        description: The file's text. One of O(files[].content), O(files[].secret_content) and
          O(files[].link_to) is required unless O(files[].state=absent).
        type: str
      secret_content:
        description: The file's text, never logged or shown in a diff (a password file).
        type: str
      secret:
        description:
          - Never show the file's content in a diff, before or after, also when it is removed
            (O(files[].state=absent)). Implied by O(files[].secret_content).
        type: bool
        default: false
      state:
        description: V(absent) removes the file.
        type: str
        choices: [present, absent]
        default: present
      mode:
        description: Octal permissions, as a string (V("0600")) or an integer.
        type: raw
        default: "0644"
      owner:
        description: The user that owns the file.
        type: str
        default: root
      group:
        description: The group that owns the file.
        type: str
        default: root
      link_to:
        description:
          - Make the file a symbolic link to this path (a unit enabled as C(systemctl enable) would, by its
            C(.wants) link), replacing a file there. O(files[].mode), O(files[].owner) and O(files[].group) do not
            apply.
        type: path
      parents:
        description: Create the file's missing parent directories (mode C(0755), owned by root).
        type: bool
        default: false
      validate:
        description:
          - A command that checks the new file before it replaces the old one, C(%s) standing for it
            (V(keepalived -t -f %s)). Run only when the content changes, and not in check mode.
        type: str
'''

EXAMPLES = r'''
- name: The VRRP secret, then the keepalived configuration that includes it
  lvs.cluster.role_files:
    files:
      - path: /etc/keepalived/vrrp_secret.conf
        secret_content: "auth_pass {{ lvs_vrrp_auth_pass }}\n"
        mode: "0600"
      - path: /etc/keepalived/keepalived.conf
        content: "{{ lookup('ansible.builtin.template', 'keepalived.conf.j2') }}"
        mode: "0600"
        validate: keepalived -t -f %s
  notify: Reload keepalived

- name: A unit and the link that enables it, as systemctl enable would
  lvs.cluster.role_files:
    files:
      - path: /etc/systemd/system/lvs-interfaces.service
        content: "{{ lookup('ansible.builtin.template', 'lvs-interfaces.service.j2') }}"
      - path: /etc/systemd/system/multi-user.target.wants/lvs-interfaces.service
        link_to: /etc/systemd/system/lvs-interfaces.service
'''

RETURN = r'''
changed_paths:
  description: The files that were (or would be) written, removed or given another mode or owner.
  returned: always
  type: list
  elements: str
  sample: [/etc/keepalived/keepalived.conf]
created_paths:
  description: The files of RV(changed_paths) that did not exist before (a new systemd unit needs no reload).
  returned: always
  type: list
  elements: str
  sample: [/etc/systemd/system/lvs-interfaces.service]
'''

from ansible_collections.lvs.cluster.plugins.module_utils import role_files as F
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module


def main():
    module = new_module(
        {'files': {'type': 'list', 'elements': 'dict', 'required': True, 'options': F.ENTRY}},
        supports_check_mode=True,
    )
    try:
        F.check_entries(module.params['files'])
        planned = F.plan(module.params['files'])
        if not module.check_mode:
            F.apply(planned, lambda cmd: module.run_command(cmd, use_unsafe_shell=False))
    except F.FilesError as exc:
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg='files: %s' % exc)
    changed = [item for item in planned if item.changed]
    # a diff only in diff mode: with the task's diff: false (keepalived.conf written by hand may hold a password)
    # the callback would still show one the module returns
    diff = {'diff': [item.diff() for item in changed]} if module._diff else {}
    module.exit_json(changed=bool(changed), changed_paths=[item.path for item in changed],
                     created_paths=[item.path for item in changed if item.before is None and item.content is not None],
                     **diff)


if __name__ == '__main__':
    main()
