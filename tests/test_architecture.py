"""The package's layers point down, and its modules import no circle (docs/architecture.md).

Every module's imports are read with ``ast``: at the top, inside functions and classes,
under ``if TYPE_CHECKING:``, relative and absolute, and ``importlib.import_module`` /
``__import__`` calls with a literal name, so that no import hides from the rule.

How edges are counted where packages re-export: an import is an edge to the module it
takes names from -- ``from graphdiff.derive.forward import forward`` is an edge to
``graphdiff.derive.forward``, and ``from . import checker`` (a package) or ``from .cli
import render`` (a submodule) to that package's ``__init__`` or that submodule.  It is
*not* an edge to the parents, ``graphdiff/__init__.py`` and ``graphdiff/derive/__init__.py``,
which Python runs first: that is the import system's order, not a dependency of the
importing module (counted, every module would depend on the package's public API at the
top and every layering would be one circle).  A package's ``__init__`` is a module of its
own: its re-exports are edges from it to its submodules, and it has a layer like any
module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

import graphdiff

PACKAGE = Path(graphdiff.__file__).parent

#: The layers, bottom (0) to top.  A key is a module, or a package that covers every
#: module under it; a module may import from its own layer and the layers below.
LAYERS = {
    "graphdiff.notation": 0,      # names, marks, numbers, scripts, tables of text, carets
    "graphdiff._version": 0,
    "graphdiff.errors": 1,
    "graphdiff.ops": 2,           # the op registry
    "graphdiff.tensorops": 2,     # the tensor ops' shape rules, kernels and rules
    "graphdiff.printing": 3,      # the one printer
    "graphdiff.graph": 4,
    "graphdiff.builder": 4,
    "graphdiff.parse": 5,         # text, Python, sympy -> Graph
    "graphdiff.trace": 5,
    "graphdiff.convert": 5,
    "graphdiff.seeds": 5,
    "graphdiff.derive": 6,        # the engines and the registry of methods
    "graphdiff.codegen": 7,       # Python source from a graph (the math and numpy backends)
    "graphdiff.native": 7,        # LLVM IR from a graph, compiled by llvmlite (scalar, SIMD)
    "graphdiff.compile": 7,       # compile(): the derivative program, its code, the calls
    "graphdiff.tables": 7,        # presentation: reads graphs and results
    "graphdiff.drawing": 7,       # the renderer: draws what it is handed
    "graphdiff.plot": 7,          # matplotlib figures of training runs (an optional extra)
    "graphdiff.optim": 7,         # training: the optimizers (above derive, beside presentation)
    "graphdiff.train": 7,         # training: initialisation, the fit loop (runs the engines)
    "graphdiff.transforms": 7,    # JAX's transformations of Python functions (trace + derive)
    "graphdiff.show": 8,          # runs the sweeps a drawing needs, then draws
    "graphdiff.display": 9,       # notebooks; installs the rich methods on the core's classes
    "graphdiff.render": 10,       # the drawing API's import path
    "graphdiff.checker": 11,
    "graphdiff.cli": 12,
    "graphdiff": 13,              # the package's public API (its __init__)
}
CORE = ("graphdiff.graph", "graphdiff.ops", "graphdiff.builder", "graphdiff.parse",
        "graphdiff.trace", "graphdiff.convert", "graphdiff.derive")

#: Upward imports that only serve deprecated names moved up a layer, each inside the
#: module's PEP 562 ``__getattr__`` (run only when someone asks for the old name).
#: Remove an entry with its alias.
DEPRECATED_ALIASES = {
    ("graphdiff.render", "graphdiff.cli.render"): "add_render_parser, cmd_render",
}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    function: str | None  # the function the import is in (None at module level)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def _resolve(module: str, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = _package_of(module)
    for _ in range(level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{name}" if name else base


def _targets(module: str, node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        base = _resolve(module, node.level, node.module)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            yield submodule if submodule in MODULES else base
    elif isinstance(node, ast.Call):
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called in ("import_module", "__import__") and node.args and isinstance(
                node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            yield node.args[0].value


def _edges_of(module: str, source: str | None = None) -> Iterator[Edge]:
    """The imports of ``module`` (its file, or ``source``) that name modules of graphdiff."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8") if source is None else source)

    def visit(node: ast.AST, function: str | None) -> Iterator[Edge]:
        for child in ast.iter_child_nodes(node):
            inside = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) \
                else function
            for target in _targets(module, child):
                while target and target not in MODULES and "." in target:
                    target = target.rpartition(".")[0]  # graphdiff.x.name -> graphdiff.x
                if target in MODULES and target != module:
                    yield Edge(module, target, child.lineno, function)
            yield from visit(child, inside)

    yield from visit(tree, None)


