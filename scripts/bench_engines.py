"""The two site engines side by side on the same staged pages (seed library and 1,000 cases).

The code is `casebook.bench.engines`; this entry point gives it this checkout, whose
content/benchmarks/engines.md is written.

    python scripts/bench_engines.py --sizes 0 1000
"""

from __future__ import annotations

import sys
from pathlib import Path

from casebook.bench.engines import main

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.exit(main(root=ROOT))
