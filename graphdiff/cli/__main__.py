"""``python -m graphdiff.cli``: the ``graphdiff`` command."""

import sys

from .main import main

sys.exit(main())
