"""Contribute: what a contributor uses to add a case without knowing the code.

Takes the schema, the vocabularies and a `Library` and gives the new-case scaffold, the Excel
template and its import back to YAML, and the field table of the contributor guide
(CONTRIBUTING.md). The commands behind `make new-case`, `make import` and `make contributing`.
"""
