"""How the modules under bot/ may import each other: a pure core, and no import cycle."""

from __future__ import annotations

import ast
from collections.abc import Collection
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
CORE = BOT / "core"


def module_name(path: Path) -> str:
    """The dotted name of a module file under bot/ (a package by its __init__)."""
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def bot_modules() -> dict[str, Path]:
    """Every module under bot/, by dotted name (Alembic's migration scripts excluded: Alembic
    loads them by path, and they import no bot module that imports them back)."""
    return {
        module_name(path): path
        for path in sorted(BOT.rglob("*.py"))
        if "migrations" not in path.relative_to(BOT).parts
    }


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(path: Path, name: str, modules: Collection[str] = ()) -> set[str]:
    """Every module an import in this file names, inside functions too, outside `if TYPE_CHECKING:`.

    `from package import name` imports the module package.name when that is one of `modules`
    (as `import package.name` does), else it imports the package itself.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                found.add(submodule if submodule in modules else module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules under bot/ it imports."""
    modules = bot_modules()
    return {
        name: {
            other
            for other in imported_names(path, name, modules)
            if other in modules and other != name
        }
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_no_module_under_bot_is_in_an_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle_through_imports_inside_functions(tmp_path):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from bot.x import Y\n"
        "def f():\n    from bot import live\n    import bot.core.text\n"
    )
    found = imported_names(source, "bot.m", {"bot.live", "bot.core.text"})
    assert found >= {"bot.live", "bot.core.text"}
    assert "bot.x" not in found
    assert imported_names(source, "bot.m") >= {"bot", "bot.core.text"}


def test_the_graph_sees_every_module_and_the_known_imports():
    graph = import_graph()
    assert "bot.core.matcher" in graph["bot.core.checks"]
    assert "bot.runtime" in graph["bot.cli"]


def test_the_core_imports_no_web_database_or_twilio_package():
    forbidden = {"flask", "sqlalchemy", "twilio", "werkzeug", "alembic", "redis", "limits"}
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"


def test_the_core_imports_nothing_of_the_bot_outside_the_core():
    for name, imports in import_graph().items():
        if name.startswith("bot.core"):
            outside = {m for m in imports if not m.startswith("bot.core")}
            assert not outside, f"{name} imports {outside}"
