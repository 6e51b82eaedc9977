"""The ansible-core and dependency versions the tests run on, in one place.

galaxy.yml's lower bounds, meta/runtime.yml's requires_ansible and README's support table follow it
(tests/unit/test_compat.py). `./lab test` runs the unit tier on both ends (.venv-oldest, .venv-newest) besides
the pinned development venv (requirements-dev.txt), and tests/unit/test_clean_install.py installs the built
collection on each: on the oldest ansible-core alone, and beside the newest `ansible` bundle.
"""

from __future__ import annotations

ENDS = {
    "oldest": {
        "python": (3, 11),  # the machine's python3
        "ansible_core": "2.19.0",  # the first release meta/runtime.yml admits, alone (no collection needed)
    },
    "newest": {
        "python": (3, 12),  # ansible-core 2.20 and later need Python 3.12 or newer
        "ansible_core": "2.21.5",
        "bundle": "14.5.0",  # the newest `ansible` on PyPI on 2026-12-04: the collection installs beside it
    },
}
