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


def machine_facts() -> dict:
    """What a speed or training figure depends on: CPU, BLAS kernel, library versions.

    OpenBLAS picks its kernels by CPU at run time (``DYNAMIC_ARCH``), so the same recipe trains to
    different weights on another CPU family (round v12 in ``docs/nlp-rounds.md``)."""
    import os
    import platform

    import numpy as np
    import spacy
    import thinc
    from threadpoolctl import threadpool_info

    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    np.ones((8, 8)) @ np.ones((8, 8))  # load the BLAS so threadpoolctl sees it
    blas = [{"api": i.get("internal_api"), "version": i.get("version"), "architecture": i.get("architecture")}
            for i in threadpool_info() if i.get("user_api") == "blas"]
    return {"cpu": cpu, "cpus": os.cpu_count(), "blas": blas, "python": platform.python_version(),
            "numpy": np.__version__, "spacy": spacy.__version__, "thinc": thinc.__version__,
            "platform": platform.platform(), "load_1min": round(os.getloadavg()[0], 2)}
