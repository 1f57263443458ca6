"""graphdiff: graph-based symbolic and automatic differentiation, as a teacher writes it.

Text, a program, a sympy expression or a Python function becomes a networkx
computation graph of elementary operations whose edges carry local partial
derivatives.

>>> import graphdiff as gd
>>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
>>> g.evaluate(x=1, y=2)
12.0
"""

from . import checker
from .convert import from_sympy
from .derive.api import grad, hessian, jacobian, jvp, vjp
from .derive.check import VerifyReport, numeric_diff, verify
from .derive.forward import ForwardResult, forward
from .derive.graphs import forward_graph, reverse_graph
from .derive.paths import PathLimitError, PathsResult, count_paths, path_sum, paths
from .derive.reverse import ReverseResult, reverse
from .derive.symbolic import readable, symbolic_diff
from .errors import (
    DomainError,
    GraphdiffError,
    LimitError,
    ParseError,
    ShapeError,
    TraceError,
)
from .graph import Graph
from .ops import OPS, Op
from .parse import Limits, parse
from .render import RenderError, render, to_file
from .trace import FUNCTIONS as _FUNCTIONS
from .trace import Tracer, trace

__version__ = "0.1.0"

abs = _FUNCTIONS["abs"]  # noqa: A001 - mirrors numpy's namespace on purpose
cos = _FUNCTIONS["cos"]
exp = _FUNCTIONS["exp"]
leaky_relu = _FUNCTIONS["leaky_relu"]
log = _FUNCTIONS["log"]
max = _FUNCTIONS["max"]  # noqa: A001
min = _FUNCTIONS["min"]  # noqa: A001
relu = _FUNCTIONS["relu"]
sigmoid = _FUNCTIONS["sigmoid"]
sign = _FUNCTIONS["sign"]
sin = _FUNCTIONS["sin"]
sqrt = _FUNCTIONS["sqrt"]
step = _FUNCTIONS["step"]
tan = _FUNCTIONS["tan"]
tanh = _FUNCTIONS["tanh"]

__all__ = [
    "OPS",
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
    "abs",
    "checker",
    "cos",
    "count_paths",
    "exp",
    "forward",
    "forward_graph",
    "from_sympy",
    "grad",
    "hessian",
    "jacobian",
    "jvp",
    "leaky_relu",
    "log",
    "max",
    "min",
    "numeric_diff",
    "parse",
    "path_sum",
    "paths",
    "readable",
    "relu",
    "render",
    "reverse",
    "reverse_graph",
    "sigmoid",
    "sign",
    "sin",
    "sqrt",
    "step",
    "symbolic_diff",
    "tan",
    "tanh",
    "to_file",
    "trace",
    "verify",
    "vjp",
]
