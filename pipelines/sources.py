"""Load and validate `sources.yaml`: the outlets stanwire polls and crawls.

Errors name the file, the line and the key, because this file is edited by hand.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from pipelines.errors import ConfigError

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANGUAGES = {"en", "ru", "kk", "ky", "tg", "uz", "tk"}
KNOWN_KEYS = {
    "name",
    "title",
    "language",
    "feeds",
    "sections",
    "sitemap",
    "allowed_domains",
    "max_pages",
    "country",
    "enabled",
}
ENV_RE = re.compile(r"\$\{([A-Z0-9_]+)\}")


@dataclass(frozen=True)
class Source:
    """One outlet. `allowed_domains` defaults to the hosts of its feeds, sections and sitemap."""

    name: str
    title: str
    language: str
    feeds: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    sitemap: str | None = None
    allowed_domains: tuple[str, ...] = ()
    max_pages: int | None = None
    country: str | None = None
    enabled: bool = True
    line: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def _where(path: Path, node: yaml.Node) -> str:
    return f"{path}:{node.start_mark.line + 1}"


def _expand(value: str, path: Path, node: yaml.Node) -> str:
    """Expand ${VAR} from the environment (the demo uses it for its local server's address)."""

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(f"{_where(path, node)}: environment variable ${{{name}}} is not set")
        return os.environ[name]

    return ENV_RE.sub(repl, value)


def _scalar(path: Path, key: str, node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.value == "":
        raise ConfigError(f"{_where(path, node)}: key '{key}' must be a non-empty string")
    return _expand(str(node.value), path, node)


def _url(path: Path, key: str, node: yaml.Node) -> str:
    url = _scalar(path, key, node)
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"{_where(path, node)}: key '{key}': {url!r} is not an http(s) URL")
    return url


def _url_list(path: Path, key: str, node: yaml.Node) -> tuple[str, ...]:
    if isinstance(node, yaml.ScalarNode):
        return (_url(path, key, node),)
    if not isinstance(node, yaml.SequenceNode):
        raise ConfigError(f"{_where(path, node)}: key '{key}' must be a list of URLs")
    return tuple(_url(path, key, item) for item in node.value)


def _parse_source(path: Path, node: yaml.Node) -> Source:
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{_where(path, node)}: each source must be a mapping with keys name, title, ...")
    items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in KNOWN_KEYS:
            raise ConfigError(
                f"{_where(path, key_node)}: unknown key {key!r} (expected one of {', '.join(sorted(KNOWN_KEYS))})"
            )
        items[key] = (key_node, value_node)
    for required in ("name", "title", "language"):
        if required not in items:
            raise ConfigError(f"{_where(path, node)}: source is missing the required key '{required}'")

    name = _scalar(path, "name", items["name"][1])
    if not NAME_RE.match(name):
        raise ConfigError(
            f"{_where(path, items['name'][1])}: key 'name': {name!r} must be lower-case letters, digits, - or _"
        )
    language = _scalar(path, "language", items["language"][1])
    if language not in LANGUAGES:
        raise ConfigError(
            f"{_where(path, items['language'][1])}: key 'language': {language!r} is not one of "
            f"{', '.join(sorted(LANGUAGES))}"
        )
    feeds = _url_list(path, "feeds", items["feeds"][1]) if "feeds" in items else ()
    sections = _url_list(path, "sections", items["sections"][1]) if "sections" in items else ()
    sitemap = _url(path, "sitemap", items["sitemap"][1]) if "sitemap" in items else None
    if not feeds and not sections and not sitemap:
        raise ConfigError(
            f"{_where(path, node)}: source '{name}' needs at least one of feeds, sections, sitemap"
        )

    if "allowed_domains" in items:
        domains_node = items["allowed_domains"][1]
        if not isinstance(domains_node, yaml.SequenceNode):
            raise ConfigError(
                f"{_where(path, domains_node)}: key 'allowed_domains' must be a list of host names"
            )
        allowed = tuple(_scalar(path, "allowed_domains", item).lower() for item in domains_node.value)
    else:
        hosts = [urlsplit(u).hostname or "" for u in (*feeds, *sections, *([sitemap] if sitemap else []))]
        allowed = tuple(dict.fromkeys(h.lower() for h in hosts if h))

    max_pages = None
    if "max_pages" in items:
        raw = _scalar(path, "max_pages", items["max_pages"][1])
        if not raw.isdigit() or int(raw) < 1:
            raise ConfigError(
                f"{_where(path, items['max_pages'][1])}: key 'max_pages' must be a positive integer"
            )
        max_pages = int(raw)
    enabled = True
    if "enabled" in items:
        enabled = _scalar(path, "enabled", items["enabled"][1]).lower() in {"true", "yes", "on", "1"}
    country = _scalar(path, "country", items["country"][1]).upper() if "country" in items else None

    return Source(
        name=name,
        title=_scalar(path, "title", items["title"][1]),
        language=language,
        feeds=feeds,
        sections=sections,
        sitemap=sitemap,
        allowed_domains=allowed,
        max_pages=max_pages,
        country=country,
        enabled=enabled,
        line=node.start_mark.line + 1,
    )


def _yaml_error(path: Path, exc: yaml.YAMLError, text: str) -> str:
    """A YAML error in one line: `sources.yaml:4:10: not valid YAML: <problem> (<context> on line 3, column 12)`."""
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow: no mark, a position
        line = text[: exc.position].count("\n") + 1
        return f"{path}:{line}: not valid YAML: {exc.reason} (U+{exc.character:04X})"
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return f"{path}: not valid YAML: {' '.join(str(exc).split())}"
    mark = exc.problem_mark
    context = ""
    if exc.context:
        where = (
            f" on line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
            if exc.context_mark
            else ""
        )
        context = f" ({exc.context}{where})"
    return f"{path}:{mark.line + 1}:{mark.column + 1}: not valid YAML: {exc.problem}{context}"


def load_sources(path: Path, *, only: list[str] | None = None) -> list[Source]:
    """Read `path` and return its enabled sources (or only those named in `only`)."""
    if not path.is_file():
        raise ConfigError(f"sources file {path} does not exist (pass --sources FILE or set STANWIRE_SOURCES)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text: {exc}") from exc
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise ConfigError(_yaml_error(path, exc, text)) from exc
    if root is None:
        raise ConfigError(f"{path}: the file is empty; it needs a 'sources:' list")
    if isinstance(root, yaml.MappingNode):
        found = [v for k, v in root.value if k.value == "sources"]
        if not found:
            raise ConfigError(f"{_where(path, root)}: expected a top-level key 'sources'")
        root = found[0]
    if not isinstance(root, yaml.SequenceNode):
        raise ConfigError(f"{_where(path, root)}: 'sources' must be a list of sources")

    sources: list[Source] = []
    seen: dict[str, int] = {}
    for node in root.value:
        source = _parse_source(path, node)
        if source.name in seen:
            raise ConfigError(
                f"{path}:{source.line}: key 'name': {source.name!r} is already used by the source on line "
                f"{seen[source.name]}"
            )
        seen[source.name] = source.line
        sources.append(source)

    if only:
        unknown = sorted(set(only) - set(seen))
        if unknown:
            raise ConfigError(
                f"{path}: no source named {', '.join(unknown)} (known: {', '.join(sorted(seen))})"
            )
        return [s for s in sources if s.name in only]
    return [s for s in sources if s.enabled]
