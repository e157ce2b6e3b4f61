"""Timing shared by the benchmark scripts."""
from __future__ import annotations

import time
from typing import Callable


def timed(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of ``repeat`` runs after one warm-up. The work runs in this
    process, so CPU time is its cost, while wall time also counts waiting for a core on a shared
    machine."""
    fn()  # warm-up (page cache, statement cache)
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu
