"""The read side's modules import each other in one direction only, and each imports on its own.

A cycle (``html`` and ``render`` once imported each other) works or breaks depending on which
module is imported first; so every import between analytics modules, also those inside
functions, must form a graph without cycles, and each module must import when it comes first.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "analytics"
MODULES = sorted(f"analytics.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def imported_modules(path: Path) -> set[str]:
    """The analytics modules ``path`` imports anywhere in its code (``from analytics import x`` names x)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found & set(MODULES)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A path that comes back to where it started, or None (depth-first search)."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module):], module]
        if module in done:
            return None
        for target in sorted(graph.get(module, ())):
            cycle = visit(target, [*path, module])
            if cycle:
                return cycle
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module, [])
        if cycle:
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_analytics_module_imports_back_into_one_that_imports_it() -> None:
    graph = {m: imported_modules(PACKAGE / f"{m.split('.')[1]}.py") - {m} for m in MODULES}
    assert graph["analytics.render"] >= {"analytics.html", "analytics.formatting"}  # the graph sees real imports
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


FRESH_IMPORTS = """
import importlib, sys
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "analytics" or m.startswith("analytics.")]:
        del sys.modules[loaded]
    importlib.import_module(name)
    print(name)
"""


def test_each_module_imports_first() -> None:
    """Each module imported before any other analytics module (one interpreter, analytics reloaded each time)."""
    result = subprocess.run([sys.executable, "-c", FRESH_IMPORTS, *MODULES], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == MODULES


def writes(path: Path) -> list[str]:
    """Where a module could write to the store: a transaction, a commit, or a table's insert/update/delete."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
            found += [f"imports {a.name}" for a in node.names if a.name in ("insert", "update", "delete", "Session")]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in ("begin", "commit") or (name in ("insert", "update", "delete")
                                                                   and not node.args):
                found.append(f"line {node.lineno}: .{name}()")
    return found


def test_the_read_side_never_writes_to_the_store() -> None:
    assert writes(PROJECT_ROOT / "bot" / "synthetic.py")  # the check sees a module that does write
    assert {m: w for m in MODULES if (w := writes(PACKAGE / f"{m.split('.')[1]}.py"))} == {}
