"""Make this checkout importable as ansible_collections.lvs.cluster for the unit tests."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREE = ROOT / ".collections"
LINK = TREE / "ansible_collections" / "lvs" / "cluster"
if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    LINK.symlink_to(ROOT, target_is_directory=True)
if str(TREE) not in sys.path:
    sys.path.insert(0, str(TREE))
