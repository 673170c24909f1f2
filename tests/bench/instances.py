"""Tiny benchmark instances, small enough to check by hand, and where the shared data is."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType

#: The shared benchmark data (``../shared/benchmarks`` from the repository).
BENCHMARKS = Path(
    os.environ.get(
        "HOMECARE_BENCHMARKS", Path(__file__).resolve().parents[3] / "shared" / "benchmarks"
    )
)

def shared_checker(name: str) -> ModuleType:
    """The independent checker module ``name`` (``solomon`` or ``mankowska``)."""
    folder = str(BENCHMARKS / "check")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return __import__(name)


#: Four customers around a depot open until 200; capacity 30 means two routes.
#: Customers 1 and 2 lie east, 3 and 4 west; customer 4 must start by 40.
FOUR_CUSTOMERS = """TINY4

VEHICLE
NUMBER     CAPACITY
  3         30

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0          0          0        200          0
    1      10         0          10         0        100         10
    2      20         0          10         0        100         10
    3     -10         0          10         0        100         10
    4     -20         0          20         0         40         10
"""

#: Three patients (nodes 1–3), two caregivers, two services. Patient 3 needs both
#: services at once (min and max gap 0); caregiver 0 gives service 0 only,
#: caregiver 1 both. Durations 5; patients due at 30, 60 and 40.
THREE_PATIENTS = """nbNodes
5
nbVehi
2
nbServi
2
r
1 1
1 0
0 1
1 1
1 1
DS
4
a
1 0
1 1
x
0 10 0 10 0
y
0 0 10 10 0
d
0 10 10 14.142136 0
10 0 14.142136 10 10
10 14.142136 0 10 10
14.142136 10 10 0 14.142136
0 10 10 14.142136 0
p
0 0
0 0
5 5
5 5
5 5
5 5
5 5
5 5
0 0
0 0
mind
0 0 0 0 0
maxd
0 0 0 0 0
e
0 0 0 0 0
l
500 30 60 40 500
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write an instance file into ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text(text)
    return path
