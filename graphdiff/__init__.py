"""graphdiff: graph-based symbolic and automatic differentiation, as a teacher writes it.

Text, a program, a sympy expression or a Python function becomes a networkx
computation graph of elementary operations whose edges carry local partial
derivatives.

>>> import graphdiff as gd
>>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
>>> g.evaluate(x=1, y=2)
12.0
"""

from typing import Any

from . import checker
from ._version import __version__ as __version__
from .compile import Compiled, compile
from .convert import from_sympy
from .derive.api import jacobian
from .derive.check import VerifyReport, numeric_diff, verify
from .derive.forward import ForwardResult, forward
from .derive.graphs import forward_graph, reverse_graph
from .derive.paths import PathLimitError, PathsResult, count_paths, path_sum, paths
from .derive.reverse import ReverseResult, reverse
from .derive.scalarize import entry_names, scalarize
from .derive.symbolic import readable, symbolic_diff
from .display import install as _install_display
from .errors import (
    DomainError,
    GraphdiffError,
    LimitError,
    ParseError,
    ShapeError,
    TraceError,
)
from .graph import Graph
from .ops import OPS, Op, define_op, kink_convention, undefine_op
from .parse import Limits, parse
from .render import RenderError, render, to_file
from .trace import FUNCTIONS as _FUNCTIONS
from .trace import Tracer, trace
from .transforms import (
    grad,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    make_graph,
    value_and_grad,
    vjp,
)

# The core imports nothing above it, so presentation is set on its classes from here: the
# notebook display of graphs and results, and the results' worked tables (table()).
_install_display()


def __getattr__(name: str) -> Any:
    """The registry's functions as ``gd.sin``, ``gd.relu``, ... (and any op added with
    :func:`define_op`), generated from the op registry rather than listed here."""
    try:
        return _FUNCTIONS[name]
    except KeyError:
        raise AttributeError(f"module 'graphdiff' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_FUNCTIONS))


__all__ = [
    "OPS",
    "Compiled",
    "DomainError",
    "ForwardResult",
    "Graph",
    "GraphdiffError",
    "LimitError",
    "Limits",
    "Op",
    "ParseError",
    "PathLimitError",
    "PathsResult",
    "RenderError",
    "ReverseResult",
    "ShapeError",
    "TraceError",
    "Tracer",
    "VerifyReport",
    "__version__",
    "checker",
    "compile",
    "count_paths",
    "define_op",
    "entry_names",
    "forward",
    "forward_graph",
    "from_sympy",
    "grad",
    "hessian",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "kink_convention",
    "make_graph",
    "numeric_diff",
    "parse",
    "path_sum",
    "paths",
    "readable",
    "render",
    "reverse",
    "reverse_graph",
    "scalarize",
    "symbolic_diff",
    "to_file",
    "trace",
    "undefine_op",
    "value_and_grad",
    "verify",
    "vjp",
]
__all__ += sorted(_FUNCTIONS)  # the op functions, from the registry
