"""乡村振兴党建案例库: records → library → site / files / contribute → hand-over, cli.

Each stage is a folder and imports only from the stages before it (`tests/test_layout.py` checks
this with import-linter, and that no modules import each other in a circle): `records` reads and
checks one file; `library` links every record; `site` renders pages; `files` makes what people
take away; `contribute` serves contributors; `handover` stages it all for the site engine; `cli`
is the command line. `parallel` spreads work over the cores for any of them.
"""

__version__ = "0.1.0"
