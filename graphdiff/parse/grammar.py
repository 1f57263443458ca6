"""The whitelist's words: the Python constructs the parser converts, the constants it
knows, and how its messages name the constructs it refuses.  Grammar, not op knowledge:
which op an operator or a function means comes from the registry."""

from __future__ import annotations

import ast

import sympy

from ..ops import FUNCTIONS

CONSTANTS = {"pi": sympy.pi}

#: Python's operators by their data-model names (grammar, not op knowledge): the op of each
#: comes from the registry's ``dunder`` column.
_PYTHON_OPERATORS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
                     ast.Pow: "pow", ast.MatMult: "matmul", ast.USub: "neg"}
_OPERATOR_SYMBOLS = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
    ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&",
}
_EXPECTED_OPERAND = "a number, a name, a function call or a parenthesized expression"


def _function_list() -> str:
    """The functions accepted in text, by their own names (read from the registry)."""
    return ", ".join(sorted({op.name for op in FUNCTIONS.values()}))


#: Statement type -> (its keyword, as messages in any language quote it; a description).
_STATEMENT_NAMES = {
    ast.Import: ("import", "import"), ast.ImportFrom: ("from", "import"),
    ast.FunctionDef: ("def", "def"), ast.AsyncFunctionDef: ("async def", "def"),
    ast.ClassDef: ("class", "class"), ast.For: ("for", "a for loop"),
    ast.AsyncFor: ("async for", "a for loop"), ast.While: ("while", "a while loop"),
    ast.If: ("if", "an if statement"), ast.With: ("with", "with"),
    ast.AsyncWith: ("async with", "with"),
    ast.AugAssign: ("+=", "an augmented assignment of something other than a name"),
    ast.Return: ("return", "return"), ast.Delete: ("del", "del"),
    ast.Global: ("global", "global"), ast.Nonlocal: ("nonlocal", "nonlocal"),
    ast.Try: ("try", "try"), ast.Raise: ("raise", "raise"), ast.Assert: ("assert", "assert"),
    ast.Pass: ("pass", "pass"), ast.Break: ("break", "break"),
    ast.Continue: ("continue", "continue"), ast.AnnAssign: (":", "an annotated assignment"),
    ast.Match: ("match", "match"),
}
_UNARY_SYMBOLS = {ast.Not: "not", ast.Invert: "~"}

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
