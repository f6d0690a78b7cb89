"""Hand-over: everything the site engine is handed, as files, and the preview's partial rebuild.

Takes the library and gives every generated output (pages, data files, downloads, guide) staged on
disk, each page's pre-rendered HTML set aside so that the engine only parses its headings, and,
under `make serve`, the outputs of just the cases that changed; then runs the engine as a
subprocess (engines), finishes what it wrote (finish) and checks the links (links). Nothing here
imports an engine, and nothing below this package knows one exists.
"""
