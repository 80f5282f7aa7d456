"""Indicator value expressions: names, numbers, + - * /, unary minus and parentheses.

Parsed with Python's `ast` and then rebuilt as a small tuple tree from a whitelist of node types;
anything else (calls, attributes, comparisons, booleans, subscripts...) is refused. Never eval.
Pure module.
"""

from __future__ import annotations

import ast
import math
from decimal import Decimal

# ("name", str) | ("num", Decimal) | ("bin", "+"|"-"|"*"|"/", Node, Node) | ("neg", Node)
Node = tuple

MAX_LENGTH = 500
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class ExpressionError(Exception):
    """Raised by parse(); the loader turns it into a StandardError naming file and indicator."""


def parse(text: object) -> Node:
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("表达式为空或不是文本 (empty or not a string)")
    if len(text) > MAX_LENGTH:
        raise ExpressionError("表达式过长 (expression too long)")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError("表达式语法错误 (syntax error)") from exc
    try:
        return _build(tree.body)
    except RecursionError as exc:
        raise ExpressionError("表达式嵌套过深 (expression too deep)") from exc


def _build(node: ast.AST) -> Node:
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if isinstance(node, ast.Constant):
        value = node.value
        # bool is an int subclass: refused, like strings, None and complex numbers.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExpressionError(f"不允许的常量 {value!r} (constant not allowed)")
        if isinstance(value, float) and not math.isfinite(value):
            raise ExpressionError("数值超出范围 (number out of range)")
        return ("num", Decimal(str(value)))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return ("bin", _BINOPS[type(node.op)], _build(node.left), _build(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return ("neg", _build(node.operand))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
        return _build(node.operand)
    raise ExpressionError(
        f"不允许的写法 {type(node).__name__} (only names, numbers, + - * / and parentheses)"
    )


def names(tree: Node) -> tuple[str, ...]:
    """The field names a tree uses, in first-use order."""
    found: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if node[0] == "name":
            if node[1] not in found:
                found.append(node[1])
        elif node[0] == "bin":
            stack.extend([node[3], node[2]])
        elif node[0] == "neg":
            stack.append(node[1])
    return tuple(found)
