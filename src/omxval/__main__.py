"""``python -m omxval``: the ``omxval`` command."""

import sys

from omxval.compare.app.cli import main

# Guarded: MPI workers (mpi4py.futures) and spawned processes import the main module, and
# must not run the command again.
if __name__ == "__main__":
    sys.exit(main())
