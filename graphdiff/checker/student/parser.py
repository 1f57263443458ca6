"""Tokens to a small syntax tree, and the tree back to plain graphdiff text.

A recursive-descent parser with precedence whose recursion is bounded by
:data:`~.lexer.MAX_DEPTH` (every bracket, function call and sign is a level).  Implicit
multiplication, ``e^x``, ``sin x``, ``σ'(z)`` (the derivative, from the op registry's
partial rule) and ``\\frac``/``\\sqrt`` are read here; ambiguities are read one way with a
warning.

>>> from graphdiff.checker import read_answer
>>> read_answer("tanh'(2x)", names=["x"]).expression
'1 - tanh(2*x)^2'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from ...ops import ATOM, OPS, Op, is_function, op_of_attribute, overload_operators
from ..messages import Message
from .lexer import MAX_DEPTH, AnswerError, Token, Vocabulary, error_at
from .vocabulary import OPENERS, arity


@dataclass
class Node:
    kind: str          # num name call neg add sub mul div pow matmul
    value: str = ""    # number text, name, function
    args: list[Node] = field(default_factory=list)
    start: int = 0
    end: int = 0
    implicit: bool = False
    grouped: bool = False  # written in brackets
    #: A product of a matrix answer as written: "shapes" (juxtaposition, ·, ×: the shapes
    #: decide between the matrix and the entrywise product) or "" (entrywise: *, ⊙, and
    #: every product the reader builds itself, such as σ'(Z)).
    product: str = ""


def _prec(node: Node) -> int:
    """A node's binding strength when printed, from the registry (names and calls: ATOM)."""
    op = OPS.get(node.kind)
    return op.precedence if op is not None else ATOM


def _symbol(kind: str) -> str:
    """The operator between two operands, from the op's text template (``^`` for power)."""
    return OPS[kind].text.format("", "").replace("**", "^")


def _other_family(parent: float, child: Node) -> bool:
    """Whether an operand binds as strongly as its operator but is of another family
    (``@`` among ``*`` and ``/``): Python reads ``A*B @ C`` as ``(A*B) @ C``, so such an
    operand keeps its brackets on either side."""
    p = _prec(child)
    return p != parent and int(p) == int(parent)


