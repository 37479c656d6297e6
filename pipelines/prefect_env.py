"""Prefect's environment for stanwire: set before `prefect` is first imported."""

from __future__ import annotations

import os
from pathlib import Path


def configure(home: Path, *, verbose: bool = False) -> None:
    """Keep Prefect's local state inside stanwire's home unless the user configured Prefect themselves.

    Without a PREFECT_API_URL, Prefect 3 starts a temporary local server for each flow run (ephemeral mode),
    which works offline. Analytics are off: the machines this runs on may have no internet.
    """
    if "PREFECT_HOME" not in os.environ:
        # Prefect creates its home without parents; a fresh --home folder does not exist yet.
        (home / "prefect").mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(home / "prefect")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "WARNING")
