"""omxval.compare.app — the application: the command, configuration, files and figures.

:mod:`.cli` (the ``omxval`` command), :mod:`.config` (TOML configuration, validated when
loaded), :mod:`.journal` (the resumable runs' JSON-lines journal), :mod:`.runs` (studies run
into a journal), :mod:`.output` (output directories that never destroy a user's files),
:mod:`.metadata` (provenance), :mod:`.display` (progress on standard error),
:mod:`.markdown`, :mod:`.plots` (figures) and the report writers :mod:`.report`,
:mod:`.map_report`, :mod:`.paper_report`, :mod:`.paper_device_report`. Only the command
line chooses matplotlib's backend.
"""
