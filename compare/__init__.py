"""omxval.compare — the two frameworks side by side, and the ``omxval`` command."""
