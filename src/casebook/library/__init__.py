"""Library: every record together, cross-referenced and checked as a whole.

Takes the `Document`s of `casebook.records` and gives the `Library` (records by kind and id with
their back references), the problems of broken or senseless references (also the `[[…]]` ones
written in prose, with the name each stands for) and near-duplicate cases,
`check_library` (the whole of `casebook validate`) with its text and JSON reports, the ranking of
related cases and whether two figures can be compared. Imports only `casebook.records` and
`casebook.parallel`.
"""
