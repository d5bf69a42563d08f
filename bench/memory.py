"""Peak resident memory of one process, as the kernel keeps it for the process's own memory.

`getrusage`'s `ru_maxrss` is kept across `exec`: a step started from the benchmark reported
at least the benchmark's own peak at the fork (939 MB for every step of a run holding a
1M-event history), whatever the step used. `VmHWM` belongs to the address space, which
`exec` replaces.
"""

from __future__ import annotations

from pathlib import Path


def peak_rss_mb(pid: int | str = "self") -> float:
    """The process's peak resident set (`VmHWM`) in MB; 0.0 where /proc has no such line."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0
