"""Benchmark the site's search: index size, transfer before the first result, time to first result.

The code is `casebook.bench.search`; this entry point gives it this checkout, where the results
are written (and which is measured unless --root names another).

    python scripts/bench_search.py                       # seed + 1,000 synthetic cases
    python scripts/bench_search.py --cases 0             # seed site only
    python scripts/bench_search.py --root /path/to/other/checkout --out /tmp/before.json
"""

from __future__ import annotations

import sys
from pathlib import Path

from casebook.bench.search import main

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.exit(main(root=ROOT))
