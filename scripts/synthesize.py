"""Write a synthetic library of N valid cases, derived from the seed cases, into a repository copy.

The code is `casebook.bench.synthetic`; this entry point gives it this checkout as the seed.

    python scripts/synthesize.py --out /tmp/big --count 1000 --seed 1
"""

from __future__ import annotations

import sys
from pathlib import Path

from casebook.bench.synthetic import main

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.exit(main(root=ROOT))
