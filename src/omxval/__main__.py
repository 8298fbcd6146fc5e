"""``python -m omxval``: the ``omxval`` command."""

import sys

from omxval.compare.cli import main

sys.exit(main())
