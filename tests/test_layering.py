"""The models are the bottom layer of the app: they import neither the rules nor the access
decisions nor any service, admin or API module, so that nothing above them is loaded (or loops
back) when a model is. `RestrictedQuerySet.restrict` reaches projects.access through an import
inside the method, made when it is called; that one is allowed."""

import ast
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parent.parent / "projects" / "models"

# The modules of `projects` the models may import besides their own package: the pure ones
# (plain values in, plain values out; no ORM queries, no request).
ALLOWED = {
    "projects.extraction.candidates",
    "projects.money",
    "projects.periods",
    "projects.provenance",
    "projects.reports.cadence",
    "projects.reports.measures",
}


def module_level_imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import of the module outside functions and classes'
    methods: at the top, under `if`/`try`, in a class body."""
    package = ["projects", "models"]
    found = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = package[: len(package) - child.level + 1] if child.level else []
                module = ".".join([*base, child.module] if child.module else base)
                if child.module is None:  # from .. import access
                    found.extend((child.lineno, f"{module}.{alias.name}") for alias in child.names)
                else:
                    found.append((child.lineno, module))
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return found


def refused(module: str) -> bool:
    if not module.startswith("projects.") or module.startswith("projects.models"):
        return False
    return module not in ALLOWED


@pytest.mark.parametrize("path", sorted(MODELS.glob("*.py")), ids=lambda path: path.name)
def test_models_import_nothing_above_them(path):
    above = [f"line {line}: {module}" for line, module in module_level_imports(path) if refused(module)]
    assert above == [], f"{path.name} imports what is above the models"


def test_the_check_sees_the_imports_it_must_refuse(tmp_path):
    source = tmp_path / "example.py"
    source.write_text(
        "from ..rules import enforce\n"
        "from .. import access\n"
        "import projects.api.serializers\n"
        "try:\n    from projects.admin import site\nexcept ImportError:\n    pass\n"
        "from .base import Versioned\n"
        "from ..periods import MIN_YEAR\n"
        "def later():\n    from .. import services\n",
        encoding="utf-8",
    )
    modules = [module for _, module in module_level_imports(source)]
    assert [module for module in modules if refused(module)] == [
        "projects.rules",
        "projects.access",
        "projects.api.serializers",
        "projects.admin",
    ]


# ---------------------------------------------------------------------------------------------
# Every module: pure modules < models < rules and access < services < admin, API and commands.
# An import (at the top or inside a function: a lazy import is still a dependency) goes only
# down or across a layer, never up.

PURE, MODELS_LAYER, RULES_LAYER, SERVICES, INTERFACES = range(5)
LAYER_NAMES = ["pure", "models", "rules and access", "services", "admin, API and commands"]

# By the module's first name below projects; a module not listed is a service.
LAYERS: dict[str, int] = {
    "periods": PURE,
    "money": PURE,
    "numerals": PURE,
    "provenance": PURE,
    "i18n": PURE,
    "windows": PURE,
    "extraction": PURE,
    "reports.cadence": PURE,
    "reports.measures": PURE,
    "models": MODELS_LAYER,
    "rules": RULES_LAYER,
    "access": RULES_LAYER,
    "indicator_fields": RULES_LAYER,
    "admin": INTERFACES,
    "api": INTERFACES,
    "management": INTERFACES,
    "views": INTERFACES,
    "middleware": INTERFACES,
    "forms": INTERFACES,
    "urls": INTERFACES,
    "apps": INTERFACES,
}


def layer(module: str) -> int | None:
    """The layer of a module of projects (None: the package itself)."""
    parts = module.split(".")[1:]
    if not parts:
        return None
    for length in (2, 1):
        if ".".join(parts[:length]) in LAYERS:
            return LAYERS[".".join(parts[:length])]
    return SERVICES


def upward(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            here, there = layer(module), layer(target)
            if here is not None and there is not None and there > here:
                found.append(f"{module} ({LAYER_NAMES[here]}) imports {target} ({LAYER_NAMES[there]})")
    return found


def test_no_module_imports_a_layer_above_its_own():
    from tests.test_imports_acyclic import import_graph

    graph = import_graph()
    assert len(graph) > 100
    assert upward(graph) == []


def test_the_layer_check_refuses_an_upward_import():
    graph = {
        "projects.rules.base": {"projects.monthly_entry"},  # rules → a service
        "projects.models.zones": {"projects.access.zones"},  # models → access
        "projects.monthly_entry": {"projects.admin.base"},  # a service → the admin
        "projects.periods": {"projects.models"},  # a pure module → the models
        "projects.admin.base": {"projects.api.exceptions", "projects.models"},  # across, down
    }
    assert len(upward(graph)) == 4
