"""No module of projects/ imports itself back, and every one imports in a fresh interpreter.

An import loop seldom fails at import time: Django imports the admin package first (autodiscover),
so `projects.admin` ↔ `projects.admin_entry` loaded fine for years while the monthly screen could
not be imported on its own. So the loops are found in the source: every `import` of the package,
at the top of a module or inside a function (a lazy import is still a dependency), is an edge of
a graph whose strongly connected components must each be a single module. A fresh interpreter
then imports every module after `django.setup()`, so a module no page loads (a command, a task)
still imports.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import projects

PROJECTS = Path(projects.__file__).parent


def modules(root: Path = PROJECTS) -> dict[str, Path]:
    """{dotted name: file} of every module of the package, migrations aside."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = (root.name, *path.relative_to(root).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph(root: Path = PROJECTS) -> dict[str, set[str]]:
    """{module: the modules of the package it imports}, from every import statement in it."""
    names = modules(root)
    graph = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                stem = node.module or ""
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    stem = ".".join([*base, *([node.module] if node.module else [])])
                # `from . import access` imports a module; `from .models import Zone` a name of one.
                imported = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in names else stem for a in node.names]
            else:
                continue
            for target in imported:
                while target and target not in names:  # a name inside a module: the module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    targets.add(target)
        graph[name] = targets
    return graph


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_of_projects_imports_itself_back():
    assert loops(import_graph()) == []


def test_the_walk_sees_the_imports_it_must():
    graph = import_graph()
    assert {"projects.admin.base", "projects.admin.monthly_entry", "projects.admin.text_entry"} <= set(graph)
    assert "projects.admin.base" in graph["projects.admin.monthly_entry"]  # from .base import …
    assert "projects.monthly_entry" in graph["projects.admin.monthly_entry"]  # from ..monthly_entry …
    assert "projects.report_runs" in graph["projects.tasks"]  # from . import report_runs
    assert "projects.access" in graph["projects.apps"]  # an import inside a function counts


def test_the_admin_base_and_its_helpers_import_no_module_that_registers_an_admin():
    graph = import_graph()
    helpers = {f"projects.admin.{name}" for name in ("base", "forms", "history", "export", "paging")}
    pages = {name for name in graph if name.startswith("projects.admin.")} - helpers
    reached, stack = set(), list(helpers)
    while stack:
        for target in graph[stack.pop()] - reached:
            reached.add(target)
            stack.append(target)
    assert {"projects.admin.forms", "projects.models"} <= reached  # the helpers' imports are walked
    assert reached & (pages | {"projects.admin"}) == set()


def test_a_loop_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert loops(graph) == [["a", "b", "c"]]
    assert loops({"a": {"b"}, "b": set()}) == []


def test_every_module_imports_in_a_fresh_interpreter():
    names = [name for name in modules() if name != "projects.__main__"]
    script = (
        "import importlib, json, sys, traceback, django\n"
        "django.setup()\n"
        "failed = {}\n"
        "for name in json.loads(sys.argv[1]):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception:\n"
        "        failed[name] = traceback.format_exc(limit=-3)\n"
        "print(json.dumps(failed))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings", "SECRET_KEY": "x"}
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(names)],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECTS.parent,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {}
    assert len(names) > 60
