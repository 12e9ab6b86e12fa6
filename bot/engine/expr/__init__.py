"""The small, safe language of `if:` in switch nodes.

    debt_total >= 5000
    has_children and (city == 'Utrecht' or city == "Amersfoort")
    not knows_bailiff

Names of saved answers, numbers (`5000`, `12.5`, `-3`), texts in quotes, `true`/`false`,
the comparisons `== != < <= > >=`, `and`, `or`, `not` and parentheses. A name or value on its
own is a truth test: not set, `false`, `0` and the empty text are false. One comparison at a
time: `1 < x < 3` is rejected with a hint to write `1 < x and x < 3`.

Authors are social workers: `parse` explains every mistake in plain words with the likely
fix, and points at the character where it is. Nothing is ever passed to `eval`.

Evaluation is strict about types: `<`, `<=`, `>`, `>=` compare two numbers or two texts and
raise `EvalError` otherwise (a value that is not set, true/false, or a number against a text).
`==` and `!=` never fail: values of different types are simply not equal, and true is not 1.

Modules: `tree` (tokens, tree, errors), `lexer`, `parser`, `evaluation`.
"""

from bot.engine.expr.evaluation import evaluate
from bot.engine.expr.parser import parse
from bot.engine.expr.tree import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_TOKENS,
    EvalError,
    Expr,
    ExprError,
    Value,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_TOKENS",
    "EvalError",
    "Expr",
    "ExprError",
    "Value",
    "evaluate",
    "parse",
]
