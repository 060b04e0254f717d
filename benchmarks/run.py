"""Run the quick benchmarks in one go (``make bench``); each script can also run alone.

The heavy studies (``scaling.py`` up to 10^7 rows, ``montecarlo.py``) are not run here: see
``benchmarks/README.md``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = [
    ["bench_bootstrap.py"],
    ["bench_acf.py", "--max-rows", "100000"],
    ["bench_gnr.py", "20", "1"],
]


def main() -> int:
    status = 0
    for cmd in QUICK:
        print(f"\n=== {' '.join(cmd)}", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / cmd[0]), *cmd[1:]])
    return status


if __name__ == "__main__":
    raise SystemExit(main())
