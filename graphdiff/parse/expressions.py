"""Stage 3 of parsing, for one expression: the whitelist conversion of a syntax tree into
graph nodes, iteratively, with its checks (size, depth, calls, constants, powers, names)
and the positions of its errors in the text as written."""

from __future__ import annotations

import ast
import math
import re
from typing import Any

import sympy

from ..builder import GraphBuilder, outside_for_every_value
from ..errors import DomainError, LimitError, ParseError, ShapeError, excerpt
from ..graph import is_node
from ..ops import FUNCTION_ALIASES, FUNCTIONS, op_of_attribute, op_of_dunder
from .declarations import _Declared
from .grammar import (
    _EXPECTED_OPERAND,
    _NODE_DESCRIPTIONS,
    _OPERATOR_SYMBOLS,
    _PYTHON_OPERATORS,
    _UNARY_SYMBOLS,
    CONSTANTS,
    _function_list,
)
from .limits import Limits
from .text import _original_column


class _ExpressionConverter:
    """Converts checked expression trees into graph nodes, iteratively; the state they
    share with the statements of a program (:class:`~graphdiff.parse.converter._Converter`):
    the builder, the names bound so far, the inputs used, the count of syntax nodes."""

    def __init__(self, source: str, python_text: str, maps: list[list[int] | int],
                 limits: Limits, declared: dict[str, _Declared] | None = None) -> None:
        self.source = source
        self.declared = declared or {}
        self.maps = maps
        self.limits = limits
        self.builder = GraphBuilder()
        self.bound: dict[str, Any] = {}  # program names -> node id or constant
        self.input_used_at: dict[str, int] = {}
        self.ast_nodes = 0
        self.lines = python_text.split("\n")
        self.numbers: dict[str, sympy.Expr] = {}  # literal as written -> its constant

    def error(self, node: ast.AST, reason: str, expected: str | None = None,
              cls: type[ParseError] = ParseError, *, code: str,
              params: dict[str, Any] | None = None) -> ParseError:
        line = getattr(node, "lineno", 1)
        offset = self.char_offset(line, getattr(node, "col_offset", 0))
        column = _original_column(self.maps, line, offset)
        return cls(reason, code=code, params=params or {}, line=line, column=column,
                   expected=expected, source=self.source)

    def python_line(self, line: int) -> bytes | None:
        """Line ``line`` (1-based) of the text Python parsed, in UTF-8: ast positions are
        byte offsets.  Encoded when asked (errors, literals of the full path), not for
        every line of a long program."""
        return self.lines[line - 1].encode("utf-8") if 1 <= line <= len(self.lines) else None

    def char_offset(self, line: int, byte_offset: int) -> int:
        """The character offset of a UTF-8 byte offset on ``line`` (both from ast)."""
        encoded = self.python_line(line)
        if encoded is None:
            return byte_offset
        return len(encoded[:byte_offset].decode("utf-8", "ignore"))

    def segment(self, node: ast.AST) -> str:
        """The text of ``node`` as written (one line; longer nodes are cut there)."""
        line = getattr(node, "lineno", 1)
        encoded = self.python_line(line)
        if encoded is None:
            return ""
        start = getattr(node, "col_offset", 0)
        end = getattr(node, "end_col_offset", None)
        if getattr(node, "end_lineno", line) != line:
            end = None
        return encoded[start:end].decode("utf-8", "replace")

    def check_name(self, node: Any, *, binding: bool, name: str | None = None) -> str:
        """``name`` (default: the node's) if it may be used (``binding``: assigned)."""
        name = node.id if name is None else name
        if name.startswith("_"):
            raise self.error(node, f"name {name!r} is not allowed",
                             "a name that does not start with '_'", code="private_name",
                             params={"name": excerpt(name)})
        if name in FUNCTIONS or name in CONSTANTS:
            what = "function" if name in FUNCTIONS else "constant"
            if binding:
                raise self.error(node, f"{name!r} is a {what} and cannot be assigned",
                                 "another name", code="reserved_name", params={"name": name})
        return name

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
                                 LimitError, code="too_many_nodes",
                                 params={"limit": limits.max_nodes})
            if depth > limits.max_depth:
                raise self.error(node, f"expression nested deeper than {limits.max_depth} "
                                 "levels", "a flatter expression (or a larger "
                                 "Limits.max_depth)", LimitError, code="too_deep",
                                 params={"limit": limits.max_depth})
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
        if isinstance(node, ast.Attribute) and op_of_attribute(node.attr) is not None:
            return [node.value]  # X.T; any other attribute is refused in convert
        return []

    def check_call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            raise self.error(node.func, f"attribute access (.{node.func.attr}) is not allowed",
                             f"a call of one of {_function_list()}", code="attribute",
                             params={"name": excerpt(node.func.attr)})
        if not isinstance(node.func, ast.Name):
            raise self.error(node.func, "only plain function names can be called",
                             f"one of {_function_list()}", code="call_not_name")
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.error(node.func, f"unknown function {name!r}",
                             f"one of {_function_list()}", code="unknown_function",
                             params={"name": excerpt(name), "known": _function_list()})
        if node.keywords:
            raise self.error(node.keywords[0].value if node.keywords[0].arg is None
                             else node, "keyword arguments are not allowed",
                             f"{name}(...) with positional arguments", code="keyword_argument",
                             params={"name": name})
        op = FUNCTIONS[name]
        n_args = len(node.args)
        least = op.arity - len(op.defaults)
        if not least <= n_args <= op.arity:
            wanted = str(op.arity) if least == op.arity else f"{least} or {op.arity}"
            raise self.error(node, f"{name} takes {wanted} argument"
                             f"{'s' if wanted != '1' else ''}, got {n_args}",
                             f"{name}({', '.join('ab'[:op.arity])})", code="wrong_arity",
                             params={"name": name, "expected": wanted, "got": n_args})
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error(arg, "starred arguments are not allowed", "plain arguments",
                                 code="starred_argument")

    def convert(self, node: ast.AST, results: dict[int, Any]) -> Any:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name_value(node)
        if isinstance(node, ast.BinOp):
            op_type = type(node.op)
            op = op_of_dunder(_PYTHON_OPERATORS.get(op_type, ""), 2)
            if op is None:
                symbol = _OPERATOR_SYMBOLS.get(op_type, op_type.__name__)
                raise self.error(node, f"operator {symbol} is not supported",
                                 "one of + - * / ** ^", code="unsupported_operator",
                                 params={"symbol": symbol})
            left, right = results[id(node.left)], results[id(node.right)]
            if op_type is ast.Pow:
                self.check_power(node, left, right)
            return self.apply(node, op, (left, right))
        if isinstance(node, ast.UnaryOp):
            operand = results[id(node.operand)]
            if isinstance(node.op, ast.UAdd):
                return operand
            op = op_of_dunder(_PYTHON_OPERATORS.get(type(node.op), ""), 1)
            if op is not None:
                return self.apply(node, op, (operand,))
            symbol = _UNARY_SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise self.error(node, f"operator {type(node.op).__name__} is not supported",
                             "unary minus or plus", code="unsupported_operator",
                             params={"symbol": symbol})
        if isinstance(node, ast.Attribute) and op_of_attribute(node.attr) is not None:
            return self.apply(node, op_of_attribute(node.attr), (results[id(node.value)],))
        if isinstance(node, ast.Call):
            op = FUNCTIONS[node.func.id]  # type: ignore[attr-defined]
            args = tuple(results[id(a)] for a in node.args)
            args += op.defaults[len(args) - (op.arity - len(op.defaults)) :] if len(
                args) < op.arity else ()
            return self.apply(node, op, args)
        description = _NODE_DESCRIPTIONS.get(type(node), type(node).__name__)
        raise self.error(node, f"{description} is not allowed", _EXPECTED_OPERAND,
                         code="not_allowed",
                         params={"construct": description, "text": excerpt(self.segment(node))})

    def apply(self, node: ast.AST, op: Any, args: tuple[Any, ...]) -> Any:
        # Constant arguments alone can put an op outside its domain (x/0): refused here, at
        # the constant.  (A tensor op's domain is of whole matrices, which constants never
        # are: inv(X).)
        if op.domain is not None and op.elementwise and any(is_node(a) for a in args) and \
                outside_for_every_value(op, args):
            where = node.right if isinstance(node, ast.BinOp) else node
            raise self.error(where, op.domain_message, "a valid constant argument",
                             code="constant_domain",
                             params={"expression": excerpt(self.segment(node)),
                                     "reason": op.domain_message})
        try:
            value = self.builder.apply(op, args)
        except ShapeError as err:
            line = getattr(node, "lineno", 1)
            column = _original_column(self.maps, line,
                                      self.char_offset(line, getattr(node, "col_offset", 0)))
            raise err.at(expression=excerpt(self.segment(node)), line=line, column=column,
                         source=self.source) from None
        except DomainError as err:
            # The message quotes the folded constants: keep the quote short.
            shown = excerpt(err.expression)
            reason = str(err).replace(err.expression, shown)
            raise self.error(node, reason, "a constant expression with a real value",
                             code="constant_domain",
                             params={"expression": shown, "reason": reason}) from None
        if not is_node(value):
            self.check_constant(node, value)
        return value

    def constant(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "a string" if isinstance(value, str | bytes) else repr(value)
            raise self.error(node, f"{kind} is not allowed", "a number",
                             code="non_numeric_constant",
                             params={"text": excerpt(self.segment(node) or repr(value))})
        written = self.segment(node).replace("_", "") or repr(value)
        return self.number(node, written, value)

    def number(self, node: Any, written: str, value: int | float) -> sympy.Expr:
        """The exact constant of a literal ``written`` (Python's ``value`` of it), checked."""
        shown = excerpt(written)
        if isinstance(value, int):
            digits = int(value.bit_length() * math.log10(2)) + 1
            self.check_digits(node, digits)
            if value.bit_length() > 1023:  # beyond float range: it could not be evaluated
                raise self.error(node, "number too large", "a number below 1.8e308",
                                 LimitError, code="number_too_large", params={"text": shown})
            return sympy.Integer(value)
        mantissa = re.split(r"[eE]", written)[0]
        self.check_digits(node, sum(ch.isdigit() for ch in mantissa.lstrip("0.")))
        if not math.isfinite(value):
            raise self.error(node, "number too large", "a finite number", LimitError,
                             code="number_too_large", params={"text": shown})
        if value == 0 and mantissa.strip("0.") != "":
            # 1e-400 is not 0, but every floating-point evaluation would make it 0.
            raise self.error(node, "number too small to compute with",
                             "0, or a number above 5e-324 in absolute value", LimitError,
                             code="number_too_small", params={"text": shown})
        # Decimal literals are exact, read from the text as written: 0.1 means 1/10, so
        # 0.5*(h - y)**2 differentiates to h - y, as on paper.
        return sympy.Rational(written) if value else sympy.Integer(0)

    def check_digits(self, node: ast.AST, digits: int) -> None:
        if digits > self.limits.max_constant_digits:
            raise self.error(node, f"a number with {digits} digits",
                             f"at most {self.limits.max_constant_digits} digits", LimitError,
                             code="number_too_long",
                             params={"digits": digits, "limit": self.limits.max_constant_digits})

    def check_constant(self, node: ast.AST, value: sympy.Expr) -> None:
        if value.is_Integer:
            digits = int(abs(int(value)).bit_length() * math.log10(2)) + 1
            if digits > self.limits.max_constant_digits:
                raise self.error(node, f"a constant with {digits} digits",
                                 f"at most {self.limits.max_constant_digits} digits",
                                 LimitError, code="number_too_long",
                                 params={"digits": digits,
                                         "limit": self.limits.max_constant_digits})

    def check_power(self, node: ast.BinOp, base: Any, exponent: Any) -> None:
        if is_node(exponent):
            return
        limit = self.limits.max_exponent
        magnitude = abs(float(exponent))
        if magnitude > limit:
            raise self.error(node.right, f"exponent {_short(exponent)} is too large",
                             f"an exponent of at most {limit:g} in absolute value",
                             LimitError, code="exponent_too_large",
                             params={"exponent": _short(exponent), "limit": f"{limit:g}"})
        if not is_node(base):
            # The folded constant would have about |e| * log10|b| digits.
            size = float(abs(base))
            if size > 1 and magnitude * math.log10(size) > self.limits.max_constant_digits:
                raise self.error(node, "constant power too large",
                                 f"at most {self.limits.max_constant_digits} digits",
                                 LimitError, code="constant_power_too_large",
                                 params={"limit": self.limits.max_constant_digits})

    def name_value(self, node: ast.Name) -> Any:
        return self.value_of(node.id, node)

    def value_of(self, name: str, node: Any) -> Any:
        """The value of ``name`` used at ``node``: what it is bound to, a constant, or an
        input (created on first use)."""
        self.check_name(node, binding=False, name=name)
        if name in self.bound:
            return self.bound[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS and name not in FUNCTION_ALIASES:
            # Other words for an op (sigma, th, sgn) are functions only when called:
            # sigma stays a fine variable name.
            raise self.error(node, f"{name!r} is a function", f"a call such as {name}(x)",
                             code="function_as_value", params={"name": name})
        self.input_used_at.setdefault(name, node.lineno)
        declared = self.declared.get(name)
        return self.builder.input(name, declared.shape if declared else ())


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
