"""Files people take away: data downloads, workbooks, printed handouts and the offline copy.

Takes a `Library` and the pages of `casebook.site` and gives CSV, XLSX and JSON downloads, the
compare page's per-case data, A4 PDF handouts and the offline copy with its own search, each the
same bytes for the same commit.
"""
