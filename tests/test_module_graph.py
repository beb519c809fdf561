"""How the modules under bot/ may import each other: a pure core, a table of layers every import
keeps to (imports made only for type checking counted too), no import cycle, no module over 600
lines, and no private store method called from outside bot/store."""

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


def imported_names(
    path: Path, name: str, modules: Collection[str] = (), *, type_checking: bool = True
) -> set[str]:
    """Every module an import in this file names, inside functions too; inside
    `if TYPE_CHECKING:` too unless type_checking is False (a type-only import still makes one
    module depend on another, and can hide a layer broken upside down).

    `from package import name` imports the module package.name when that is one of `modules`
    (as `import package.name` does), else it imports the package itself.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node) and not type_checking:
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


def import_graph(*, type_checking: bool = True) -> dict[str, set[str]]:
    """Module -> the modules under bot/ it imports (type-only imports too, unless told not)."""
    modules = bot_modules()
    return {
        name: {
            other
            for other in imported_names(path, name, modules, type_checking=type_checking)
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
    found = imported_names(source, "bot.m", {"bot.live", "bot.core.text"}, type_checking=False)
    assert found >= {"bot.live", "bot.core.text"}
    assert "bot.x" not in found
    assert imported_names(source, "bot.m") >= {"bot", "bot.core.text", "bot.x"}


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


# --- The layers ---------------------------------------------------------------------------------

#: The component each module belongs to: a key "pkg" names that module (or package __init__)
#: itself, "pkg.*" every module under it; the longest key that matches wins.
COMPONENTS = {
    "bot": "app",
    "bot.core": "core",
    "bot.core.*": "core",
    "bot.settings": "settings",
    "bot.background": "background",
    "bot.twiml": "twiml",
    "bot.privacy": "privacy",
    "bot.ratelimit": "ratelimit",
    "bot.store": "store",
    "bot.store.*": "store",
    "bot.library": "wiring",
    "bot.library.*": "library",
    "bot.library.cli": "commands",
    "bot.live": "live",
    "bot.live.*": "live",
    "bot.purge": "wiring",
    "bot.purge.*": "purge",
    "bot.purge.cli": "commands",
    "bot.runtime": "runtime",
    "bot.cli": "commands",
    "bot.health": "health",
    "bot.channels": "channels",
    "bot.channels.*": "channels",
    "bot.outreach": "outreach",
    "bot.outreach.*": "outreach",
    "bot.console": "console",
    "bot.console.*": "console",
}

#: What each component may import, lowest first: the pure core; settings and small helpers;
#: the database; the library's lifecycle; the live library and the purge; the runtime objects
#: that hold them; then what serves requests and commands; create_app wires it all.
MAY_IMPORT = {
    "core": set(),
    "settings": set(),
    "background": set(),
    "twiml": {"core"},
    "privacy": {"settings"},
    "ratelimit": {"core", "settings"},
    "store": {"core", "settings"},
    "library": {"core", "settings", "store"},
    "live": {"core", "settings", "store", "library", "background", "twiml"},
    "purge": {"core", "settings", "store", "background"},
    "runtime": {"settings", "store", "live", "purge", "ratelimit"},
    "commands": {"core", "settings", "store", "library", "purge", "runtime"},
    "wiring": {"settings", "library", "purge", "commands", "runtime"},
    "health": {"runtime"},
    "channels": {"core", "settings", "twiml", "store", "library", "live", "runtime"},
    "outreach": {"core", "settings", "store", "library", "runtime"},
    "console": {"core", "settings", "store", "library", "live", "outreach", "runtime"},
    "app": {
        "settings",
        "privacy",
        "ratelimit",
        "store",
        "live",
        "runtime",
        "commands",
        "wiring",
        "health",
        "channels",
        "outreach",
        "console",
    },
}


def component_of(module: str) -> str | None:
    """The component a module belongs to (COMPONENTS), or None when no key matches."""
    keys = [
        module,
        *(".".join(module.split(".")[:n]) + ".*" for n in range(len(module.split(".")) - 1, 0, -1)),
    ]
    return next((COMPONENTS[key] for key in keys if key in COMPONENTS), None)


def test_every_module_under_bot_has_a_place_in_the_layers():
    unplaced = sorted(name for name in bot_modules() if component_of(name) is None)
    assert unplaced == [], f"add these to COMPONENTS: {unplaced}"


def test_the_table_of_layers_runs_one_way_only():
    table = {component: set(allowed) for component, allowed in MAY_IMPORT.items()}
    cycle = find_cycle(table)
    assert cycle is None, "the table lets these import each other: " + " -> ".join(cycle or [])
    assert set(COMPONENTS.values()) == set(MAY_IMPORT)


def test_every_import_keeps_to_the_layers_type_only_imports_included():
    upward = sorted(
        f"{name} ({component_of(name)}) imports {other} ({component_of(other)})"
        for name, imports in import_graph().items()
        for other in imports
        if component_of(other) != component_of(name)
        and component_of(other) not in MAY_IMPORT[component_of(name)]
    )
    assert upward == []


def test_the_layer_test_catches_an_arrow_that_runs_back_up(tmp_path):
    # The store importing the runtime (type-only) is what the table forbids.
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.runtime import BotRuntime\n"
    )
    imported = imported_names(source, "bot.store.m", set(bot_modules()))
    assert "bot.runtime" in imported
    assert component_of("bot.store.m") == "store"
    assert "runtime" not in MAY_IMPORT["store"]
    assert component_of("bot.library.cli") == "commands"
    assert component_of("bot.library.prepare") == "library"
    assert component_of("bot.library") == "wiring"


def test_no_module_under_bot_is_over_600_lines():
    long = {
        name: n
        for name, path in bot_modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}


def _private_store_methods() -> set[str]:
    """The private methods (one leading underscore) of the classes in bot/store."""
    found = set()
    for path in (BOT / "store").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    name = item.name if isinstance(item, ast.FunctionDef) else ""
                    if name.startswith("_") and not name.startswith("__"):
                        found.add(name)
    return found


def test_no_private_store_method_is_called_outside_bot_store():
    private = _private_store_methods()
    assert {"_insert_revision", "_point_live"} <= private
    calls = []
    for name, path in bot_modules().items():
        if name == "bot.store" or name.startswith("bot.store."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in private
                and not (isinstance(node.value, ast.Name) and node.value.id == "self")
            ):
                calls.append(f"{name}:{node.lineno} .{node.attr}")
    assert calls == []
