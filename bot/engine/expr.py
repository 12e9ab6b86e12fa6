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
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

MAX_LENGTH = 2000
MAX_TOKENS = 200
MAX_DEPTH = 50

Value = str | int | float | bool | None

_KEYWORDS = ("and", "or", "not", "true", "false")
_COMPARISONS: dict[str, Callable[[object, object], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Straight quotes, and the curly ones a word processor puts in when a text is pasted.
_QUOTES = {'"': '"', "'": "'", "“": "”“", "„": "”“", "”": "”", "‘": "’", "’": "’"}

# Characters and pairs authors bring from spreadsheets, programming or maths, with the fix.
_HINTS = {
    "===": "use '==' to compare, not '==='",
    "!==": "use '!=' for 'not equal', not '!=='",
    "=<": "write '<=', not '=<'",
    "=>": "write '>=', not '=>'",
    "<>": "use '!=' for 'not equal', not '<>'",
    "&&": "write 'and' instead of '&&'",
    "||": "write 'or' instead of '||'",
    "=": "use '==' to compare, not '='",
    "!": "write 'not' instead of '!'",
    "&": "write 'and' instead of '&'",
    "|": "write 'or' instead of '|'",
    "≥": "write '>=' instead of '≥'",
    "≤": "write '<=' instead of '≤'",
    "≠": "write '!=' instead of '≠'",
    "€": "leave out '€': write only the amount, e.g. debt_total >= 5000",
    "$": "leave out '$': write only the amount, e.g. debt_total >= 5000",
    "%": "leave out '%': write only the number",
}
_ARITHMETIC = "+*/"


class ExprError(Exception):
    """A condition that cannot be read. `offset` is the 0-based character where the problem
    is; `message` says what is wrong and how to fix it, for a flow author."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        return self.message


class EvalError(Exception):
    """A condition that cannot be decided with the values at hand, e.g. `debt_total > 5000`
    when `debt_total` is not set. The runtime turns it into an error event."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class _Token:
    kind: str  # name, number, string, op, and, or, not, true, false, (, ), -, end
    text: str
    offset: int
    value: Value = None


@dataclass(frozen=True)
class _Name:
    name: str
    offset: int


@dataclass(frozen=True)
class _Literal:
    value: str | int | float | bool
    text: str
    offset: int


@dataclass(frozen=True)
class _Not:
    operand: _Node


@dataclass(frozen=True)
class _All:
    items: tuple[_Node, ...]


@dataclass(frozen=True)
class _Any:
    items: tuple[_Node, ...]


@dataclass(frozen=True)
class _Compare:
    op: str
    left: _Name | _Literal
    right: _Name | _Literal
    offset: int


_Node = _Name | _Literal | _Not | _All | _Any | _Compare


@dataclass(frozen=True)
class Expr:
    """A checked condition. `names` are the saved answers it reads."""

    source: str
    names: frozenset[str]
    _tree: _Node = field(repr=False, compare=False)


def parse(source: str) -> Expr:
    """Check `source` and return it in a form `evaluate` can run. Raises `ExprError`."""
    if not isinstance(source, str):
        raise TypeError(f"expression source must be a str, not {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise ExprError(
            f"this condition is too long (more than {MAX_LENGTH} characters); "
            "split it over several switch cases",
            MAX_LENGTH,
        )
    tokens = _tokenize(source)
    tree = _Parser(tokens).parse()
    names = frozenset(t.text for t in tokens if t.kind == "name")
    return Expr(source, names, tree)


def evaluate(expr: Expr, variables: Mapping[str, Value]) -> bool:
    """Decide `expr` with the saved answers in `variables` (a missing name is not set).
    Raises `EvalError` when a comparison cannot be made."""
    return _truth(_eval(expr._tree, variables))


# --- reading -------------------------------------------------------------------------------


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
            continue
        if len(tokens) >= MAX_TOKENS:
            raise ExprError(
                f"this condition is too long (more than {MAX_TOKENS} parts); "
                "split it over several switch cases",
                i,
            )
        token = _next_token(source, i)
        tokens.append(token)
        i += len(token.text)
    tokens.append(_Token("end", "", len(source.rstrip())))
    return tokens


def _next_token(source: str, i: int) -> _Token:
    ch = source[i]
    for hint in ("===", "!==", "==", "!=", "<=", ">=", "=<", "=>", "<>", "&&", "||"):
        if source.startswith(hint, i):
            if hint in _COMPARISONS:
                return _Token("op", hint, i)
            raise ExprError(_HINTS[hint], i)
    if ch in "<>":
        return _Token("op", ch, i)
    if ch in "()-":
        return _Token(ch, ch, i)
    if ch in _QUOTES:
        end = _closing_quote(source, i)
        return _Token("string", source[i : end + 1], i, source[i + 1 : end])
    if match := _NAME.match(source, i):
        return _word(source, match.group(), i)
    if match := _NUMBER.match(source, i):
        return _number(source, match.group(), i)
    raise ExprError(_unknown_character(source, i), i)


def _closing_quote(source: str, start: int) -> int:
    closers = _QUOTES[source[start]]
    for j in range(start + 1, len(source)):
        if source[j] in closers:
            return j
    raise ExprError(f"this text has no closing quote: add {closers[0]} where the text ends", start)


def _word(source: str, word: str, i: int) -> _Token:
    end = i + len(word)
    if end < len(source) and source[end].isalpha():
        raise ExprError(
            f"'{source[end]}' cannot be used in a name: names use only the letters a-z, "
            "digits and '_' (and a text to compare with goes in quotes)",
            end,
        )
    if word in _KEYWORDS:
        value = {"true": True, "false": False}.get(word)
        return _Token(word, word, i, value)
    if word.lower() in _KEYWORDS:
        raise ExprError(f"write '{word.lower()}' in small letters, not '{word}'", i)
    return _Token("name", word, i)


def _number(source: str, text: str, i: int) -> _Token:
    end = i + len(text)
    if source[end : end + 1] == "," and source[end + 1 : end + 2].isdigit():
        after = re.match(r"[0-9]*", source[end + 1 :]).group()
        if len(after) == 3:
            fix = f"write {text}{after} without a thousands separator"
        else:
            fix = f"use a '.' for decimals: write {text}.{after}, not {text},{after}"
        raise ExprError(fix, end)
    whole, _, fraction = text.partition(".")
    if len(fraction) == 3 and whole != "0":
        decimal = text.rstrip("0")
        decimal = decimal + "0" if decimal.endswith(".") else decimal
        decimal = decimal + "0" if len(decimal.partition(".")[2]) == 3 else decimal
        raise ExprError(
            f"'{text}' is unclear: write {whole}{fraction} (without a thousands dot), "
            f"or {decimal} if you mean a decimal number",
            i,
        )
    if source[end : end + 1] == "." and not source[end + 1 : end + 2].isdigit():
        raise ExprError(f"a number cannot end in '.': write {text} or {text}.5", end)
    value: int | float = float(text) if fraction else int(text)
    return _Token("number", text, i, value)


def _unknown_character(source: str, i: int) -> str:
    ch = source[i]
    shown = f"'{ch}'" if ch.isprintable() else f"U+{ord(ch):04X} (an invisible character)"
    if ch in _HINTS:
        return _HINTS[ch]
    if ch in _ARITHMETIC:
        return f"{shown}: calculations are not supported; compare a saved answer with a value"
    if ch.isdigit():
        return f"{shown}: write numbers with the digits 0-9"
    if ch.isalpha():
        return (
            f"{shown} cannot be used in a name: names use only the letters a-z, digits and '_' "
            "(and a text to compare with goes in quotes)"
        )
    if ch == ",":
        return "',' cannot be used here: join two conditions with 'and' or 'or'"
    if ch == ".":
        return "'.' can only be the decimal point in a number, e.g. 12.5 or 0.5"
    return (
        f"unexpected character {shown}: a condition has names, numbers, texts in quotes, "
        "comparisons (== != < <= > >=), 'and', 'or', 'not' and parentheses"
    )


def _show(token: _Token) -> str:
    return f"'{token.text}'"


class _Parser:
    """Recursive descent over the tokens; precedence from loose to tight: or, and, not,
    comparison. Depth is bounded by MAX_DEPTH, so Python's stack is never at risk."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> _Node:
        if self.peek().kind == "end":
            raise ExprError("the condition is empty; write one such as: debt_total >= 5000", 0)
        tree = self.any_of(None)
        token = self.peek()
        if token.kind != "end":
            raise self.unexpected(token)
        return tree

    def any_of(self, before: _Token | None) -> _Node:
        items = [self.all_of(before)]
        while self.peek().kind == "or":
            items.append(self.all_of(self.take()))
        return items[0] if len(items) == 1 else _Any(tuple(items))

    def all_of(self, before: _Token | None) -> _Node:
        items = [self.negation(before)]
        while self.peek().kind == "and":
            items.append(self.negation(self.take()))
        return items[0] if len(items) == 1 else _All(tuple(items))

    def negation(self, before: _Token | None) -> _Node:
        if self.peek().kind != "not":
            return self.comparison(before)
        token = self.take()
        self.enter(token)
        operand = self.negation(token)
        self.depth -= 1
        return _Not(operand)

    def comparison(self, before: _Token | None) -> _Node:
        left = self.operand(before)
        if self.peek().kind != "op":
            return left
        op = self.take()
        right = self.operand(op)
        after = self.peek()
        if after.kind == "op":
            raise ExprError(
                "compare one thing at a time: instead of 'a < x < b' write 'a < x and x < b'",
                after.offset,
            )
        if isinstance(left, _Name | _Literal) and isinstance(right, _Name | _Literal):
            return _Compare(op.text, left, right, op.offset)
        raise ExprError(  # a parenthesised condition compared with a value
            f"{_show(op)} compares two values; put the comparison inside the parentheses",
            op.offset,
        )

    def operand(self, before: _Token | None) -> _Node:
        token = self.take()
        if token.kind == "name":
            return _Name(token.text, token.offset)
        if token.kind in ("number", "string", "true", "false"):
            assert token.value is not None
            return _Literal(token.value, token.text, token.offset)
        if token.kind == "-":
            number = self.take()
            if number.kind != "number":
                raise self.missing(token, number)
            assert isinstance(number.value, int | float)
            return _Literal(-number.value, f"-{number.text}", token.offset)
        if token.kind == "(":
            return self.group(token)
        raise self.missing(before, token)

    def group(self, opening: _Token) -> _Node:
        self.enter(opening)
        inner = self.any_of(opening)
        closing = self.peek()
        if closing.kind == "end":
            raise ExprError("this '(' is never closed: add a ')'", opening.offset)
        if closing.kind != ")":
            raise self.unexpected(closing)
        self.take()
        self.depth -= 1
        return inner

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(
                f"this condition is nested too deeply (more than {MAX_DEPTH} levels of "
                "parentheses or 'not'); make it simpler",
                token.offset,
            )

    def missing(self, before: _Token | None, found: _Token) -> ExprError:
        """A value or condition was expected where `found` is."""
        if before is not None and before.kind == "-":
            return ExprError("expected a number after '-'", found.offset)
        if before is None:
            if found.kind in ("and", "or", "op"):
                return ExprError(
                    f"{_show(found)} needs a value before it, e.g. debt_total >= 5000",
                    found.offset,
                )
            if found.kind == ")":
                return ExprError("this ')' has no matching '('", found.offset)
            return ExprError(f"a condition cannot start with {_show(found)}", found.offset)
        if before.kind == "(" and found.kind == ")":
            return ExprError("empty parentheses: put a condition between '(' and ')'", found.offset)
        what = "a value" if before.kind == "op" else "a condition"
        if found.kind == "end":
            return ExprError(f"expected {what} after {_show(before)}", found.offset)
        return ExprError(
            f"expected {what} after {_show(before)}, but found {_show(found)}", found.offset
        )

    def unexpected(self, token: _Token) -> ExprError:
        """`token` follows a complete condition."""
        previous = self.tokens[self.pos - 1]
        if token.kind == ")":
            return ExprError("this ')' has no matching '('", token.offset)
        if token.kind == "name" and token.text == "is":
            return ExprError("use '==' to compare, not 'is'", token.offset)
        if token.kind == "name" and token.text == "in":
            return ExprError("'in' is not supported: write x == 'a' or x == 'b'", token.offset)
        if token.kind == "not":
            return ExprError(
                "use '!=' for 'not equal'; 'not' goes before a condition", token.offset
            )
        if token.kind == "-":
            return ExprError(
                "calculations are not supported; compare a saved answer with a value",
                token.offset,
            )
        return ExprError(
            f"unexpected {_show(token)} after {_show(previous)}: remove it "
            "(a text goes in quotes, and two conditions are joined with 'and' or 'or')",
            token.offset,
        )


# --- running -------------------------------------------------------------------------------


def _kind(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "other"


def _truth(value: object) -> bool:
    kind = _kind(value)
    if kind == "none":
        return False
    if kind == "bool":
        return bool(value)
    if kind == "number":
        return value != 0
    if kind == "text":
        return value != ""
    raise EvalError(f"a saved answer has a value of unknown type {type(value).__name__}")


def _eval(node: _Node, variables: Mapping[str, Value]) -> object:
    if isinstance(node, _Name):
        return variables.get(node.name)
    if isinstance(node, _Literal):
        return node.value
    if isinstance(node, _Not):
        return not _truth(_eval(node.operand, variables))
    if isinstance(node, _All):
        return all(_truth(_eval(item, variables)) for item in node.items)
    if isinstance(node, _Any):
        return any(_truth(_eval(item, variables)) for item in node.items)
    return _compare(node, _eval(node.left, variables), _eval(node.right, variables))


def _compare(node: _Compare, left: object, right: object) -> bool:
    kinds = (_kind(left), _kind(right))
    if node.op in ("==", "!="):
        same = kinds[0] == kinds[1] and left == right
        return same if node.op == "==" else not same
    if kinds in (("number", "number"), ("text", "text")):
        return _COMPARISONS[node.op](left, right)
    message = (
        f"cannot compare {_describe(node.left, left)} {node.op} {_describe(node.right, right)}: "
        f"'{node.op}' compares two numbers or two texts"
    )
    unset = [
        n.name
        for n, v in ((node.left, left), (node.right, right))
        if isinstance(n, _Name) and v is None
    ]
    if unset:
        message += (
            f". '{unset[0]}' is not set on this path: make sure its question comes before "
            "this switch on every path that leads here"
        )
    elif set(kinds) == {"number", "text"}:
        message += ". Ask the question with 'input: number' so the answer is a number"
    elif "bool" in kinds:
        message += ". Test a yes/no answer on its own: 'has_debt' or 'not has_debt'"
    raise EvalError(message, node.offset)


def _describe(node: _Name | _Literal, value: object) -> str:
    if isinstance(node, _Literal):
        return node.text
    kind = _kind(value)
    if kind == "none":
        return f"{node.name} (not set)"
    if kind == "bool":
        return f"{node.name} (a yes/no answer)"
    if kind == "text":
        text = str(value)
        return f"{node.name} (the text '{text[:40]}{'…' if len(text) > 40 else ''}')"
    return f"{node.name} ({value!r})"
