"""Safe parsing of expressions and small programs into a computation graph.

Text is read with :mod:`ast` and converted through a whitelist: numbers, names,
``+ - * / **`` (``^`` also means power), unary minus, and calls of the functions in
the op table (plus ``pi``).  Nothing is ever ``eval``-ed or ``sympify``-ed.  Sizes are
bounded by :class:`Limits` *before* anything expensive runs, so hostile input is
refused quickly with a :class:`~graphdiff.LimitError`.

A program is several assignments; their names become node names and the last one is
the output (or pass ``outputs=``):

>>> import graphdiff as gd
>>> g = gd.parse('''
... z = x*w + b
... h = sigmoid(z)
... L = 0.5*(h - y)^2
... ''')
>>> g.inputs, g.outputs
(('x', 'w', 'b', 'y'), ('L',))
>>> g.edge_derivative("z", "h")
h*(1 - h)
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import sympy

from .builder import GraphBuilder
from .errors import DomainError, LimitError, ParseError
from .graph import Graph, is_node
from .ops import FUNCTION_ALIASES, FUNCTIONS, OPS


@dataclass(frozen=True)
class Limits:
    """Bounds on parser input.  Defaults suit hand-written input.

    Raise them per call for large trusted programs:
    ``gd.parse(text, limits=gd.Limits(max_chars=10**7, max_nodes=10**6))``.
    The checker uses :meth:`strict`.

    Attributes
    ----------
    max_chars : int
        Length of the text (default 20,000 characters).
    max_depth : int
        Nesting depth of the expression (default 100).  A chain such as
        ``a + b + c + ...`` counts as one level, parentheses and calls add one.
    max_nodes : int
        Number of syntax-tree nodes (default 10,000).
    max_exponent : float
        Largest ``|exponent|`` of a power whose exponent is a constant
        (default 1,000): ``9**9**9**9`` is refused at once.
    max_constant_digits : int
        Largest number of decimal digits of a constant, literal or folded
        (default 1,000).
    max_lines : int
        Number of statements in a program (default 1,000).
    """

    max_chars: int = 20_000
    max_depth: int = 100
    max_nodes: int = 10_000
    max_exponent: float = 1_000
    max_constant_digits: int = 1_000
    max_lines: int = 1_000

    @classmethod
    def strict(cls) -> Limits:
        """Tight limits for untrusted short answers (the homework checker).

        >>> Limits.strict().max_chars
        2000
        """
        return cls(max_chars=2_000, max_depth=40, max_nodes=1_000, max_exponent=100,
                   max_constant_digits=100, max_lines=50)

    @classmethod
    def unlimited_size(cls, n: int = 10**7) -> Limits:
        """Limits for large trusted, generated programs (``n`` characters and nodes)."""
        return replace(cls(), max_chars=n, max_nodes=n, max_lines=n, max_depth=n)


DEFAULT_LIMITS = Limits()

CONSTANTS = {"pi": sympy.pi}

_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_OPERATOR_SYMBOLS = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
    ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&",
}
_EXPECTED_OPERAND = "a number, a name, a function call or a parenthesized expression"


def _function_list() -> str:
    """The functions accepted in text, by their own names (read from the registry)."""
    return ", ".join(sorted({op.name for op in FUNCTIONS.values()}))

_STATEMENT_NAMES = {
    ast.Import: "import", ast.ImportFrom: "import", ast.FunctionDef: "def",
    ast.AsyncFunctionDef: "def", ast.ClassDef: "class", ast.For: "a for loop",
    ast.While: "a while loop", ast.If: "an if statement", ast.With: "with",
    ast.AugAssign: "an augmented assignment (+= and the like)", ast.Return: "return",
    ast.Delete: "del", ast.Global: "global", ast.Nonlocal: "nonlocal", ast.Try: "try",
    ast.Raise: "raise", ast.Assert: "assert", ast.Pass: "pass",
    ast.AnnAssign: "an annotated assignment",
}

_NODE_DESCRIPTIONS = {
    ast.Attribute: "attribute access (a dot after a name)",
    ast.Subscript: "indexing with [ ]",
    ast.Lambda: "lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "an if-expression",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict", ast.Set: "a set",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
    ast.Starred: "a starred expression", ast.JoinedStr: "an f-string",
    ast.NamedExpr: "the := operator", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.Slice: "a slice",
}


def parse(
    text: str,
    *,
    outputs: Sequence[str] | None = None,
    inputs: Sequence[str] | None = None,
    naming: str = "w",
    order: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Graph:
    """Parse an expression or a program into a :class:`~graphdiff.Graph`.

    Parameters
    ----------
    text : str
        ``"x**2 + x*y + (x+y)**2"`` or several lines of ``name = expression``.
    outputs : sequence of str, optional
        Names of a program's outputs (default: the last statement).
    inputs : sequence of str, optional
        Order of the inputs (default: order of first appearance); names listed here
        but absent from the text become unused inputs.
    naming : {"w", "letters"}
        Generated names of unnamed nodes: ``w3, w4, ...`` (inputs count first, as in
        seed 003) or ``a, b, c, ...`` (as in seed 004).
    order : {"level", "source"}, optional
        Node numbering: by distance from the inputs (the seeds' numbering; default
        for a single expression) or in the order written (default for programs).
    limits : Limits
        Size bounds; see :class:`Limits`.

    Raises
    ------
    ParseError
        With the line, column, a caret excerpt and what was expected.
    LimitError
        When the text exceeds ``limits``.

    Examples
    --------
    >>> import graphdiff as gd
    >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    >>> [(g.name(n), g.formula(n)) for n in g.order if g.kind(n) == "op"]
    [('a', 'x**2'), ('b', 'x*y'), ('c', 'x + y'), ('d', 'a + b'), ('e', 'c**2'), ('f', 'd + e')]
    >>> gd.parse("x ^ 2 + 1").to_sympy()
    x**2 + 1
    >>> gd.parse("__import__('os')")
    Traceback (most recent call last):
    ...
    graphdiff.errors.ParseError: line 1, column 1: unknown function '__import__'; expected ...
    """
    source = _check_text(text, limits)
    python_text, column_maps = _caret_to_power(source)
    tree = _python_parse(python_text, source, column_maps, limits)
    converter = _Converter(source, column_maps, limits)
    return converter.program(tree, outputs=outputs, inputs=inputs, naming=naming, order=order)


# --- stage 1: raw text checks ------------------------------------------------------------


def _check_text(text: Any, limits: Limits) -> str:
    if not isinstance(text, str):
        raise ParseError(f"expected text (str), got {type(text).__name__}")
    if len(text) > limits.max_chars:
        raise LimitError(
            f"input is {len(text):,} characters long, over the limit of {limits.max_chars:,}",
            expected="a shorter text, or a larger Limits.max_chars for trusted input",
        )
    for pos, ch in enumerate(text):
        if (ord(ch) < 32 and ch not in "\n\t\r") or ch == "\x7f":
            line, column = _line_column(text, pos)
            raise ParseError(
                f"control character {ch!r} in the input", line=line, column=column,
                expected="printable text", source=text,
            )
    # Bracket depth is checked before Python's parser sees the text, which would
    # otherwise recurse on it.
    depth = 0
    for pos, ch in enumerate(text):
        if ch in "([{":
            depth += 1
            if depth > limits.max_depth:
                line, column = _line_column(text, pos)
                raise LimitError(
                    f"brackets nested deeper than {limits.max_depth} levels",
                    line=line, column=column,
                    expected="a flatter expression (or a larger Limits.max_depth)",
                    source=text,
                )
        elif ch in ")]}":
            depth = max(0, depth - 1)
    return text


def _line_column(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, column


def _caret_to_power(text: str) -> tuple[str, list[list[int]]]:
    """Replace ``^`` by ``**`` and keep, per line, the original column of each column."""
    lines = text.split("\n")
    new_lines, maps = [], []
    for line in lines:
        new, column_map = [], []
        for col, ch in enumerate(line):
            if ch == "^":
                new.append("**")
                column_map += [col, col]
            else:
                new.append(ch)
                column_map.append(col)
        column_map.append(len(line))
        new_lines.append("".join(new))
        maps.append(column_map)
    return "\n".join(new_lines), maps


def _original_column(maps: list[list[int]], line: int, offset: int) -> int:
    """1-based original column of 0-based ``offset`` on 1-based ``line``."""
    if 1 <= line <= len(maps):
        column_map = maps[line - 1]
        return column_map[min(max(offset, 0), len(column_map) - 1)] + 1
    return offset + 1


# --- stage 2: Python's parser, guarded ---------------------------------------------------


def _python_parse(
    python_text: str, source: str, maps: list[list[int]], limits: Limits
) -> ast.Module:
    try:
        tree = ast.parse(python_text, mode="exec")
    except SyntaxError as err:
        line = err.lineno or 1
        column = _original_column(maps, line, (err.offset or 1) - 1)
        reason, expected = _explain_syntax_error(err, source, line, column)
        raise ParseError(reason, line=line, column=column, expected=expected,
                         source=source) from None
    except (RecursionError, MemoryError):
        raise LimitError(
            "expression nested too deeply to parse",
            expected="a flatter expression: split long sums or chains into several "
            "assignments, one per line",
        ) from None
    except ValueError as err:  # e.g. too many digits in an integer literal
        raise LimitError(str(err), expected="a shorter number") from None
    return tree


_BINARY_OPERATORS = set("+*/^")


def _explain_syntax_error(
    err: SyntaxError, source: str, line: int, column: int
) -> tuple[str, str | None]:
    """Turn Python's message into what a user of an expression language expects."""
    msg = err.msg or "invalid syntax"
    lines = source.splitlines() or [""]
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    before = text[: column - 1].rstrip()
    here = text[column - 1 : column]
    if "never closed" in msg or "was never closed" in msg:
        return msg.replace("'(' was never closed", "'(' is never closed"), "')'"
    if "unmatched" in msg:
        return msg, "an opening bracket before it, or nothing"
    if "does not match" in msg:
        return msg, "a matching bracket"
    if "unexpected EOF" in msg or "unexpected end" in msg or not text[column - 1 :].strip():
        return "the expression ends too early", _EXPECTED_OPERAND
    if before and (before[-1] in _BINARY_OPERATORS or before.endswith("**")) and (
        here in _BINARY_OPERATORS or here == ")" or here == ""
    ):
        return f"{here!r} cannot follow an operator", _EXPECTED_OPERAND
    if "invalid decimal literal" in msg:
        return "a number directly followed by a name", "an operator between them, as in 2*x"
    if "invalid syntax" in msg or "Perhaps" in msg:
        if before and (before[-1].isalnum() or before[-1] in "._)") and (
            here.isalnum() or here in "(_."
        ):
            return "two operands in a row", "an operator such as * between them"
        if here in _BINARY_OPERATORS and not before:
            return f"{here!r} at the start of an expression", _EXPECTED_OPERAND
        if here == "=" or "=" in msg:
            return "misplaced '='", "an assignment of the form name = expression"
    return msg, _EXPECTED_OPERAND


