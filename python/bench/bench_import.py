"""`import rackconnect` time against a bare interpreter start and against stdlib imports, in the
same run: each command in a fresh interpreter, interleaved, median of N. Prints the time each
import adds to a bare start and its ratio to `import json`.

    python python/bench/bench_import.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from typing import Dict, List

IMPORTS = {
    "bare start": "pass",
    "import json": "import json",
    "import urllib.request": "import urllib.request",
    "import rackconnect": "import rackconnect",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    times: Dict[str, List[float]] = {name: [] for name in IMPORTS}
    for _ in range(args.rounds):
        for name, code in IMPORTS.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(t) for name, t in times.items()}
    bare = median["bare start"]
    json_cost = median["import json"] - bare
    print(f"median of {args.rounds} fresh interpreters ({sys.version.split()[0]})")
    for name, value in median.items():
        added = value - bare
        ratio = f"{added / json_cost:6.1f}x import json" if name != "bare start" else ""
        print(f"  {name:24} {value * 1e3:7.1f} ms  (+{added * 1e3:5.1f} ms) {ratio}")


if __name__ == "__main__":
    main()
