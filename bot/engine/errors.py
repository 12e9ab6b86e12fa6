"""Typed exceptions for misuse of the engine by calling code.

Broken flow files are not exceptions: `load()` returns them as `Problem`s. Author mistakes met
at run time are `events.Error` events.
"""


class EngineError(Exception):
    """Base class for misuse of the engine API."""


class FlowSetInvalid(EngineError):
    """`load()` found errors; `problems` lists every one of them."""

    def __init__(self, problems: list) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems if p.severity == "error"))


class UnknownFlow(EngineError):
    """`start()` was asked for a flow that the FlowSet does not have."""
