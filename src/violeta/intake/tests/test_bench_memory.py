"""The import bench's memory figure is the child's own, not its parent's."""

from __future__ import annotations

import subprocess
import sys

from violeta.intake.bench import peak_megabytes


def test_a_child_reports_its_own_peak_not_its_large_parents() -> None:
    ballast = bytearray(300 * 1024 * 1024)  # the parent holds 300 MB (generated rows, say)
    ballast[::4096] = b"x" * len(ballast[::4096])  # touched, so resident
    assert peak_megabytes() >= 300
    child = subprocess.run(
        [sys.executable, "-c", "from violeta.intake.bench import peak_megabytes as p; "
         "import resource; print(p(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    own, inherited = child.stdout.split()
    assert float(own) < 150  # a bare interpreter with Django's settings unloaded
    del ballast
    # What the bench printed before: ru_maxrss carries the parent's size across exec (Linux).
    assert int(inherited) / 1024 >= 300
