"""The packages depend one way: pipelines → {spiders, nlp, warehouse}; those three never import each other."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("pipelines", "spiders", "nlp", "warehouse")


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["spiders", "nlp", "warehouse"])
def test_leaf_packages_import_no_other_stanwire_package(package: str) -> None:
    files = sorted((REPO / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    offenders = {
        str(f.relative_to(REPO)): sorted(imported_top_levels(f) & (set(PACKAGES) - {package})) for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}
