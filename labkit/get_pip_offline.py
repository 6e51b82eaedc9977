"""Stand-in for ansible-test's pip bootstrap script, whose download host this machine cannot reach.

ansible-test creates its sanity virtualenvs without pip and runs this file (cached as
~/.ansible/test/cache/get_pip_<version>.py) with pip's arguments: it bootstraps pip from the
standard library's ensurepip and then installs the pip version asked for from PyPI.
"""

import ensurepip
import os
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
ensurepip.bootstrap()
os.environ.pop("PIP_CONFIG_FILE", None)  # ensurepip points it at /dev/null; the machine's pip config applies
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *args]))