# --- stage 3: whitelist conversion -------------------------------------------------------


class _Converter:
    """Converts a checked ``ast.Module`` into graph nodes, iteratively."""

    def __init__(self, source: str, maps: list[list[int]], limits: Limits) -> None:
        self.source = source
        self.maps = maps
        self.limits = limits
        self.builder = GraphBuilder()
        self.bound: dict[str, Any] = {}  # program names -> node id or constant
        self.assigned_at: dict[str, int] = {}
        self.input_used_at: dict[str, int] = {}
        self.ast_nodes = 0

    def error(self, node: ast.AST, reason: str, expected: str | None = None,
              cls: type[ParseError] = ParseError) -> ParseError:
        line = getattr(node, "lineno", 1)
        column = _original_column(self.maps, line, getattr(node, "col_offset", 0))
        return cls(reason, line=line, column=column, expected=expected, source=self.source)

    def program(self, tree: ast.Module, *, outputs: Sequence[str] | None,
                inputs: Sequence[str] | None, naming: str, order: str | None) -> Graph:
        body = tree.body
        if not body:
            raise ParseError("the input is empty", line=1, column=1,
                             expected="an expression such as x**2 + y", source=self.source)
        if len(body) > self.limits.max_lines:
            raise LimitError(f"{len(body)} statements, over the limit of "
                             f"{self.limits.max_lines}", expected="a shorter program")
        last_value: Any = None
        last_name: str | None = None
        for k, stmt in enumerate(body):
            is_last = k == len(body) - 1
            if isinstance(stmt, ast.Assign):
                if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                    raise self.error(stmt, "only single assignments are allowed",
                                     "name = expression")
                name = self.check_name(stmt.targets[0], binding=True)
                value = self.expression(stmt.value)
                self.bind(stmt.targets[0], name, value)
                last_value, last_name = value, name
            elif isinstance(stmt, ast.Expr) and is_last:
                last_value, last_name = self.expression(stmt.value), None
            elif isinstance(stmt, ast.Expr):
                raise self.error(stmt, "an expression that is not the last line is unused",
                                 "an assignment name = expression")
            else:
                raise self.error(stmt, f"{_STATEMENT_NAMES.get(type(stmt), 'this statement')} "
                                 "is not allowed",
                                 "an expression, or assignments name = expression")
        if outputs is None:
            output_values = [last_value]
            output_names = [last_name]
        else:
            output_values, output_names = [], []
            for name in outputs:
                if name not in self.bound:
                    raise ParseError(f"output {name!r} is not assigned in the program",
                                     expected=", ".join(self.bound) or "an assigned name")
                output_values.append(self.bound[name])
                output_names.append(name)
        graph_outputs = []
        for value, name in zip(output_values, output_names, strict=True):
            if not is_node(value):  # a constant output (`c = 2`) becomes a constant node
                value = self.builder.constant_node(value)
                if name is not None:
                    self.builder.name(value, name)
            graph_outputs.append(value)
        if order is None:
            order = "level" if len(body) == 1 else "source"
        return self.builder.build(graph_outputs, order=order, naming=naming, inputs=inputs,
                                  source=self.source.strip())

    def check_name(self, node: ast.Name, *, binding: bool) -> str:
        name = node.id
        if name.startswith("_"):
            raise self.error(node, f"name {name!r} is not allowed",
                             "a name that does not start with '_'")
        if name in FUNCTIONS or name in CONSTANTS:
            what = "function" if name in FUNCTIONS else "constant"
            if binding:
                raise self.error(node, f"{name!r} is a {what} and cannot be assigned",
                                 "another name")
        return name

    def bind(self, target: ast.Name, name: str, value: Any) -> None:
        if name in self.assigned_at:
            raise self.error(target, f"{name!r} is assigned twice (lines "
                             f"{self.assigned_at[name]} and {target.lineno})",
                             "a new name for the second assignment")
        if name in self.input_used_at:
            raise self.error(target, f"{name!r} is used as an input on line "
                             f"{self.input_used_at[name]} before it is assigned",
                             "assignments before their use")
        self.assigned_at[name] = target.lineno
        self.bound[name] = value
        if is_node(value):
            self.builder.name(value, name)

    # The conversion walks the tree with an explicit stack: trusted programs with
    # raised limits may nest deeper than Python's recursion limit.
    def expression(self, root: ast.expr) -> Any:
        self.check_size(root)
        results: dict[int, Any] = {}
        stack: list[tuple[ast.AST, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if not children_done:
                children = self.children(node)
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children))
                continue
            results[id(node)] = self.convert(node, results)
        return results[id(root)]

    def check_size(self, root: ast.expr) -> None:
        limits = self.limits
        stack: list[tuple[ast.AST, int]] = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            self.ast_nodes += 1
            if self.ast_nodes > limits.max_nodes:
                raise self.error(node, f"more than {limits.max_nodes:,} syntax nodes",
                                 "a smaller expression (or a larger Limits.max_nodes)",
                                 LimitError)
            if depth > limits.max_depth:
                raise self.error(node, f"expression nested deeper than {limits.max_depth} "
                                 "levels", "a flatter expression (or a larger "
                                 "Limits.max_depth)", LimitError)
            group = _chain_group(node)
            for k, child in enumerate(ast.iter_child_nodes(node)):
                # The left operand of a same-precedence chain (a + b + c) is not deeper.
                same_chain = group is not None and k == 0 and _chain_group(child) == group
                stack.append((child, depth if same_chain else depth + 1))

    def children(self, node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.BinOp):
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            return [node.operand]
        if isinstance(node, ast.Call):
            self.check_call(node)
            return list(node.args)
        return []

    def check_call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            raise self.error(node.func, f"attribute access (.{node.func.attr}) is not allowed",
                             f"a call of one of {_function_list()}")
        if not isinstance(node.func, ast.Name):
            raise self.error(node.func, "only plain function names can be called",
                             f"one of {_function_list()}")
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.error(node.func, f"unknown function {name!r}",
                             f"one of {_function_list()}")
        if node.keywords:
            raise self.error(node.keywords[0].value if node.keywords[0].arg is None
                             else node, "keyword arguments are not allowed",
                             f"{name}(...) with positional arguments")
        op = FUNCTIONS[name]
        n_args = len(node.args)
        least = op.arity - len(op.defaults)
        if not least <= n_args <= op.arity:
            wanted = str(op.arity) if least == op.arity else f"{least} or {op.arity}"
            raise self.error(node, f"{name} takes {wanted} argument"
                             f"{'s' if wanted != '1' else ''}, got {n_args}",
                             f"{name}({', '.join('ab'[:op.arity])})")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error(arg, "starred arguments are not allowed", "plain arguments")

    def convert(self, node: ast.AST, results: dict[int, Any]) -> Any:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name_value(node)
        if isinstance(node, ast.BinOp):
            op_type = type(node.op)
            if op_type not in _BINOPS:
                symbol = _OPERATOR_SYMBOLS.get(op_type, op_type.__name__)
                raise self.error(node, f"operator {symbol} is not supported",
                                 "one of + - * / ** ^")
            left, right = results[id(node.left)], results[id(node.right)]
            if op_type is ast.Pow:
                self.check_power(node, left, right)
            return self.apply(node, OPS[_BINOPS[op_type]], (left, right))
        if isinstance(node, ast.UnaryOp):
            operand = results[id(node.operand)]
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(node.op, ast.USub):
                return self.apply(node, OPS["neg"], (operand,))
            raise self.error(node, f"operator {type(node.op).__name__} is not supported",
                             "unary minus or plus")
        if isinstance(node, ast.Call):
            op = FUNCTIONS[node.func.id]  # type: ignore[attr-defined]
            args = tuple(results[id(a)] for a in node.args)
            args += op.defaults[len(args) - (op.arity - len(op.defaults)) :] if len(
                args) < op.arity else ()
            return self.apply(node, op, args)
        description = _NODE_DESCRIPTIONS.get(type(node), type(node).__name__)
        raise self.error(node, f"{description} is not allowed", _EXPECTED_OPERAND)

    def apply(self, node: ast.AST, op: Any, args: tuple[Any, ...]) -> Any:
        if op.domain is not None and any(is_node(a) for a in args):
            # Constant arguments alone can put an op outside its domain (x/0): with
            # nan standing for the variable ones, the check is True only then.
            with np.errstate(invalid="ignore"):
                always_bad = op.domain(*(np.nan if is_node(a) else float(a) for a in args))
            if np.any(always_bad):
                where = node.right if isinstance(node, ast.BinOp) else node
                raise self.error(where, op.domain_message, "a valid constant argument")
        try:
            value = self.builder.apply(op, args)
        except DomainError as err:
            raise self.error(node, str(err), "a constant expression with a real value") from None
        if not is_node(value):
            self.check_constant(node, value)
        return value

    def constant(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "a string" if isinstance(value, str | bytes) else repr(value)
            raise self.error(node, f"{kind} is not allowed", "a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(node, "number too large", "a finite number", LimitError)
        digits = (int(value.bit_length() * math.log10(2)) + 1 if isinstance(value, int)
                  else len(re.sub(r"\D", "", repr(value))))
        if digits > self.limits.max_constant_digits:
            raise self.error(node, f"a number with {digits} digits",
                             f"at most {self.limits.max_constant_digits} digits", LimitError)
        if isinstance(value, int):
            if value.bit_length() > 1023:  # beyond float range: it could not be evaluated
                raise self.error(node, "number too large", "a number below 1.8e308",
                                 LimitError)
            return sympy.Integer(value)
        # Decimal literals are exact: 0.1 means 1/10, so 0.5*(h - y)**2 differentiates
        # to h - y, as on paper.
        return sympy.Rational(repr(value))

    def check_constant(self, node: ast.AST, value: sympy.Expr) -> None:
        if value.is_Integer:
            digits = int(abs(int(value)).bit_length() * math.log10(2)) + 1
            if digits > self.limits.max_constant_digits:
                raise self.error(node, f"a constant with {digits} digits",
                                 f"at most {self.limits.max_constant_digits} digits",
                                 LimitError)

    def check_power(self, node: ast.BinOp, base: Any, exponent: Any) -> None:
        if is_node(exponent):
            return
        limit = self.limits.max_exponent
        magnitude = abs(float(exponent))
        if magnitude > limit:
            raise self.error(node.right, f"exponent {_short(exponent)} is too large",
                             f"an exponent of at most {limit:g} in absolute value",
                             LimitError)
        if not is_node(base):
            # The folded constant would have about |e| * log10|b| digits.
            size = float(abs(base))
            if size > 1 and magnitude * math.log10(size) > self.limits.max_constant_digits:
                raise self.error(node, "constant power too large",
                                 f"at most {self.limits.max_constant_digits} digits",
                                 LimitError)

    def name_value(self, node: ast.Name) -> Any:
        name = self.check_name(node, binding=False)
        if name in self.bound:
            return self.bound[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS and name not in FUNCTION_ALIASES:
            # Other words for an op (sigma, th, sgn) are functions only when called:
            # sigma stays a fine variable name.
            raise self.error(node, f"{name!r} is a function", f"a call such as {name}(x)")
        self.input_used_at.setdefault(name, node.lineno)
        return self.builder.input(name)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:17] + "..."


def _chain_group(node: ast.AST) -> str | None:
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add | ast.Sub):
            return "additive"
        if isinstance(node.op, ast.Mult | ast.Div):
            return "multiplicative"
    return None
