"""The library at scale: validation, build, memory, size and search cost for synthetic libraries.

The code is `casebook.bench.scale`; this entry point gives it this checkout, whose seed cases are
multiplied and whose content/benchmarks/index.md is written.

    python scripts/bench.py --sizes 1000 10000 --serve
"""

from __future__ import annotations

import sys
from pathlib import Path

from casebook.bench.scale import main

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.exit(main(root=ROOT))
