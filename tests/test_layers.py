"""The imports between weakties' layers run one way (see the design guide).

Read from the source text with ``ast``, so the test needs nothing imported and
fails on the offending line's module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "weakties"

# A module of the layer on the left may never import a module of a layer on the right.
FORBIDDEN = {
    "sources": ("identity", "store", "ties", "graph", "insights", "analysis", "ingest", "cli"),
    "text": ("sources", "identity", "store", "ties", "graph", "insights", "ingest", "cli"),
    "records": ("sources", "identity", "store", "ties", "graph", "insights", "text"),
    "channels": ("sources", "identity", "store", "ties", "graph", "insights", "text"),
    "identity": ("sources", "ties", "graph", "insights", "analysis", "ingest", "cli"),
    "store": ("identity", "sources", "ties", "graph", "insights", "analysis", "ingest", "cli"),
    "ties": ("sources", "identity", "graph", "insights", "analysis", "ingest", "cli"),
    "graph": ("sources", "identity", "store", "ties", "insights", "analysis", "ingest", "cli"),
    "insights": ("sources", "ingest", "analysis", "cli"),
}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "weakties" else ""


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_against_the_flow(path: Path) -> None:
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    banned = FORBIDDEN.get(own, ())
    wrong = [
        f"line {line}: {module}"
        for line, module in _imports(path)
        if _layer(module) in banned and module.startswith("weakties.")
    ]
    assert not wrong, f"{own} may not import {banned}: {wrong}"


def test_the_layers_named_exist() -> None:
    names = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()}
    assert set(FORBIDDEN) - {"channels"} <= names
