"""Benchmarks: what the library costs at scale, measured rather than guessed.

Takes a repository checkout (its seed cases, vocabularies, templates and site configuration) and
gives a synthetic library of any size derived from the seed cases (`synthetic`), the search's
index size, transfer and time to first result in a throttled Chromium (`search`), and the cost of
validation, build, memory and preview for synthetic libraries, with the report page that states
each target met or missed (`scale`). Imports only the stages below the command line, and runs
`casebook` and `mkdocs` as separate processes; the entry points are `scripts/synthesize.py`,
`scripts/bench_search.py` and `scripts/bench.py`, which pass the checkout's root in.
"""