EDGES = [edge for module in MODULES for edge in _edges_of(module)]


def layer(module: str) -> int:
    """The layer of a module: its own entry, or its package's (the longest that names it)."""
    keys = [k for k in LAYERS if module == k or (k != "graphdiff" and module.startswith(k + "."))]
    if not keys:
        raise KeyError(f"{module} has no layer: add it to LAYERS (and to docs/architecture.md)")
    return LAYERS[max(keys, key=len)]


def _is_deprecated_alias(edge: Edge) -> bool:
    return (edge.source, edge.target) in DEPRECATED_ALIASES and edge.function == "__getattr__"


def test_every_module_has_a_layer() -> None:
    assert len(MODULES) > 40
    missing = []
    for module in MODULES:
        try:
            layer(module)
        except KeyError as err:
            missing.append(str(err))
    assert not missing, "\n".join(missing)


def test_imports_only_point_down() -> None:
    upward = [f"{e.source} (layer {layer(e.source)}), line {e.line}"
              f"{f' in {e.function}()' if e.function else ''}: imports {e.target} "
              f"(layer {layer(e.target)})"
              for e in EDGES if layer(e.target) > layer(e.source) and not _is_deprecated_alias(e)]
    assert not upward, "imports that point up a layer:\n" + "\n".join(upward)


def test_the_core_imports_nothing_above_it() -> None:
    top_of_core = LAYERS["graphdiff.derive"]
    for edge in EDGES:
        if any(edge.source == c or edge.source.startswith(c + ".") for c in CORE):
            assert layer(edge.target) <= top_of_core, edge


def test_the_only_upward_imports_are_deprecated_aliases_in_getattr() -> None:
    for (source, target), names in DEPRECATED_ALIASES.items():
        edges = [e for e in EDGES if (e.source, e.target) == (source, target)]
        assert edges, f"{source} no longer imports {target}: remove its entry"
        assert all(e.function == "__getattr__" for e in edges), edges
        module = pytest.importorskip(source)
        for name in names.split(", "):
            with pytest.warns(DeprecationWarning):
                assert callable(getattr(module, name))


def test_no_import_circles() -> None:
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    graph.add_edges_from((e.source, e.target) for e in EDGES if not _is_deprecated_alias(e))
    if not nx.is_directed_acyclic_graph(graph):
        circles = [" -> ".join([*c, c[0]]) for _, c in zip(range(10), nx.simple_cycles(graph),
                                                              strict=False)]
        pytest.fail("import circles:\n" + "\n".join(circles))


def test_the_reader_sees_every_kind_of_import() -> None:
    """The rule is only as good as the reader: lazy, relative, typed and dynamic imports."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "import importlib\n"
        "from .. import notation\n"
        "from ..derive import forward as fw\n"
        "from .plan import Plan\n"
        "if TYPE_CHECKING:\n    from ..graph import Graph\n"
        "def later():\n    from ..cli import main\n    import graphdiff.tables\n"
        "    return importlib.import_module('graphdiff.show')\n"
    )
    found = {(e.target, e.function) for e in _edges_of("graphdiff.drawing.labels", source)}
    assert found == {
        ("graphdiff.notation", None), ("graphdiff.derive.forward", None),
        ("graphdiff.drawing.plan", None), ("graphdiff.graph", None),
        ("graphdiff.cli.main", "later"), ("graphdiff.tables", "later"),
        ("graphdiff.show", "later"),
    }
