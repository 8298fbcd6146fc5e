"""The import graph of a source folder, read from its files (lazy imports in functions too).

One reader for the tests that check the house: no import circles (``tests/app/test_layers``)
and which modules are leaves (``tests/fullquantum/test_fullquantum_api``). Modules are named
from the folder, e.g. ``fullquantum.structured.driver`` for
``fullquantum/structured/driver.py``; a package by its folder (its ``__init__.py``).
"""

import ast
from pathlib import Path


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the modules of ``root`` its import statements load. Importing a.b.c also
    runs the packages a.b and a, except those the importing module is itself inside (they
    are already being initialised)."""
    top = root.name
    modules = {module_name(p, root): p for p in root.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            found = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    if not base:
                        continue  # above the folder: omxval.errors, omxval.linear
                    target = ".".join(base + ([node.module] if node.module else []))
                elif node.module and node.module.startswith(f"omxval.{top}"):
                    target = node.module.removeprefix("omxval.")
                else:
                    continue
                found.append(target)
                # "from . import x" / "from .pkg import mod" load the submodule x / mod
                found += [f"{target}.{a.name}" for a in node.names
                          if f"{target}.{a.name}" in modules]
            elif isinstance(node, ast.Import):
                found += [a.name.removeprefix("omxval.") for a in node.names
                          if a.name.startswith(f"omxval.{top}")]
            for target in found:
                parts = target.split(".")
                for k in range(1, len(parts) + 1):
                    step = ".".join(parts[:k])
                    inside = name == step or name.startswith(step + ".")
                    if step in modules and not inside:
                        targets.add(step)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a list of modules, or None (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
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
