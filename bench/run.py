"""Runs every benchmark: each bench/<name>/run.py measures Agora against a named peer on the
same data in one run (or, where there is no peer, each size against the previous one) and
prints tables with the ratios. Results go to docs/benchmarks.md with the date and the machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(HERE.glob("*/run.py"))
    if not scripts:
        print("No benchmark is defined yet (bench/<name>/run.py).")
        return 0
    failed = 0
    for script in scripts:
        print(f"\n=== {script.parent.name} ===", flush=True)
        failed += subprocess.call([sys.executable, str(script), *sys.argv[1:]]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
