"""Records: one file at a time, read safely, checked against its schema, its problems collected.

Takes a YAML file under `cases/` and gives a `Document` (the data with the line and column of each
value) and a list of `Problem`s: schema errors in Chinese, personal data, placeholders left from the
scaffold. Also the field list drawn from the schema, the case-file writer and the git history of a
record. Imports nothing else of casebook; the schemas themselves stay at `casebook/schemas/`, where
every case file's first line points editors.
"""
