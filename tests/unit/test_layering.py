"""Imports run one way: the source system and the lake at the bottom, the sync engine above both,
Dagster wiring on top, and the webhook receiver small (docs/architecture.md).

Read from the source with `ast`, so a violation is caught even where no test imports the module; the
receiver's real import set is also checked in a fresh interpreter.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIPELINES = ROOT / "pipelines"

#: The receiver and what it imports (`pipelines.webhooks` holds nothing else).
RECEIVER = "pipelines/webhooks"
HEAVY = ("dagster", "dagster_dbt", "pyarrow", "deltalake", "duckdb", "pandas", "dbt")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of the file (function-level imports included)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            # `from pipelines.healthie import streams` imports the submodule too.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def files_under(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        # The source system knows Healthie only: no storage, no engine, no orchestration.
        ("pipelines/healthie", ("pipelines.lake", "pipelines.extract", "pipelines.refresh", "dagster")),
        # Storage takes Arrow schemas and knows nothing of Healthie.
        ("pipelines/lake", ("pipelines.healthie", "pipelines.extract", "pipelines.refresh", "dagster")),
        # The engine joins the two; Dagster calls it, never the other way.
        ("pipelines/extract", ("pipelines.refresh", "pipelines.assets", "pipelines.resources", "dagster")),
        # The receiver starts fast and small.
        (
            RECEIVER,
            (
                *HEAVY,
                "pipelines.lake",
                "pipelines.extract",
                "pipelines.refresh",
                "pipelines.healthie.streams",
            ),
        ),
        # Standard-library helpers every layer may use.
        ("pipelines/files.py", ("pipelines", "dagster")),
        ("pipelines/paths.py", ("pipelines", "dagster")),
        ("pipelines/sql_files.py", ("pipelines", "dagster")),
    ],
)
def test_imports_point_one_way(folder: str, forbidden: tuple[str, ...]) -> None:
    paths = [ROOT / folder] if folder.endswith(".py") else files_under(folder)
    assert paths, folder
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in paths
        for name in sorted(imports_of(path))
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]
    assert found == []


def test_the_receiver_imports_nothing_heavy_when_it_starts() -> None:
    code = (
        "import sys, pipelines.webhooks.app\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "assert not heavy, heavy"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_no_module_level_import_cycle_between_packages() -> None:
    """The layers as a graph of packages (healthie, lake, extract, webhooks, refresh, assets, ...):
    no package reaches back to one that reaches it."""

    def package(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:2]) if parts[0] == "pipelines" and len(parts) > 1 else ""

    edges: dict[str, set[str]] = {}
    for path in sorted(PIPELINES.rglob("*.py")):
        source = package(module_name(path))
        for name in imports_of(path):
            target = package(name)
            if target and target != source:
                edges.setdefault(source, set()).add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in edges.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(f"{a} -> {b}" for a, targets in edges.items() for b in targets if reaches(b, a, {b}))
    assert cycles == []
