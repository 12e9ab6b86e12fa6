"""Reading a condition into tokens, with a plain-words hint for every character an author
may bring from spreadsheets, programming or maths."""

from __future__ import annotations

import re

from bot.engine.expr.tree import COMPARISONS, MAX_TOKENS, ExprError, Token

_KEYWORDS = ("and", "or", "not", "true", "false")
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


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
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
    tokens.append(Token("end", "", len(source.rstrip())))
    return tokens


def _next_token(source: str, i: int) -> Token:
    ch = source[i]
    for hint in ("===", "!==", "==", "!=", "<=", ">=", "=<", "=>", "<>", "&&", "||"):
        if source.startswith(hint, i):
            if hint in COMPARISONS:
                return Token("op", hint, i)
            raise ExprError(_HINTS[hint], i)
    if ch in "<>":
        return Token("op", ch, i)
    if ch in "()-":
        return Token(ch, ch, i)
    if ch in _QUOTES:
        end = _closing_quote(source, i)
        return Token("string", source[i : end + 1], i, source[i + 1 : end])
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


def _word(source: str, word: str, i: int) -> Token:
    end = i + len(word)
    if end < len(source) and source[end].isalpha():
        raise ExprError(
            f"'{source[end]}' cannot be used in a name: names use only the letters a-z, "
            "digits and '_' (and a text to compare with goes in quotes)",
            end,
        )
    if word in _KEYWORDS:
        value = {"true": True, "false": False}.get(word)
        return Token(word, word, i, value)
    if word.lower() in _KEYWORDS:
        raise ExprError(f"write '{word.lower()}' in small letters, not '{word}'", i)
    return Token("name", word, i)


def _number(source: str, text: str, i: int) -> Token:
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
    return Token("number", text, i, value)


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


def show(token: Token) -> str:
    return f"'{token.text}'"
