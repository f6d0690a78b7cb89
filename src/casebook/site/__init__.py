"""Site: the pages of the library as Markdown and HTML strings, charts, the finder and search.

Takes a `Library` and the templates in `macros/` and gives `Page`s (path and text), bar-chart SVGs,
the finder's data, the search terms and the Pagefind index of a built site. Knows no site engine:
what it makes is handed over as files by `casebook.handover`.
"""
