"""The layout docs/architecture.md describes, held: no import cycles inside healthgrid/, no
API or service module that imports a page module, no module over 500 lines outside the
demo generator, and a repository that needs nothing beside it."""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "healthgrid"
MAX_LINES = 500


@cache
def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """The healthgrid modules `name` imports, wherever the import statement stands."""
    known = modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            module = (f"{base}.{node.module}" if node.module else base) if node.level \
                else node.module
            # `from . import views` names a module; `from .views import x` names its module.
            candidates = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        out.update(c for c in candidates if c in known and c != name)
    return out


@cache
def graph() -> dict[str, set[str]]:
    return {name: imports_of(name, path) for name, path in modules().items()}


def _is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


def cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles between modules. A package's __init__ is left out: importing a package
    to reach one of its modules is not a dependency on its siblings."""
    edges = {m: {t for t in targets if not _is_package(t)}
             for m, targets in imports.items() if not _is_package(m)}
    found, state, stack = [], {}, []

    def visit(module: str) -> None:
        state[module] = "open"
        stack.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == "open":
                found.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module)
    return found


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    """The check above would fail on a cycle (a check that cannot fail proves nothing)."""
    imports = dict(graph())
    imports["healthgrid.chronic.services"] = imports["healthgrid.chronic.services"] | {
        "healthgrid.chronic.views"}
    assert any("healthgrid.chronic.views" in c and "healthgrid.chronic.services" in c
               for c in cycles(imports))


@pytest.mark.parametrize("kind", ["api", "services"])
def test_api_and_services_do_not_import_views(kind):
    offenders = {m: sorted(t for t in targets if t.endswith(".views"))
                 for m, targets in graph().items() if m.endswith(f".{kind}")}
    assert {m: t for m, t in offenders.items() if t} == {}


def test_modules_stay_readable():
    long = {name: n for name, path in modules().items()
            if ".demo" not in name
            and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_repository_stands_alone():
    """Tests, scripts and docs read nothing outside the repository (the worked cases are in
    tests/data)."""
    outside = "../" + "shared"
    texts = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("*.sh"), *ROOT.glob("scripts/*"),
             ROOT / "README.md", *ROOT.glob("docs/*.md")]
    assert [str(p.relative_to(ROOT)) for p in texts
            if p.is_file() and outside in p.read_text(encoding="utf-8", errors="replace")] == []
    assert (ROOT / "tests" / "data" / "followups.json").is_file()
