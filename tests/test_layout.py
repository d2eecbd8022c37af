"""The layout of the code (README, "How the code is laid out"): dependencies point one way.

The module graph is read from the source with ``ast``: every import of the app's own
modules, those inside functions included (an import put inside a function to dodge a
cycle is still a cycle of design). The tests fail on

- any import cycle between modules;
- an import against the order of the packages: ``config``/``extensions`` < ``web`` <
  ``accounts`` < ``emulation`` < ``leaderboards`` < ``badges`` < ``api`` < ``app``;
- inside ``emulation``: the bottom modules importing a sub-package or a page module, and
  the sub-packages importing against ``scoring`` < ``imports``, ``commendation`` < ``demo``;
- a package whose ``__init__.py`` does not say what it may import.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("web", "accounts", "emulation", "leaderboards", "badges", "api")
ORDER = {"config": 0, "extensions": 0, "web": 1, "accounts": 2, "emulation": 3, "leaderboards": 4, "badges": 5,
         "api": 6, "app": 7}
EMULATION_BOTTOM = {"emulation.models", "emulation.campaigns", "emulation.clock", "emulation.labels",
                    "emulation.directory", "emulation.privacy", "emulation.bulk"}
# sub-package -> the sub-packages of emulation it may import
EMULATION_ROOMS = {
    "emulation.scoring": set(),
    "emulation.imports": {"emulation.scoring"},
    "emulation.commendation": {"emulation.scoring"},
    "emulation.demo": {"emulation.scoring", "emulation.imports"},
}


def module_files() -> dict[str, Path]:
    files = {name: ROOT / f"{name}.py" for name in ("app", "config", "extensions")}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            files[".".join(parts)] = path
    return files


def import_graph(files: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the app's modules it imports (``from pkg import module`` names the module)."""
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in files:  # ``import a.b.c``: the deepest module we have
                    target = target.rpartition(".")[0]
                if target and target != name:
                    deps.add(target)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def top(module: str) -> str:
    return module.split(".")[0]


def room(module: str) -> str | None:
    """The emulation sub-package a module belongs to, if any."""
    parts = module.split(".")
    if parts[0] == "emulation" and len(parts) >= 2 and f"emulation.{parts[1]}" in EMULATION_ROOMS:
        return f"emulation.{parts[1]}"
    return None


def violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, deps in sorted(graph.items()):
        for dep in sorted(deps):
            if ORDER[top(dep)] > ORDER[top(module)]:
                found.append(f"{module} imports {dep}: {top(dep)} is above {top(module)}")
            if module in EMULATION_BOTTOM and dep.startswith("emulation.") and dep not in EMULATION_BOTTOM:
                found.append(f"{module} (the bottom of emulation) imports {dep}")
            mine, theirs = room(module), room(dep)
            if mine and theirs and mine != theirs and theirs not in EMULATION_ROOMS[mine]:
                found.append(f"{module} imports {dep}: {mine} may not import {theirs}")
    return found


def test_the_graph_reads_what_the_app_imports():
    graph = import_graph(module_files())
    # Spot checks that the reader resolves relative, from-package and function-local imports.
    assert "emulation.models" in graph["emulation.scoring.scores"]
    assert "emulation.imports.jobs" in graph["emulation.imports.views"]  # from . import jobs as import_jobs
    assert "accounts.services" in graph["accounts.access"]  # imported inside a function
    assert "web.commands" in graph["emulation.cli"]


def test_no_import_cycle():
    found = cycles(import_graph(module_files()))
    assert not found, "import cycles (break them by moving the shared part down): " + "; ".join(
        " <-> ".join(c) for c in found)


def test_dependencies_point_one_way():
    found = violations(import_graph(module_files()))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("package", sorted({m for m, p in module_files().items() if p.name == "__init__.py"}))
def test_each_package_says_what_it_owns_and_may_import(package):
    doc = ast.get_docstring(ast.parse(module_files()[package].read_text(encoding="utf-8"))) or ""
    assert len(doc) > 40 and "import" in doc, f"{package}/__init__.py: say what it owns and what it may import"


# The checks themselves, on small graphs: each would catch what it is for.

def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_an_upward_import_is_found():
    assert violations({"web.formatting": {"accounts.access"}}) == [
        "web.formatting imports accounts.access: accounts is above web"]
    assert violations({"emulation.models": {"emulation.scoring.scores"}}) == [
        "emulation.models (the bottom of emulation) imports emulation.scoring.scores"]
    assert violations({"emulation.scoring.progress": {"emulation.commendation.reports"}}) == [
        "emulation.scoring.progress imports emulation.commendation.reports: "
        "emulation.scoring may not import emulation.commendation"]
    assert violations({"emulation.imports.views": {"emulation.scoring.scores", "web.forms"}}) == []
