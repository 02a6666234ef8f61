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