class Printer:
    """Prints a tree as graphdiff text, recording the answer position of each character."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offsets: list[int] = []

    def emit(self, text: str, pos: int) -> None:
        self.parts.append(text)
        self.offsets.extend([pos] * len(text))

    def text(self) -> str:
        return "".join(self.parts)

    def print(self, root: Node) -> None:
        # Iterative: (node, phase) frames; strings are emitted directly.
        stack: list[Any] = [root]
        while stack:
            item = stack.pop()
            if isinstance(item, tuple):
                self.emit(*item)
                continue
            node = item
            kind = node.kind
            pos = node.start
            if kind in ("num", "name"):
                self.emit(node.value, pos)
            elif kind == "call" and OPS[node.value].attribute is not None:
                # X.T: the op that is a Python attribute prints as one (registry column)
                (a,) = node.args
                frames = [*self.wrapped(a, a.kind not in ("name", "call")),
                          ("." + str(OPS[node.value].attribute), node.end - 1)]
                stack.extend(reversed(frames))
            elif kind == "call":
                frames: list[Any] = [(node.value + "(", pos)]
                for k, arg in enumerate(node.args):
                    if k:
                        frames.append((", ", arg.start))
                    frames.append(arg)
                frames.append((")", node.end - 1))
                stack.extend(reversed(frames))
            elif kind == "neg":
                (a,) = node.args
                frames = [("-", pos), *self.wrapped(a, _prec(a) < OPS["neg"].precedence)]
                stack.extend(reversed(frames))
            else:
                a, b = node.args
                op = OPS[kind]
                p = op.precedence
                # Brackets from the registry's associativity: sub/div bracket an equal
                # right operand, pow an equal left one (and a negative number base).
                left = _prec(a) < p or _other_family(p, a) or (
                    op.associativity == "right" and (
                        _prec(a) == p or (a.kind == "num" and a.value.startswith("-"))))
                right = _prec(b) < p or _other_family(p, b) or (
                    op.associativity == "left" and _prec(b) == p)
                frames = [*self.wrapped(a, left), (_symbol(kind), b.start),
                          *self.wrapped(b, right)]
                stack.extend(reversed(frames))

    @staticmethod
    def wrapped(node: Node, parens: bool) -> list[Any]:
        if parens:
            return [("(", node.start), node, (")", max(node.end - 1, node.start))]
        return [node]


def to_text(node: Node) -> str:
    printer = Printer()
    printer.print(node)
    return printer.text()




class Parser:
    """Recursive descent with precedence; recursion is bounded by :data:`MAX_DEPTH`."""

    def __init__(self, tokens: list[Token], source: str, reader: Vocabulary) -> None:
        self.t = tokens
        self.k = 0
        self.s = source
        self.r = reader
        self.depth = 0
        self.in_args = 0

    # helpers
    def peek(self, ahead: int = 0) -> Token:
        return self.t[min(self.k + ahead, len(self.t) - 1)]

    def next(self) -> Token:
        tok = self.t[self.k]
        self.k += 1
        return tok

    def fail(self, code: str, pos: int, **params: Any) -> AnswerError:
        return error_at(Message(code, params), self.s, pos)

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("too_deep", pos, limit=MAX_DEPTH)

    def leave(self) -> None:
        self.depth -= 1

    def starts_operand(self, tok: Token) -> bool:
        return tok.kind in ("NUM", "NAME", "FUNC", "CONST", "FRAC", "SQRT", "ABSOPEN") or (
            tok.kind == "OPEN")

    def snippet(self, start: int, end: int) -> str:
        return " ".join(self.s[start:end].split())

    # grammar
    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise self.fail("empty_answer", self.peek().pos)
        node = self.expr()
        tok = self.peek()
        if tok.kind != "END":
            if tok.kind == "CLOSE":
                raise self.fail("unmatched_closing", tok.pos, closing=tok.text)
            if tok.kind == "COMMA":
                raise self.fail("unexpected_token", tok.pos, text=",")
            raise self.fail("unexpected_token", tok.pos, text=tok.text or tok.kind)
        return node

    def expr(self) -> Node:
        self.enter(self.peek().pos)
        node = self.term()
        while self.peek().kind == "OP" and self.peek().text in "+-":
            op = self.next()
            rhs = self.term()
            node = Node("add" if op.text == "+" else "sub", args=[node, rhs],
                         start=node.start, end=rhs.end)
        self.leave()
        return node

    def term(self) -> Node:
        node = self.unary()
        after_division: Node | None = None
        while True:
            tok = self.peek()
            if tok.kind == "OP" and tok.text in "*/@":
                self.next()
                rhs = self.unary()
                kind = {"*": "mul", "/": "div", "@": "matmul"}[tok.text]
                node = Node(kind, args=[node, rhs], start=node.start, end=rhs.end,
                            product="" if tok.extra == "elementwise" else "shapes")
                after_division = node if tok.text == "/" else None
            elif self.starts_operand(tok):
                if tok.kind == "NUM" and self._ends_with_number(node):
                    raise self.fail("unexpected_token", tok.pos, text=tok.text)
                rhs = self.power()
                if after_division is not None:
                    a, b = after_division.args
                    self.r.warn(
                        "implicit_division", text=self.snippet(after_division.start, rhs.end),
                        reading=f"({to_text(after_division)})*{_wrap(rhs)}",
                        alternative=f"{_wrap(a)}/({to_text(b)}*{to_text(rhs)})",
                    )
                node = Node("mul", args=[node, rhs], start=node.start, end=rhs.end,
                             implicit=True, product="shapes")
                after_division = None
            else:
                return node

    @staticmethod
    def _ends_with_number(node: Node) -> bool:
        """``2 3`` or ``x^2 3``: a number right after a number is a typo, not a product."""
        while not node.grouped and node.kind in ("mul", "pow", "div"):
            node = node.args[-1]
        return node.kind == "num" and not node.grouped

    def unary(self) -> Node:
        return self.signed(self.unary, self.power)

    def signed(self, again: Callable[[], Node], then: Callable[[], Node]) -> Node:
        """A leading + or - (each one a nesting level), then ``again``; else ``then``."""
        tok = self.peek()
        if tok.kind == "OP" and tok.text in "+-":
            self.next()
            self.enter(tok.pos)
            operand = again()
            self.leave()
            if tok.text == "+":
                return operand
            return Node("neg", args=[operand], start=tok.pos, end=operand.end)
        return then()

    def power(self) -> Node:
        base = self.transposed(self.primary())
        if self.peek().kind != "POW":
            return base
        self.next()
        exponent = self.exponent()
        if base.kind == "euler":
            node = Node("call", "exp", [exponent], start=base.start, end=exponent.end)
        else:
            node = Node("pow", args=[base, exponent], start=base.start, end=exponent.end)
            real = _real_odd_power(base, exponent)
            if real is not None:
                self.r.note("real_odd_root", text=self.snippet(base.start, exponent.end),
                            reading=to_text(real))
                node = real
        nxt = self.peek()
        bare = not exponent.grouped and exponent.kind in ("num", "name", "neg")
        if bare and self.starts_operand(nxt) and (
                nxt.kind == "OPEN" or base.kind == "euler"):
            rhs_end = self._operand_end()
            text = self.snippet(base.start, rhs_end)
            following = self.snippet(nxt.pos, rhs_end)
            if node.kind == "call":
                reading = f"{to_text(node)}*{following}"
                alternative = f"exp({to_text(exponent)}*{following})"
            else:
                reading = f"{_wrap(base)}^{_wrap(exponent)}*{following}"
                alternative = f"{_wrap(base)}^({to_text(exponent)}*{following})"
            self.r.warn("power_juxtaposition", text=text, reading=reading,
                        alternative=alternative)
        return node

    def _operand_end(self) -> int:
        """End offset of the operand starting at the next token (for quoting)."""
        tok = self.peek()
        if tok.kind != "OPEN":
            return tok.end
        depth = 0
        for j in range(self.k, len(self.t)):
            t = self.t[j]
            if t.kind in ("OPEN", "ABSOPEN"):
                depth += 1
            elif t.kind == "CLOSE":
                depth -= 1
                if depth == 0:
                    return t.end
        return tok.end

    def transposed(self, base: Node) -> Node:
        """``base`` followed by transpose signs (``^T``, ``.T``, ``ᵀ``: matrix answers)."""
        while self.peek().kind == "POSTFIX":
            tok = self.next()
            op = op_of_attribute(tok.text)
            assert op is not None
            base = Node("call", op.name, [base], start=base.start, end=tok.end, grouped=True)
        return base

    def exponent(self) -> Node:
        return self.signed(self.exponent, self.nested_power)

    def nested_power(self) -> Node:
        self.enter(self.peek().pos)
        node = self.power()
        self.leave()
        return node

    def primary(self) -> Node:
        tok = self.peek()
        kind = tok.kind
        if kind == "NUM":
            self.next()
            return self.decimal_comma(tok)
        if kind == "NAME":
            self.next()
            return Node("name", tok.text, start=tok.pos, end=tok.end)
        if kind == "CONST":
            self.next()
            if tok.text == "pi":
                return Node("name", "pi", start=tok.pos, end=tok.end)
            if self.peek().kind == "POW":
                return Node("euler", "e", start=tok.pos, end=tok.end)
            self.r.note_once("euler_number")
            return Node("call", "exp", [Node("num", "1", start=tok.pos, end=tok.end)],
                         start=tok.pos, end=tok.end)
        if kind == "FUNC":
            return self.call()
        if kind == "OPEN":
            return self.group()
        if kind in ("BAR", "ABSOPEN"):
            self.next()
            self.enter(tok.pos)
            saved, self.in_args = self.in_args, 0
            inner = self.expr()
            self.in_args = saved
            self.leave()
            close = self.peek()
            if not ((kind == "BAR" and close.kind == "BAR") or (
                    kind == "ABSOPEN" and close.kind == "CLOSE" and close.text == "|")):
                raise self.fail("expected_closing", tok.pos, opening="|", closing="|")
            self.next()
            return Node("call", "abs", [inner], start=tok.pos, end=close.end, grouped=True)
        if kind == "FRAC":
            self.next()
            self.enter(tok.pos)
            top = self.latex_argument(tok)
            bottom = self.latex_argument(tok)
            self.leave()
            return Node("div", args=[top, bottom], start=tok.pos, end=bottom.end, grouped=True)
        if kind == "SQRT":
            return self.sqrt()
        if kind == "END":
            raise self.fail("expected_operand", tok.pos)
        if kind == "CLOSE":
            raise self.fail("unmatched_closing" if tok.text != "|" else "expected_operand",
                            tok.pos, closing=tok.text)
        raise self.fail("expected_operand", tok.pos)

    def decimal_comma(self, tok: Token) -> Node:
        comma, after = self.peek(), self.peek(1)
        if (not self.in_args and comma.kind == "COMMA" and not comma.space
                and after.kind == "NUM" and not after.space and after.text.isdigit()
                and tok.text.isdigit()):
            self.k += 2
            value = f"{tok.text}.{after.text}"
            self.r.warn("decimal_comma", text=f"{tok.text},{after.text}", reading=value)
            return Node("num", value, start=tok.pos, end=after.end)
        return Node("num", tok.text, start=tok.pos, end=tok.end)

    def group(self) -> Node:
        tok = self.next()
        self.enter(tok.pos)
        saved, self.in_args = self.in_args, 0
        inner = self.expr()
        if self.peek().kind == "CMP":
            inner = self.iverson(inner)
        self.in_args = saved
        self.leave()
        close = self.peek()
        want = OPENERS[tok.extra]
        if close.kind != "CLOSE" or close.text != want:
            raise self.fail("expected_closing", tok.pos, opening=tok.text, closing=want)
        self.next()
        return replace(inner, start=tok.pos, end=close.end, grouped=True)

    def iverson(self, lhs: Node) -> Node:
        """``[a > b]`` in a matrix answer: 1 where it holds, else 0 -- ``step(a - b)``
        (``step(b - a)`` for ``<``); ``[H > 0]`` is ``step(H)``, the ReLU mask."""
        cmp = self.next()
        rhs = self.expr()
        if self.peek().kind == "CMP":
            raise self.fail("unexpected_token", self.peek().pos, text=self.peek().text)
        big, small = (lhs, rhs) if cmp.text == ">" else (rhs, lhs)
        start, end = min(lhs.start, rhs.start), max(lhs.end, rhs.end)
        if small.kind == "num" and small.value == "0":
            arg = big
        elif big.kind == "num" and big.value == "0":
            arg = Node("neg", args=[small], start=small.start, end=small.end)
        else:
            arg = Node("sub", args=[big, small], start=start, end=end)
        return Node("call", "step", [arg], start=start, end=end)

    def latex_argument(self, command: Token) -> Node:
        tok = self.peek()
        if tok.kind == "OPEN" and tok.extra == "{":
            return self.group()
        if tok.kind in ("NUM", "NAME", "CONST"):
            return self.primary()
        raise self.fail("expected_group", tok.pos, command=command.text)

    def sqrt(self) -> Node:
        tok = self.next()
        self.enter(tok.pos)
        index = None
        if self.peek().kind == "OPEN" and self.peek().extra == "[" and tok.text == "sqrt":
            open_tok = self.next()
            index = self.expr()
            close = self.next()
            if close.kind != "CLOSE" or close.text != "]":
                raise self.fail("expected_closing", open_tok.pos, opening="[", closing="]")
        nxt = self.peek()
        if nxt.kind == "OPEN":
            arg = self.group()
        elif nxt.kind in ("NUM", "NAME", "CONST", "FUNC", "FRAC", "SQRT"):
            arg = self.power() if nxt.kind != "FUNC" else self.call()
        else:
            raise self.fail("expected_operand", nxt.pos)
        self.leave()
        if index is None and tok.text in _ROOT_SIGNS:
            index = Node("num", _ROOT_SIGNS[tok.text], start=tok.pos, end=tok.end)
        return _root(arg, index, tok.pos)

    def call(self) -> Node:
        tok = self.next()
        name = tok.text
        primed = False
        if self.peek().kind == "PRIME":
            self.next()
            primed = True
        power = None
        if self.peek().kind == "POW":
            self.next()
            power = self.exponent()
            if power.kind == "neg" and power.args[0].kind == "num" and \
                    power.args[0].value == "1":
                raise self.fail("inverse_function", tok.pos, name=tok.text)
        self.enter(tok.pos)
        nxt = self.peek()
        if nxt.kind == "OPEN" and nxt.extra in "({[":
            args, end = self.arguments()
            bare = False
        else:
            args, end = [self.bare_argument(tok)], None
            bare = True
        self.leave()
        end = end if end is not None else args[-1].end
        node = self.function(tok, name, args, primed, end)
        if power is not None:
            node = Node("pow", args=[node, power], start=tok.pos, end=max(end, power.end))
        if bare:
            node.end = end
        node.grouped = True
        return node

    def arguments(self) -> tuple[list[Node], int]:
        open_tok = self.next()
        want = OPENERS[open_tok.extra]
        args = []
        self.in_args += 1
        while True:
            args.append(self.expr())
            if self.peek().kind == "COMMA":
                self.next()
                continue
            break
        self.in_args -= 1
        close = self.peek()
        if close.kind != "CLOSE" or close.text != want:
            raise self.fail("expected_closing", open_tok.pos, opening=open_tok.text,
                            closing=want)
        self.next()
        return args, close.end

    def bare_argument(self, func: Token) -> Node:
        """``sin x``, ``sin 2x``, ``ln x^2``: juxtaposed factors up to an operator."""
        signs = []
        while self.peek().kind == "OP" and self.peek().text in "+-":
            sign = self.next()
            self.enter(sign.pos)  # each sign is a nesting level: 'sin ----x' is bounded
            signs.append(sign)
        node = self._bare_factors(func)
        for sign in reversed(signs):
            self.leave()
            if sign.text == "-":
                node = Node("neg", args=[node], start=sign.pos, end=node.end)
        return node

    def _bare_factors(self, func: Token) -> Node:
        tok = self.peek()
        if tok.kind not in ("NUM", "NAME", "CONST", "FRAC", "SQRT", "ABSOPEN", "BAR"):
            raise self.fail("expected_operand", tok.pos)
        factors = [self.power()]
        while self.peek().kind in ("NUM", "NAME", "CONST", "FRAC", "SQRT"):
            factors.append(self.power())
        node = factors[0]
        for f in factors[1:]:
            node = Node("mul", args=[node, f], start=node.start, end=f.end, implicit=True)
        if len(factors) > 1 or any(f.kind == "pow" for f in factors) or \
                self.peek().kind == "OPEN":
            reading = f"{func.text}({to_text(node)})"
            if self.peek().kind == "OPEN":
                reading += "*" + self.snippet(self.peek().pos, self._operand_end())
            self.r.warn("function_without_parentheses",
                        text=self.snippet(func.pos, max(node.end, self._operand_end()
                                                        if self.peek().kind == "OPEN"
                                                        else node.end)),
                        reading=reading)
        return node

    def function(self, tok: Token, word: str, args: list[Node], primed: bool,
                 end: int) -> Node:
        func = self.r.words.get(word, word)
        low, high = arity(func)
        if not low <= len(args) <= high:
            raise self.fail("wrong_arity", tok.pos, name=word,
                            expected=str(low) if low == high else f"{low}-{high}",
                            got=len(args))
        start = tok.pos

        def make(kind: str, value: str = "", args: list[Node] | None = None) -> Node:
            return Node(kind, value, args or [], start=start, end=end)

        if primed:
            derived = self.derivative(tok, word, func, args, make)
            self.r.note("derivative_notation", function=word,
                        argument=", ".join(to_text(a) for a in args),
                        reading=to_text(derived))
            return derived
        if func == "lg" or (func == "log" and tok.extra):
            base = tok.extra or "10"
            base_node = make("num", base) if re.fullmatch(r"\d+(\.\d+)?", base) else (
                make("call", "exp", [make("num", "1")]) if base == "e" else None)
            if base_node is None:
                raise self.fail("unsupported_function", tok.pos, name=f"log_{base}")
            return make("div", args=[make("call", "log", args),
                                     make("call", "log", [base_node])])
        return make("call", func, args)

    def derivative(self, tok: Token, word: str, func: str, args: list[Node],
                   make: Callable[..., Node]) -> Node:
        """``f'(a)``: the op's own partial rule (the registry's), applied to the argument.

        The rule runs on a namespace that builds syntax trees, so ``σ'(z)`` reads as
        ``sigmoid(z)*(1 - sigmoid(z))`` with no second table of derivatives.
        """
        op = OPS.get(func)
        if op is None or len(args) != 1:
            raise self.fail("no_derivative_notation", tok.pos, name=word)
        full = [_Built(a, make) for a in args]
        full += [_Built.lift(d, make) for d in op.defaults[len(full) - op.arity:]] \
            if len(full) < op.arity else []
        if len(full) != op.arity:
            raise self.fail("no_derivative_notation", tok.pos, name=word)
        out = _Built(make("call", func, list(args)), make)
        node = _Built.lift(op.partials[0](_TreeNamespace(make), *full, out), make).node
        node = replace(node, grouped=True)
        return node


#: Root signs with their index: ∛x is the cube root.
_ROOT_SIGNS = {"∛": "3", "∜": "4"}


def _root(arg: Node, index: Node | None, start: int) -> Node:
    """The ``index``-th root of ``arg`` as a calculus course means it (docs/checker_students.md).

    Square roots are ``sqrt``; odd roots are real for negative numbers too (``∛-8 = -2``):
    the cube root is the registry's ``cbrt`` and other odd roots are
    ``sign(a)*abs(a)^(1/n)``; even roots are ``a^(1/n)``, defined for ``a >= 0``.
    """
    def make(kind: str, value: str = "", args: list[Node] | None = None) -> Node:
        return Node(kind, value, args or [], start=start, end=arg.end, grouped=True)

    n = int(index.value) if index is not None and index.kind == "num" and \
        index.value.isdigit() and len(index.value) <= 4 else None
    if index is None or n == 2:
        return make("call", "sqrt", [arg])
    if n == 3:
        return make("call", "cbrt", [arg])
    exponent = make("div", args=[make("num", "1"), index])
    if n is not None and n % 2 == 1:
        magnitude = make("pow", args=[make("call", "abs", [arg]), exponent])
        return make("mul", args=[make("call", "sign", [arg]), magnitude])
    return make("pow", args=[arg, exponent])


def _odd_fraction(node: Node) -> tuple[int, int] | None:
    """``p/q`` for an exponent written as a fraction of integers with odd ``q`` that is not an
    integer (``1/3``, ``-2/5``), else None."""
    sign = 1
    if node.kind == "neg":
        sign, node = -1, node.args[0]
    if node.kind != "div":
        return None
    top, bottom = node.args
    if top.kind != "num" or bottom.kind != "num" or not (
            top.value.isdigit() and bottom.value.isdigit()) or len(bottom.value) > 6:
        return None
    p, q = int(top.value), int(bottom.value)
    if q % 2 == 0 or p % q == 0:
        return None
    return sign * p, q


def _real_odd_power(base: Node, exponent: Node) -> Node | None:
    """``a^(p/q)`` with odd ``q`` as a calculus course reads it: real for ``a < 0`` too,
    ``sign(a)^p*abs(a)^(p/q)``; None for every other power (docs/checker_students.md)."""
    fraction = _odd_fraction(exponent)
    if fraction is None:
        return None
    p, _ = fraction

    def make(kind: str, value: str = "", args: list[Node] | None = None) -> Node:
        return Node(kind, value, args or [], start=base.start, end=exponent.end)

    magnitude = make("pow", args=[make("call", "abs", [base]), exponent])
    return magnitude if p % 2 == 0 else make("mul", args=[make("call", "sign", [base]),
                                                            magnitude])


@overload_operators
class _Built:
    """A syntax tree under construction: Python operators build nodes (for partial rules)."""

    __slots__ = ("make", "node")

    def __init__(self, node: Node, make: Callable[..., Node]) -> None:
        self.node = node
        self.make = make

    @staticmethod
    def lift(value: Any, make: Callable[..., Node]) -> _Built:
        if isinstance(value, _Built):
            return value
        if isinstance(value, sympy.Rational) and not value.is_Integer:
            return _Built.lift(value.p, make) / _Built.lift(value.q, make)
        number = str(value)
        if number.startswith("-"):
            return _Built(make("neg", args=[make("num", number[1:])]), make)
        return _Built(make("num", number), make)

    def _operate(self, op: Op, operands: Sequence[Any]) -> _Built:
        """``op`` applied to trees: a call (``abs(a)``) or an operator node (``a + b``)."""
        nodes = [_Built.lift(o, self.make).node for o in operands]
        if is_function(op):
            return _Built(self.make("call", op.name, nodes), self.make)
        return _Built(self.make(op.name, args=nodes), self.make)


class _TreeNamespace:
    """The registry's ops as syntax-tree builders: ``m.cos(a)`` is the node ``cos(a)``."""

    def __init__(self, make: Callable[..., Node]) -> None:
        self._make = make

    def __getattr__(self, name: str) -> Callable[..., _Built]:
        op = OPS[name]
        seed = _Built(self._make("num", "0"), self._make)
        return lambda *operands: seed._operate(op, operands)


def _wrap(node: Node) -> str:
    text = to_text(node)
    return text if node.kind in ("num", "name", "call") else f"({text})"
