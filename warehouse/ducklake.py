"""The warehouse on DuckLake: catalog in PostgreSQL, data as Parquet files under a data path (a folder, shared
by every machine that writes or reads the warehouse).

`Lake.parse` reads the `warehouse` setting (`ducklake:postgres:<libpq connection string>`) and `data_path`;
`open_lake` is what `pipelines.stages.open_warehouse` calls for such a warehouse: attached, migrated (writers) and
ready, or read-only (readers, who see the last committed snapshot while writers work).

`attach_ducklake` opens a DuckDB connection with the DuckLake catalog attached as `lake` and in use, both
extensions (`ducklake`, `postgres_scanner`) loaded from their PyPI packages: nothing is downloaded at run time.
`translate_ddl` rewrites our migration SQL into what DuckLake accepts, and `apply_ducklake_migrations` applies
the migrations and views as `warehouse.db` does for a local warehouse.

What DuckLake refuses and `translate_ddl` therefore changes:

* sequences (`CREATE SEQUENCE`, `DEFAULT nextval(...)`): dropped; ids must be given by the writer;
* `PRIMARY KEY` (column or table constraint): dropped, its columns become `NOT NULL`;
* `UNIQUE` and `CHECK` constraints: dropped;
* defaults of `LIST` columns (`VARCHAR[] ... DEFAULT []`): dropped;
* `ALTER TABLE … ADD COLUMN … DEFAULT true` (DuckLake takes only a literal there, and not `true`/`false`):
  quoted, `DEFAULT 'true'`.

Keys are therefore no longer enforced on a lake: upserts must be `MERGE INTO`, not `INSERT ... ON CONFLICT`
(see docs/ducklake.md).
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass
from typing import Any

import duckdb

from warehouse.db import apply_migrations, apply_views, extension_path
from warehouse.errors import MigrationError, WarehouseError, one_line

logger = logging.getLogger(__name__)

__all__ = ["LAKE", "Lake", "apply_ducklake_migrations", "attach_ducklake", "open_lake", "translate_ddl"]

PREFIX = "ducklake:postgres:"

LAKE = "lake"
EXTENSIONS = (
    ("duckdb_extension_postgres_scanner", "postgres_scanner"),
    ("duckdb_extension_ducklake", "ducklake"),
)
NO_DOWNLOADS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# For a data path on S3-compatible storage (s3://bucket/prefix/).
HTTPFS = ("duckdb_extension_httpfs", "httpfs")


def _s3_secret(conn: duckdb.DuckDBPyConnection) -> None:
    """The S3 credentials of this process's environment as a DuckDB secret: AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY, AWS_REGION (default us-east-1), and AWS_ENDPOINT_URL for a server other than AWS's
    (MinIO, Ceph, moto: `http://host:port`, path-style URLs)."""
    import os
    from urllib.parse import urlsplit

    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not key or not secret:
        raise WarehouseError(
            "data_path is on S3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_ENDPOINT_URL for a "
            "server other than AWS's) in the environment"
        )
    options = {"KEY_ID": key, "SECRET": secret, "REGION": os.environ.get("AWS_REGION") or "us-east-1"}
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "").strip()
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        if not parts.netloc:
            raise WarehouseError(f"AWS_ENDPOINT_URL {endpoint!r}: expected http(s)://host:port")
        options |= {
            "ENDPOINT": parts.netloc,
            "URL_STYLE": "path",
            "USE_SSL": str(parts.scheme == "https").lower(),
        }
    listed = ", ".join(
        f"{name} {value}" if name == "USE_SSL" else f"{name} {_literal(value)}"
        for name, value in options.items()
    )
    try:
        conn.execute(f"CREATE SECRET stanwire_lake_s3 (TYPE s3, {listed})")
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot set up the S3 credentials for data_path: {one_line(exc)}") from exc


def _literal(text: str) -> str:
    """`text` as an SQL string literal (ATTACH and LOAD take no parameters)."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Lake:
    """A DuckLake warehouse: its PostgreSQL catalog (a libpq connection string) and its data path."""

    catalog: str
    data_path: str

    @classmethod
    def parse(cls, warehouse: str, data_path: str) -> Lake:
        """The lake of a `warehouse` setting `ducklake:postgres:<libpq>`; `ValueError` says what is wrong."""
        if not warehouse.startswith(PREFIX):
            raise ValueError(
                f"{warehouse!r} is not a DuckLake warehouse: expected {PREFIX}dbname=… host=… (or empty for "
                "the local warehouse file)"
            )
        catalog = warehouse[len(PREFIX) :].strip()
        if "=" not in catalog:
            raise ValueError(
                f"{warehouse!r}: after {PREFIX} give the catalog's libpq connection string, e.g. "
                f"{PREFIX}dbname=stanwire host=db.example user=stanwire"
            )
        if not data_path.strip():
            raise ValueError("a DuckLake warehouse needs data_path: the folder its Parquet files go to")
        if "://" in data_path and not data_path.startswith("s3://"):
            raise ValueError(
                f"data_path {data_path!r}: give a folder (local or a shared mount) or s3://bucket/prefix/ "
                "(S3-compatible storage; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)"
            )
        return cls(catalog, data_path)

    def __str__(self) -> str:
        return f"{PREFIX}{self.catalog} (data {self.data_path})"


