"""Parsing tokens into the tree, with an explanation and a likely fix for every mistake."""

from __future__ import annotations

from bot.engine.expr.lexer import show, tokenize
from bot.engine.expr.tree import (
    MAX_DEPTH,
    MAX_LENGTH,
    AllOf,
    AnyOf,
    Compare,
    Expr,
    ExprError,
    Literal,
    Name,
    Node,
    Not,
    Token,
)


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
    tokens = tokenize(source)
    tree = Parser(tokens).parse()
    names = frozenset(t.text for t in tokens if t.kind == "name")
    return Expr(source, names, tree)


class Parser:
    """Recursive descent over the tokens; precedence from loose to tight: or, and, not,
    comparison. Depth is bounded by MAX_DEPTH, so Python's stack is never at risk."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise ExprError("the condition is empty; write one such as: debt_total >= 5000", 0)
        tree = self.any_of(None)
        token = self.peek()
        if token.kind != "end":
            raise self.unexpected(token)
        return tree

    def any_of(self, before: Token | None) -> Node:
        items = [self.all_of(before)]
        while self.peek().kind == "or":
            items.append(self.all_of(self.take()))
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def all_of(self, before: Token | None) -> Node:
        items = [self.negation(before)]
        while self.peek().kind == "and":
            items.append(self.negation(self.take()))
        return items[0] if len(items) == 1 else AllOf(tuple(items))

    def negation(self, before: Token | None) -> Node:
        if self.peek().kind != "not":
            return self.comparison(before)
        token = self.take()
        self.enter(token)
        operand = self.negation(token)
        self.depth -= 1
        return Not(operand)

    def comparison(self, before: Token | None) -> Node:
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
        if isinstance(left, Name | Literal) and isinstance(right, Name | Literal):
            return Compare(op.text, left, right, op.offset)
        raise ExprError(  # a parenthesised condition compared with a value
            f"{show(op)} compares two values; put the comparison inside the parentheses",
            op.offset,
        )

    def operand(self, before: Token | None) -> Node:
        token = self.take()
        if token.kind == "name":
            return Name(token.text, token.offset)
        if token.kind in ("number", "string", "true", "false"):
            assert token.value is not None
            return Literal(token.value, token.text, token.offset)
        if token.kind == "-":
            number = self.take()
            if number.kind != "number":
                raise self.missing(token, number)
            assert isinstance(number.value, int | float)
            return Literal(-number.value, f"-{number.text}", token.offset)
        if token.kind == "(":
            return self.group(token)
        raise self.missing(before, token)

    def group(self, opening: Token) -> Node:
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

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(
                f"this condition is nested too deeply (more than {MAX_DEPTH} levels of "
                "parentheses or 'not'); make it simpler",
                token.offset,
            )

    def missing(self, before: Token | None, found: Token) -> ExprError:
        """A value or condition was expected where `found` is."""
        if before is not None and before.kind == "-":
            return ExprError("expected a number after '-'", found.offset)
        if before is None:
            if found.kind in ("and", "or", "op"):
                return ExprError(
                    f"{show(found)} needs a value before it, e.g. debt_total >= 5000",
                    found.offset,
                )
            if found.kind == ")":
                return ExprError("this ')' has no matching '('", found.offset)
            return ExprError(f"a condition cannot start with {show(found)}", found.offset)
        if before.kind == "(" and found.kind == ")":
            return ExprError("empty parentheses: put a condition between '(' and ')'", found.offset)
        what = "a value" if before.kind == "op" else "a condition"
        if found.kind == "end":
            return ExprError(f"expected {what} after {show(before)}", found.offset)
        return ExprError(
            f"expected {what} after {show(before)}, but found {show(found)}", found.offset
        )

    def unexpected(self, token: Token) -> ExprError:
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
            f"unexpected {show(token)} after {show(previous)}: remove it "
            "(a text goes in quotes, and two conditions are joined with 'and' or 'or')",
            token.offset,
        )
