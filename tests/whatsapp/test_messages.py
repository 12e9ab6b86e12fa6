"""Request bodies for the Cloud API: reply buttons while they fit, lists beyond, labels folded
without losing them, and every limit of the API kept."""

from __future__ import annotations

from bot.channels.whatsapp import messages
from bot.channels.whatsapp.messages import bodies, fold

TO = "31612345678"


def options(body: dict) -> list[dict]:
    interactive = body["interactive"]
    if interactive["type"] == "button":
        return [b["reply"] for b in interactive["action"]["buttons"]]
    return [row for s in interactive["action"]["sections"] for row in s["rows"]]


def test_three_short_options_are_reply_buttons():
    [body] = bodies(TO, "Wil je verder?", [("Ja", "yes"), ("Nee", "no"), ("Menu", "menu")])
    assert body["type"] == "interactive" and body["interactive"]["type"] == "button"
    assert body["interactive"]["body"] == {"text": "Wil je verder?"}
    assert options(body) == [
        {"id": "yes", "title": "Ja"},
        {"id": "no", "title": "Nee"},
        {"id": "menu", "title": "Menu"},
    ]


def test_a_long_label_makes_a_list_whose_row_shows_it_whole():
    label = "De deurwaarder staat voor de deur"  # 33 characters: over a button's 20
    [body] = bodies(TO, "Wat speelt er?", [("Ik heb achterstanden", "a"), (label, "b")])
    assert body["interactive"]["type"] == "list"
    action = body["interactive"]["action"]
    assert 0 < len(action["button"]) <= messages.MAX_BUTTON_TITLE
    first, second = options(body)
    assert first == {"id": "a", "title": "Ik heb achterstanden"}
    assert second["title"] == "De deurwaarder staat…"  # whole words, marked as folded
    assert second["description"] == label  # and the whole label under it


def test_more_than_ten_options_go_in_lists_of_ten_and_none_is_lost():
    buttons = [(f"Onderwerp nummer {n}", f"topic-{n}") for n in range(23)]
    found = bodies(TO, "Kies een onderwerp", buttons)
    assert [len(options(b)) for b in found] == [10, 10, 3]
    assert [o["id"] for b in found for o in options(b)] == [p for _, p in buttons]
    assert found[0]["interactive"]["body"]["text"] == "Kies een onderwerp"
    assert all(b["interactive"]["body"]["text"] for b in found)  # a body is required


def test_every_limit_of_the_api_is_kept():
    arabic = "أريد أن أتحدث مع شخص من فريق الحي عن الرسالة التي وصلتني من البلدية اليوم"
    buttons = [
        ("x" * 300, "p" * 300),  # one word, too long for anything
        (arabic, "ar"),
        ("Ja", "yes"),
        ("Ja", "yes-again"),  # two alike: not allowed as reply buttons
    ]
    found = bodies(TO, "Vraag " * 1000, buttons)
    for body in found:
        if body["type"] == "text":
            assert len(body["text"]["body"]) <= messages.MAX_TEXT
            continue
        assert len(body["interactive"]["body"]["text"]) <= messages.MAX_BODY
        for row in options(body):
            assert len(row["title"]) <= messages.MAX_ROW_TITLE
            assert len(row.get("description", "")) <= messages.MAX_ROW_DESCRIPTION
            assert len(row["id"]) <= 200
    shown = [b["text"]["body"] if b["type"] == "text" else "" for b in found]
    shown += [b["interactive"]["body"]["text"] for b in found if b["type"] == "interactive"]
    assert " ".join(shown).count("Vraag") == 1000  # the long text in parts, none lost


def test_fold_keeps_short_labels_and_cuts_at_a_word():
    assert fold("Ja, graag", 20) == "Ja, graag"
    assert fold("Ik wil een mens spreken over mijn schulden", 24) == "Ik wil een mens spreken…"
    assert len(fold("Onuitsprekelijkheidsverklaring", 20)) == 20
