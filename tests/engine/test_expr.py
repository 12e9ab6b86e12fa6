"""The `if:` language: what it decides, and what it tells an author who got it wrong."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.expr import MAX_DEPTH, MAX_TOKENS, EvalError, ExprError, evaluate, parse

EVALUATE = [
    # comparisons of numbers
    ("debt_total >= 5000", {"debt_total": 5000}, True),
    ("debt_total >= 5000", {"debt_total": 4999.99}, False),
    ("debt_total > 5000", {"debt_total": 5000}, False),
    ("debt_total < 12.5", {"debt_total": 12}, True),
    ("debt_total <= 12.5", {"debt_total": 12.5}, True),
    ("age == 18", {"age": 18}, True),
    ("age == 18", {"age": 18.0}, True),
    ("age != 18", {"age": 17}, True),
    ("x > -3", {"x": -2}, True),
    ("x == -3", {"x": -3}, True),
    ("5000 <= debt_total", {"debt_total": 6000}, True),
    ("a < b", {"a": 1, "b": 2}, True),
    # texts, in either quotes, also the curly ones a word processor makes
    ("city == 'Utrecht'", {"city": "Utrecht"}, True),
    ('city == "Utrecht"', {"city": "Utrecht"}, True),
    ("city == “Utrecht”", {"city": "Utrecht"}, True),
    ("city == ‘Utrecht’", {"city": "Utrecht"}, True),
    ("city != 'Utrecht'", {"city": "Zeist"}, True),
    ("city == 'utrecht'", {"city": "Utrecht"}, False),
    ('name == "it\'s"', {"name": "it's"}, True),
    ("answer == ''", {"answer": ""}, True),
    ("appointment < '2026-12-01'", {"appointment": "2026-11-21"}, True),  # ISO dates
    ("appointment >= '2026-12-01'", {"appointment": "2026-11-21"}, False),
    # true / false
    ("has_debt == true", {"has_debt": True}, True),
    ("has_debt == false", {"has_debt": True}, False),
    ("has_debt != false", {"has_debt": True}, True),
    ("true", {}, True),
    ("false", {}, False),
    # == and != across types never fail; true is not 1
    ("x == 1", {"x": True}, False),
    ("x != 1", {"x": True}, True),
    ("x == 0", {"x": False}, False),
    ("x == 5000", {"x": "5000"}, False),
    ("x == 'a'", {}, False),
    ("x != 'a'", {}, True),
    ("x == y", {}, True),  # both not set
    # truth tests
    ("has_debt", {"has_debt": True}, True),
    ("has_debt", {"has_debt": False}, False),
    ("has_debt", {}, False),
    ("has_debt", {"has_debt": None}, False),
    ("n", {"n": 0}, False),
    ("n", {"n": 0.5}, True),
    ("s", {"s": ""}, False),
    ("s", {"s": "nee"}, True),
    ("5", {}, True),
    ("0", {}, False),
    ("'x'", {}, True),
    # not, and, or, parentheses, precedence
    ("not has_debt", {}, True),
    ("not has_debt", {"has_debt": True}, False),
    ("not not has_debt", {"has_debt": True}, True),
    ("not x == 5", {"x": 5}, False),
    ("a and b", {"a": True, "b": True}, True),
    ("a and b", {"a": True, "b": False}, False),
    ("a or b", {"a": False, "b": True}, True),
    ("a or b", {}, False),
    ("a or b and c", {"a": True}, True),  # and binds tighter
    ("(a or b) and c", {"a": True}, False),
    ("not a or b", {"a": True, "b": True}, True),
    ("not (a or b)", {"a": False, "b": False}, True),
    ("((((x))))", {"x": 1}, True),
    (
        "has_kids and (kids >= 3 or income < 1500)",
        {"has_kids": True, "kids": 1, "income": 1600},
        False,
    ),
    ("has_kids and (income < 1500 or kids >= 3)", {"has_kids": True, "income": 1200}, True),
    # short circuit: the comparison with a value not set is never made
    ("has_debt and debt_total > 5000", {"has_debt": False}, False),
    ("not has_debt or debt_total > 5000", {}, True),
    # layout
    ("  x   >=\n5000 ", {"x": 5000}, True),
    ("x>=5000", {"x": 5000}, True),
    ("x\u00a0>= 5000", {"x": 5000}, True),
]


@pytest.mark.parametrize(("source", "variables", "expected"), EVALUATE)
def test_evaluate(source: str, variables: dict, expected: bool) -> None:
    assert evaluate(parse(source), variables) is expected


def test_names_and_source() -> None:
    expr = parse("has_kids and (kids >= 3 or city == 'Utrecht') and not true")
    assert expr.names == frozenset({"has_kids", "kids", "city"})
    assert expr.source == "has_kids and (kids >= 3 or city == 'Utrecht') and not true"
    assert parse("x > 1") == parse("x > 1")


BAD = [
    # (source, part of the message, offset)
    ("debt_total = 5000", "use '==' to compare, not '='", 11),
    ("x === 5", "not '==='", 2),
    ("x => 5", "write '>='", 2),
    ("x =< 5", "write '<='", 2),
    ("x <> 5", "use '!='", 2),
    ("x ≥ 5", "write '>='", 2),
    ("a && b", "write 'and'", 2),
    ("a & b", "write 'and'", 2),
    ("a || b", "write 'or'", 2),
    ("!a", "write 'not'", 0),
    ("x AND y", "write 'and' in small letters", 2),
    ("x == True", "write 'true' in small letters", 5),
    ("Not x", "write 'not' in small letters", 0),
    ("city == 'Utrecht", "no closing quote", 8),
    ('city == "Utrecht', "no closing quote", 8),
    ("city == “Utrecht", "no closing quote", 8),
    ("x # 5", "unexpected character '#'", 2),
    ("x\u200b > 5", "U+200B", 1),
    ("x > €5000", "leave out '€'", 4),
    ("x > 50%", "leave out '%'", 6),
    ("x + 1 > 5", "calculations are not supported", 2),
    ("x - 1 > 5", "calculations are not supported", 2),
    ("schuld_é > 5", "cannot be used in a name", 7),
    ("é > 5", "cannot be used in a name", 0),
    ("x > ٥", "digits 0-9", 4),
    ("x > 12,5", "write 12.5, not 12,5", 6),
    ("x > 5,000", "write 5000 without a thousands separator", 5),
    ("x > 5.000", "'5.000' is unclear", 4),
    ("x > 5.", "cannot end in '.'", 5),
    ("debt.total > 5", "decimal point", 4),
    ("x >= ", "expected a value after '>='", 4),
    ("x >=", "expected a value after '>='", 4),
    ("x > )", "expected a value after '>', but found ')'", 4),
    ("x > and y", "expected a value after '>', but found 'and'", 4),
    ("x == -", "expected a number after '-'", 6),
    ("x == - y", "expected a number after '-'", 7),
    ("x and", "expected a condition after 'and'", 5),
    ("x or or y", "expected a condition after 'or', but found 'or'", 5),
    ("not", "expected a condition after 'not'", 3),
    ("and x", "'and' needs a value before it", 0),
    (">= 5000", "'>=' needs a value before it", 0),
    ("(x > 1", "this '(' is never closed", 0),
    ("a and ((b or c)", "this '(' is never closed", 6),
    ("x > 1)", "this ')' has no matching '('", 5),
    (")", "this ')' has no matching '('", 0),
    ("()", "empty parentheses", 1),
    ("debt_total > 5000 euro", "unexpected 'euro' after '5000'", 18),
    ("debt_total > 5000euro", "unexpected 'euro' after '5000'", 17),
    ("x == ja nee", "unexpected 'nee' after 'ja'", 8),
    ("x > 1 y < 2", "unexpected 'y'", 6),
    ("x (y)", "unexpected '('", 2),
    ("x is 5", "use '==' to compare, not 'is'", 2),
    ("x in 'ab'", "'in' is not supported", 2),
    ("x not 5", "use '!='", 2),
    ("1 < x < 3", "compare one thing at a time", 6),
    ("x == y == z", "compare one thing at a time", 7),
    ("(a or b) == 5", "put the comparison inside the parentheses", 9),
    ("x, y", "join two conditions with 'and' or 'or'", 1),
    ("", "the condition is empty", 0),
    ("   ", "the condition is empty", 0),
    # limits against hostile input
    ("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), "nested too deeply", MAX_DEPTH),
    ("not " * (MAX_DEPTH + 1) + "x", "nested too deeply", 4 * MAX_DEPTH),
    ("x or " * MAX_TOKENS + "x", "more than 200 parts", 5 * (MAX_TOKENS // 2)),
    ("x == '" + "a" * 3000 + "'", "too long", 2000),
]


@pytest.mark.parametrize(("source", "message", "offset"), BAD)
def test_parse_errors(source: str, message: str, offset: int) -> None:
    with pytest.raises(ExprError) as caught:
        parse(source)
    assert message in caught.value.message
    assert caught.value.offset == offset
    assert str(caught.value) == caught.value.message


def test_deep_nesting_within_limits_parses() -> None:
    depth = MAX_DEPTH
    expr = parse("(" * depth + "x > 1" + ")" * depth)
    assert evaluate(expr, {"x": 2}) is True


EVAL_ERRORS = [
    ("debt_total > 5000", {}, "debt_total (not set)"),
    ("debt_total > 5000", {"debt_total": None}, "is not set on this path"),
    ("5000 < debt_total", {}, "'debt_total' is not set"),
    ("debt_total > 5000", {"debt_total": "veel"}, "input: number"),
    ("x < 'b'", {"x": 3}, "two numbers or two texts"),
    ("true > 1", {}, "cannot compare true > 1"),
    ("has_debt >= 1", {"has_debt": True}, "yes/no answer"),
    ("x", {"x": [1]}, "unknown type"),
]


@pytest.mark.parametrize(("source", "variables", "message"), EVAL_ERRORS)
def test_evaluate_errors(source: str, variables: dict, message: str) -> None:
    expr = parse(source)
    with pytest.raises(EvalError) as caught:
        evaluate(expr, variables)
    assert message in caught.value.message


def test_parse_rejects_non_text() -> None:
    with pytest.raises(TypeError):
        parse(True)  # type: ignore[arg-type]


_PIECES = st.sampled_from(
    ["x", "y", "5", "1.5", "'a'", '"b"', "true", "false", "and", "or", "not", "(", ")",
     "==", "!=", "<", "<=", ">", ">=", "=", "-", "!", "&&", "€", ",", ".", "é", " "]
)  # fmt: skip


@given(st.one_of(st.text(max_size=300), st.lists(_PIECES, max_size=60).map(" ".join)))
def test_parse_raises_only_expr_error(source: str) -> None:
    try:
        expr = parse(source)
    except ExprError as exc:
        assert 0 <= exc.offset <= len(source)
        assert exc.message
        return
    for variables in ({}, {"x": 1, "y": "a"}, {"x": True, "y": None}):
        try:
            assert isinstance(evaluate(expr, variables), bool)
        except EvalError as exc:
            assert exc.message
