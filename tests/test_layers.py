"""The package graph is a DAG in layers: each layer imports only the ones below it.

core → accounts → connectors → messaging → {campaigns, inbox} → dashboard → smsconsole.
Imports sit at module level (a function-level import of a project module hides a cycle), except
in an app's `ready()` and in migrations.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["core", "accounts", "connectors", "messaging", "inbox", "dashboard", "smsconsole"]
# Lower number = lower layer; siblings share a number and may not import each other.
LAYERS = {
    "core": 0,
    "accounts": 1,
    "connectors": 2,
    "messaging": 3,
    "campaigns": 4,
    "inbox": 4,
    "dashboard": 5,
    "smsconsole": 6,
}


def layer_of(module: str) -> str | None:
    """The layer a dotted module name belongs to, or None outside the project."""
    if module == "messaging.campaigns" or module.startswith("messaging.campaigns."):
        return "campaigns"
    top = module.split(".", 1)[0]
    return top if top in LAYERS else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_sources() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    # `from pkg import name` may import the submodule pkg.name: count both.
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


class Imports(ast.NodeVisitor):
    """Project imports of one module: at module level, and those nested in functions."""

    def __init__(self, module: str, is_package: bool):
        self.module, self.is_package = module, is_package
        self.top: set[str] = set()
        self.nested: list[tuple[int, str]] = []
        self.depth = 0

    def _add(self, node: ast.Import | ast.ImportFrom) -> None:
        for name in _imported(node, self.module, self.is_package):
            if layer_of(name):
                if self.depth:
                    self.nested.append((node.lineno, name))
                else:
                    self.top.add(name)

    visit_Import = visit_ImportFrom = _add

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node):  # annotations only: never executed, no cycle
            self.generic_visit(node)

    def _nested(self, node) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = _nested


def _parse(path: Path) -> Imports:
    module = module_name(path)
    visitor = Imports(module, path.name == "__init__.py")
    visitor.visit(ast.parse(path.read_text(), filename=str(path)))
    return visitor


GRAPH = {module_name(path): _parse(path) for path in project_sources()}


def _resolve(name: str) -> str | None:
    """The project module an imported name refers to (a module, or the module holding a name)."""
    while name and name not in GRAPH:
        name = name.rpartition(".")[0]
    return name or None


def test_imports_follow_the_layer_order():
    wrong = []
    for module, imports in GRAPH.items():
        mine = layer_of(module)
        for name in imports.top | {name for _, name in imports.nested}:
            theirs = layer_of(name)
            upward = LAYERS[theirs] > LAYERS[mine]
            sibling = LAYERS[theirs] == LAYERS[mine] and theirs != mine
            if upward or sibling:
                wrong.append(f"{module} ({mine}) imports {name} ({theirs})")
    assert not sorted(set(wrong))


def test_no_function_level_imports_of_project_modules():
    nested = [
        f"{module}:{line} imports {name}"
        for module, imports in GRAPH.items()
        for line, name in imports.nested
        if not module.endswith(".apps")  # AppConfig.ready() registers checks and signals
    ]
    assert not nested


def test_module_imports_have_no_cycle():
    edges = {
        module: {target for name in imports.top if (target := _resolve(name)) and target != module}
        for module, imports in GRAPH.items()
    }
    # A package's __init__ re-exporting its submodules is not a cycle with them.
    for module in edges:
        edges[module] = {t for t in edges[module] if not module.startswith(t + ".")}
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert not cycles


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("core.text", "core"),
        ("messaging.campaigns.services", "campaigns"),
        ("messaging.services", "messaging"),
        ("django.db", None),
    ],
)
def test_layer_of_names_the_layer(module, layer):
    assert layer_of(module) == layer