def attach_ducklake(
    catalog: str, data_path: str, *, read_only: bool = False, config: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with the DuckLake warehouse attached as `lake` and in use.

    `catalog` is the libpq connection string of the PostgreSQL catalog database (`host=… port=… dbname=…
    user=…`); `data_path` is where DuckLake writes its Parquet files (a folder, created when missing).
    `read_only` attaches it for reading only. Raises `WarehouseError` when an extension's package is missing or
    the catalog cannot be attached."""
    conn = duckdb.connect(config={**NO_DOWNLOADS, **(config or {})})
    on_s3 = data_path.startswith("s3://")
    try:
        for module, name in EXTENSIONS + ((HTTPFS,) if on_s3 else ()):
            path = extension_path(module, name)
            try:
                conn.execute(f"LOAD {_literal(str(path))}")
            except duckdb.Error as exc:
                raise WarehouseError(
                    f"cannot load the {name} extension from {path}: {one_line(exc)}"
                ) from exc
        conn.execute("SET TimeZone = 'UTC'")
        if on_s3:
            _s3_secret(conn)
        try:
            conn.execute(
                f"ATTACH {_literal(PREFIX + catalog)} AS {LAKE} (DATA_PATH {_literal(data_path)}"
                + (", READ_ONLY)" if read_only else ")")
            )
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot attach the DuckLake catalog {catalog!r}: {one_line(exc)}") from exc
        conn.execute(f"USE {LAKE}")
    except BaseException:
        conn.close()
        raise
    return conn


# --- translate_ddl ------------------------------------------------------------------------------------------

# Tokens of DuckDB's SQL, enough to find the parts to drop without looking inside strings, quoted names or
# comments: a string, a quoted name, a comment, a bracket or comma, a word, or any other single character.
_TOKEN = re.compile(
    r"""
    (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<space>\s+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(sql: str) -> list[str]:
    return [m.group(0) for m in _TOKEN.finditer(sql)]


def _is_code(token: str) -> bool:
    return not token.isspace() and not token.startswith(("--", "/*"))


def _upper(token: str) -> str:
    return token.upper() if _is_code(token) and not token.startswith(("'", '"')) else ""


def _code_indexes(tokens: list[str]) -> list[int]:
    return [i for i, t in enumerate(tokens) if _is_code(t)]


def _matching(tokens: list[str], start: int) -> int:
    """The index of the bracket closing the one at `start`."""
    opening = tokens[start]
    closing = {"(": ")", "[": "]"}[opening]
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i] in ("(", "["):
            depth += 1
        elif tokens[i] in (")", "]"):
            depth -= 1
            if depth == 0:
                if tokens[i] != closing:
                    break
                return i
    raise MigrationError(f"unbalanced {opening} in SQL: {''.join(tokens)[:80]}")


def _split_top_level(tokens: list[str]) -> list[list[str]]:
    """`tokens` split at the commas outside brackets."""
    parts: list[list[str]] = [[]]
    depth = 0
    for token in tokens:
        if token in ("(", "["):
            depth += 1
        elif token in (")", "]"):
            depth -= 1
        if token == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _next_code(tokens: list[str], start: int) -> int:
    """The index of the first code token at or after `start` (len(tokens) if none)."""
    i = start
    while i < len(tokens) and not _is_code(tokens[i]):
        i += 1
    return i


def _end_of_expression(tokens: list[str], start: int) -> int:
    """The index just past the default expression starting at `start`: it runs to the next constraint keyword
    outside brackets (or the end of the column definition)."""
    stops = {"NOT", "NULL", "PRIMARY", "UNIQUE", "CHECK", "CONSTRAINT", "REFERENCES", "COLLATE", "GENERATED"}
    i = start
    while i < len(tokens):
        token = tokens[i]
        if token in ("(", "["):
            i = _matching(tokens, i) + 1
            continue
        if _upper(token) in stops:
            break
        i += 1
    while i > start and not _is_code(tokens[i - 1]):
        i -= 1
    return i


def _is_list_type(column: list[str]) -> bool:
    """True when the column's declared type (the tokens between its name and its first constraint) is a LIST."""
    code = [t for t in column if _is_code(t)]
    type_tokens: list[str] = []
    for token in code[1:]:
        if _upper(token) in {"DEFAULT", "NOT", "NULL", "PRIMARY", "UNIQUE", "CHECK", "CONSTRAINT", "COLLATE"}:
            break
        type_tokens.append(token)
    return "[" in type_tokens or any(_upper(t) == "LIST" for t in type_tokens)


def _translate_column(column: list[str], not_null: set[str], *, added: bool = False) -> list[str]:
    """One column definition without what DuckLake refuses; `not_null` names columns of a table PRIMARY KEY.

    `added`: the column of an `ALTER TABLE … ADD COLUMN`, whose default DuckLake takes only as a literal, and
    it does not count `true`/`false` as literals: they become the strings `'true'`/`'false'`."""
    out = list(column)
    name = next((t for t in out if _is_code(t)), "")
    wants_not_null = name.strip('"').lower() in not_null
    list_type = _is_list_type(out)
    i = 0
    while i < len(out):
        word = _upper(out[i])
        if word == "PRIMARY":
            key = _next_code(out, i + 1)
            if key < len(out) and _upper(out[key]) == "KEY":
                del out[i : key + 1]
                wants_not_null = True
                continue
        elif word == "UNIQUE":
            del out[i]
            continue
        elif word == "CHECK":
            bracket = _next_code(out, i + 1)
            if bracket < len(out) and out[bracket] == "(":
                del out[i : _matching(out, bracket) + 1]
                continue
        elif word == "CONSTRAINT":
            # CONSTRAINT name CHECK/UNIQUE/PRIMARY KEY …: the name goes, what follows is seen next.
            name_at = _next_code(out, i + 1)
            del out[i : name_at + 1]
            continue
        elif word == "DEFAULT":
            start = _next_code(out, i + 1)
            end = _end_of_expression(out, start)
            expression = "".join(out[start:end])
            if list_type or re.match(r"(?i)nextval\s*\(", expression):
                del out[i:end]
                continue
            if added and expression.lower() in ("true", "false"):
                out[start:end] = [f"'{expression.lower()}'"]
        i += 1
    if wants_not_null and not _has_not_null(out):
        last = max(i for i, t in enumerate(out) if _is_code(t))
        out.insert(last + 1, " NOT NULL")
    return _tidy(out) if out != column else out


def _has_not_null(tokens: list[str]) -> bool:
    words = [_upper(t) for t in tokens if _is_code(t)]
    return any(a == "NOT" and b == "NULL" for a, b in itertools.pairwise(words))


def _tidy(tokens: list[str]) -> list[str]:
    """Runs of spaces left by the removals folded into one; no space before the end."""
    text = "".join(tokens)
    text = re.sub(r"(?<=\S)[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+(\n|$)", r"\1", text)
    return _tokens(text)


def _table_key_columns(element: list[str]) -> tuple[bool, set[str]]:
    """(whether this CREATE TABLE element is a table constraint, the columns of its PRIMARY KEY if it is one)."""
    code = [t for t in element if _is_code(t)]
    if not code:
        return False, set()
    words = [_upper(t) for t in code]
    if words[0] == "CONSTRAINT":
        words, code = words[2:], code[2:]
    if words[:2] == ["PRIMARY", "KEY"]:
        return True, {t.strip('"').lower() for t in code[2:] if t not in ("(", ")", ",")}
    if words and words[0] in {"UNIQUE", "CHECK", "FOREIGN"}:
        return True, set()
    return False, set()


def _translate_create_table(tokens: list[str]) -> list[str]:
    code = _code_indexes(tokens)
    words = [_upper(tokens[i]) for i in code]
    if "AS" in words and "(" not in [tokens[i] for i in code[: words.index("AS")]]:
        return tokens  # CREATE TABLE … AS SELECT: no constraints to drop
    opening = next(i for i in code if tokens[i] == "(")
    closing = _matching(tokens, opening)
    elements = _split_top_level(tokens[opening + 1 : closing])
    key_columns: set[str] = set()
    columns: list[list[str]] = []
    for element in elements:
        constraint, keys = _table_key_columns(element)
        key_columns |= keys
        if not constraint:
            columns.append(element)
    body: list[str] = []
    for n, column in enumerate(columns):
        if n:
            body.append(",")
        body.extend(_translate_column(column, key_columns))
    # A table constraint that was the last element leaves the comma and line of the previous column dangling.
    text = "".join(body).rstrip()
    ends_in_comment = bool(text) and not _is_code(_tokens(text)[-1])
    closing_space = "\n" if "\n" in "".join(elements[-1]) or ends_in_comment else ""
    return [*tokens[: opening + 1], *_tokens(text + closing_space), *tokens[closing:]]


def _translate_statement(statement: str) -> str:
    tokens = _tokens(statement)
    code = _code_indexes(tokens)
    words = [_upper(tokens[i]) for i in code]
    if not words:
        return statement
    head = [w for w in words[:6] if w not in {"OR", "REPLACE", "TEMP", "TEMPORARY", "IF", "NOT", "EXISTS"}]
    if head[:2] == ["CREATE", "SEQUENCE"] or head[:2] == ["DROP", "SEQUENCE"]:
        return ""
    if head[:2] == ["CREATE", "TABLE"]:
        return "".join(_translate_create_table(tokens))
    if words[:2] == ["ALTER", "TABLE"] and "ADD" in words:
        at = words.index("ADD") + 1
        if words[at : at + 1] == ["COLUMN"]:
            at += 1
        if words[at : at + 3] == ["IF", "NOT", "EXISTS"]:
            at += 3
        if at >= len(code):
            return statement
        if words[at] in {"PRIMARY", "UNIQUE", "CHECK", "CONSTRAINT", "FOREIGN"}:
            return ""  # ALTER TABLE … ADD <constraint>: nothing is left to add
        return "".join([*tokens[: code[at]], *_translate_column(tokens[code[at] :], set(), added=True)])
    return statement


def translate_ddl(sql: str) -> str:
    """Our migration SQL (one or more statements) rewritten into what DuckLake accepts.

    In each statement, sequences and `DEFAULT nextval(...)` go, `PRIMARY KEY` becomes `NOT NULL` on its
    columns, `UNIQUE` and `CHECK` constraints go, defaults of LIST columns go, and the `true`/`false` default of
    an added column is quoted. Other statements are kept as they are. The result is the statements, each ending with `;`, one per line
    group; a statement left with nothing to do (`CREATE SEQUENCE`) is left out."""
    out: list[str] = []
    for statement in _split_statements(sql):
        translated = _translate_statement(statement).strip()
        tokens = _tokens(translated)
        if any(_is_code(t) for t in tokens):
            out.append(translated + (";" if _is_code(tokens[-1]) else "\n;"))
    return "\n\n".join(out) + ("\n" if out else "")


def _split_statements(sql: str) -> list[str]:
    """The statements of `sql`, split at the semicolons outside strings, quoted names and comments.

    Not DuckDB's `extract_statements`: it expands `ALTER TABLE … ADD COLUMN … DEFAULT …` into five statements
    (BEGIN, ALTER, UPDATE, ALTER, COMMIT) whose text it does not keep."""
    statements: list[list[str]] = [[]]
    for token in _tokens(sql):
        if token == ";":
            statements.append([])
        else:
            statements[-1].append(token)
    return ["".join(tokens) for tokens in statements]


# --- migrations and views on the lake -----------------------------------------------------------------------


def apply_ducklake_migrations(conn: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations the lake in use lacks, each translated by `translate_ddl`, one transaction each and
    recorded in `schema_migrations` (`warehouse.db.apply_migrations`), then (re)create the views
    (`warehouse.db.apply_views`, in their dependency order). Return the versions applied."""
    done = apply_migrations(conn, translate=translate_ddl)
    apply_views(conn)
    return done


def open_lake(
    lake: Lake, *, read_only: bool = False, config: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection to `lake` in use, its schema brought up to date first unless `read_only` (several writers
    opening a new lake at once: the one whose migration loses the commit tries again, and finds it applied)."""
    if read_only:
        try:
            return attach_ducklake(lake.catalog, lake.data_path, read_only=True, config=config)
        except WarehouseError as exc:
            if "creating a new DuckLake is explicitly disabled" not in str(exc):
                raise
            raise WarehouseError(
                f"no DuckLake warehouse in catalog {lake.catalog!r} yet: load some landing files into it first"
            ) from exc
    conn = _attach_racing(lake, config)
    try:
        _migrate_racing(conn)
    except BaseException:
        conn.close()
        raise
    return conn


# Writers that open a new (or older) lake at once each apply the migrations it lacks; the one that loses a race
# fails, either at commit (a conflict) or at once (its ALTER finds the column the other just added). It then
# reads the lake's version again and goes on from there, this many times at most.
MIGRATION_ATTEMPTS = 8


def _attach_racing(lake: Lake, config: dict[str, Any] | None) -> duckdb.DuckDBPyConnection:
    """Attach for writing; the first attach of a new catalog creates DuckLake's own tables in PostgreSQL, and of
    two doing it at once one fails ("duplicate key value …"): it tries again and finds them."""
    import time

    for attempt in range(1, MIGRATION_ATTEMPTS + 1):
        try:
            return attach_ducklake(lake.catalog, lake.data_path, config=config)
        except WarehouseError as exc:
            if attempt == MIGRATION_ATTEMPTS or "Failed to initialize DuckLake" not in str(exc):
                raise
            logger.info("another writer is creating the lake's catalog; trying again: %s", one_line(exc))
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def _migrate_racing(conn: duckdb.DuckDBPyConnection) -> None:
    import time

    from warehouse.db import is_conflict, schema_version

    for attempt in range(1, MIGRATION_ATTEMPTS + 1):
        before = schema_version(conn)
        try:
            apply_ducklake_migrations(conn)
            return
        except (MigrationError, duckdb.Error) as exc:
            after = schema_version(conn)
            if attempt == MIGRATION_ATTEMPTS or (after == before and not is_conflict(exc)):
                raise
            logger.info("another writer is migrating the lake (version %d → %d); trying again", before, after)
            time.sleep(0.2 * attempt)
