"""A cheap real sweep point for the tests: a program that computes from
its arguments, as a point of kind ``command``.

    python3 sweep_point.py X Y [MODE]

prints ``SCOTCH-METRIC`` lines (the sum of the squares of 0..X-1 taken
Y at a time, and X*Y); MODE ``sleepS`` waits S seconds first, ``fail``
exits 3 after a line on stderr, ``nometric`` prints no metric,
``killworker`` kills the sweep worker that started it.
"""

import os
import signal
import sys
import time

x, y = int(sys.argv[1]), int(sys.argv[2])
mode = sys.argv[3] if len(sys.argv) > 3 else ""
if mode.startswith("sleep"):
    time.sleep(float(mode[5:]))
if mode == "fail":
    print(f"sweep_point: cannot do x={x} y={y}", file=sys.stderr)
    sys.exit(3)
if mode == "killworker":
    print("sweep_point: killing my worker", flush=True)
    os.kill(os.getppid(), signal.SIGKILL)
    time.sleep(5)
if mode == "nometric":
    print("done, but measured nothing")
    sys.exit(0)
print(f"SCOTCH-METRIC squares={sum(i * i for i in range(x)) * y}")
print(f"SCOTCH-METRIC product={x * y}")
