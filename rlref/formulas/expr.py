"""The small expression language of bindings: ``exp(logp - old_logp)``, ``P[s, a]``,
``a | s -> P[s, a]``.

It is Python expression syntax, read with :mod:`ast` and evaluated by walking the tree —
never ``eval`` — so a binding can only do arithmetic, comparisons, indexing, attribute
reads and calls of the functions the checker provides. Pure Python: parsing an expression
(all that ``rlref check`` does) needs neither numpy nor sympy.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


def operand(value: Any) -> Any:
    """Objects that stand for an array (an axis) turn into it before arithmetic."""
    as_array = getattr(value, "as_array", None)
    return as_array() if callable(as_array) else value


class ExprError(ValueError):
    """An expression that cannot be read or evaluated."""


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
}
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Invert: operator.invert,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ALLOWED = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.Call,
    ast.keyword,
    ast.Subscript,
    ast.Slice,
    ast.Tuple,
    ast.List,
    ast.Attribute,
    *_BINARY,
    *_UNARY,
    *_COMPARE,
)


@dataclass(frozen=True)
class Expression:
    """A parsed expression; ``source`` is what the binding wrote."""

    source: str
    tree: ast.expr

    @classmethod
    def parse(cls, source: str | int | float | bool) -> Expression:
        if isinstance(source, bool | int | float):
            return cls(repr(source), ast.Constant(source))
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError as error:
            raise ExprError(f"{source!r} is not an expression: {error.msg}") from None
        for node in ast.walk(tree):
            if isinstance(node, ast.BoolOp | ast.Not):
                raise ExprError(f"{source!r}: use &, | and ~ (elementwise), not and/or/not")
            if not isinstance(node, _ALLOWED):
                raise ExprError(f"{source!r}: {type(node).__name__} is not allowed in a binding")
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                raise ExprError(f"{source!r}: private attribute {node.attr!r}")
            if isinstance(node, ast.Call) and not isinstance(node.func, ast.Name):
                raise ExprError(f"{source!r}: only named functions can be called")
        return cls(source.strip(), tree.body)

    def names(self) -> set[str]:
        """The free names the expression reads."""
        return {node.id for node in ast.walk(self.tree) if isinstance(node, ast.Name)}

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        try:
            return _evaluate(self.tree, scope)
        except ExprError:
            raise
        except Exception as error:  # numpy / indexing errors, reported with the expression
            raise ExprError(f"{self.source!r}: {type(error).__name__}: {error}") from None


def _evaluate(node: ast.expr, scope: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in scope:
            raise ExprError(f"unknown name {node.id!r}")
        return scope[node.id]
    if isinstance(node, ast.BinOp):
        left = operand(_evaluate(node.left, scope))
        return _BINARY[type(node.op)](left, operand(_evaluate(node.right, scope)))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](operand(_evaluate(node.operand, scope)))
    if isinstance(node, ast.Compare):
        left = operand(_evaluate(node.left, scope))
        result: Any = None
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = operand(_evaluate(right_node, scope))
            step = _COMPARE[type(op)](left, right)
            result = step if result is None else result & step
            left = right
        return result
    if isinstance(node, ast.Call):
        function = _evaluate(node.func, scope)
        args = [_evaluate(arg, scope) for arg in node.args]
        kwargs = {kw.arg: _evaluate(kw.value, scope) for kw in node.keywords if kw.arg}
        return function(*args, **kwargs)
    if isinstance(node, ast.Subscript):
        return operand(_evaluate(node.value, scope))[_index(node.slice, scope)]
    if isinstance(node, ast.Tuple | ast.List):
        items = [_evaluate(item, scope) for item in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Attribute):
        return getattr(_evaluate(node.value, scope), node.attr)
    raise ExprError(f"cannot evaluate {type(node).__name__}")


def _index(node: ast.expr, scope: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Slice):
        bounds = (node.lower, node.upper, node.step)
        return slice(*(None if b is None else operand(_evaluate(b, scope)) for b in bounds))
    if isinstance(node, ast.Tuple):
        return tuple(_index(item, scope) for item in node.elts)
    return operand(_evaluate(node, scope))


@dataclass(frozen=True)
class Lambda:
    """``"a | s -> P[s, a]"``: parameters, then a body. A ``|`` among the parameters marks a
    function whose arguments may be separated by ``|``, ``\\mid`` or ``\\|`` in the LaTeX."""

    params: tuple[str, ...]
    bar: bool
    body: Expression

    @classmethod
    def parse(cls, source: str) -> Lambda:
        head, arrow, body = source.partition("->")
        if not arrow:
            raise ExprError(f"{source!r}: a function is written 'params -> body'")
        params, bar = parameters(head)
        return cls(params, bar, Expression.parse(body))

    def names(self) -> set[str]:
        return self.body.names() - set(self.params)

    def bind(self, scope: Mapping[str, Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            if len(args) != len(self.params):
                raise ExprError(
                    f"{self.body.source!r} takes {len(self.params)} arguments, got {len(args)}"
                )
            return self.body.evaluate({**scope, **dict(zip(self.params, args, strict=True))})

        return call


RELATION_OPERATORS = {ast.Eq: "==", ast.LtE: "<=", ast.GtE: ">=", ast.Lt: "<", ast.Gt: ">"}


def parameters(source: str) -> tuple[tuple[str, ...], bool]:
    """The parameter list of ``"a | s -> …"`` (or of ``"a | s"`` alone): (names, bar)."""
    head = source.partition("->")[0]
    params = tuple(p.strip() for p in head.replace("|", ",").split(","))
    if not params or not all(p.isidentifier() for p in params):
        raise ExprError(f"{source!r}: parameters must be names separated by ',' or '|'")
    if len(set(params)) != len(params):
        raise ExprError(f"{source!r}: a parameter name is repeated")
    return params, "|" in head


def split_relation(source: str) -> tuple[Expression, str, Expression]:
    """``"out == -formula"`` → (left side, operator, right side)."""
    relation = Expression.parse(source)
    tree = relation.tree
    if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1
            and type(tree.ops[0]) in RELATION_OPERATORS):
        raise ExprError(f"relation {source!r} must have the form 'left == right' "
                        "(or <=, >=, <, > for an inequality)")
    left = Expression(ast.unparse(tree.left), tree.left)
    right = Expression(ast.unparse(tree.comparators[0]), tree.comparators[0])
    return left, RELATION_OPERATORS[type(tree.ops[0])], right
