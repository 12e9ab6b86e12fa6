"""A flow as a Mermaid flowchart, for authors to see their flow as a picture."""

from __future__ import annotations

from bot.engine.model import Flow

_MAX_LABEL = 40


def mermaid(flow: Flow) -> str:
    lines = [
        "flowchart TD",
        f'    start(["{_label(flow.title or flow.id)}"]) --> {_id(flow.start)}',
    ]
    for node in flow.nodes.values():
        nid = _id(node.id)
        text = node.ask or node.say or ("switch" if node.switch else node.id)
        shape = ("{{", "}}") if node.switch else ("[/", "/]") if node.ask else ("[", "]")
        lines.append(f'    {nid}{shape[0]}"{node.id}: {_label(text)}"{shape[1]}')
        for option in node.options:
            lines.append(f'    {nid} -- "{_label(option.label)}" --> {_id(option.next)}')
        for case in node.switch:
            condition = case.source if case.expr is not None else "anders"
            lines.append(f'    {nid} -- "{_label(condition or "")}" --> {_id(case.next)}')
        if node.escalate:
            esc = f"esc_{node.id}"
            lines.append(
                f'    {nid} --> {esc}[["mens: {node.escalate.priority}, {node.escalate.reason}"]]'
            )
            lines.append(f"    class {esc} escalate")
        if node.next and not node.options:
            lines.append(f"    {nid} --> {_id(node.next)}")
        if node.goto:
            lines.append(f'    {nid} -.-> flow_{_id(node.goto)}(["flow {node.goto}"])')
        if node.end or (node.escalate and not node.next):
            lines.append(f"    {nid} --> done((einde))")
    lines.append("    classDef escalate fill:#fde2e1,stroke:#c0392b")
    return "\n".join(lines)


def _id(name: str) -> str:
    return "n_" + name


def _label(text: str) -> str:
    text = " ".join(text.split()).replace('"', "'")
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"
