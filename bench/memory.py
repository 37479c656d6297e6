"""Peak memory of this process and of the processes it starts, read from /proc (Linux).

`resource.getrusage(RUSAGE_SELF).ru_maxrss` cannot be used for a process started by another: Linux keeps the
figure across `execve`, so a child started by a benchmark that had reached 2 GiB reports 2 GiB before it does
anything. `VmHWM` in /proc/self/status is the process's own high-water mark. The processes a stage starts
(the crawl, the enrich workers) are sampled while they run: `TreeSampler` follows every descendant and keeps
the highest sum of resident memory of the whole tree, and each process's own high-water mark.
"""

from __future__ import annotations

import resource
import threading
from pathlib import Path
from typing import Any

PROC = Path("/proc")


def _status(pid: int | str) -> dict[str, int]:
    """The kB fields of /proc/<pid>/status that matter here (empty once the process is gone)."""
    found: dict[str, int] = {}
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS", "PPid"):
                found[key] = int(value.split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    return found


def own_peak_bytes() -> int:
    """This process's own peak resident memory (VmHWM), whatever its parent used."""
    status = _status("self")
    if "VmHWM" in status:
        return status["VmHWM"] * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # not Linux: the best there is


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            parent = _status(entry.name).get("PPid")
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class TreeSampler:
    """While in its `with` block: every `interval` seconds, the resident memory of this process and all its
    descendants. `tree_peak_bytes` is the highest sum seen, `child_peak_bytes` the highest high-water mark of
    one descendant (a child's VmHWM is read while it lives, so growth in its last interval can be missed)."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.tree_peak_bytes = 0
        self.child_peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        import os

        total = _status("self").get("VmRSS", 0)
        for pid in _descendants(os.getpid()):
            status = _status(pid)
            total += status.get("VmRSS", 0)
            self.child_peak_bytes = max(self.child_peak_bytes, status.get("VmHWM", 0) * 1024)
        self.tree_peak_bytes = max(self.tree_peak_bytes, total * 1024)
