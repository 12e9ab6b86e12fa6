"""The flow engine: load and check flows, and run them. Pure: no I/O beyond reading the flow
files in `load`, and no telegram, aiohttp, sqlmodel, babel or asyncio."""

from bot.engine.errors import EngineError, FlowSetInvalid, UnknownFlow
from bot.engine.events import (
    Button,
    Error,
    Escalate,
    Event,
    FlowEnded,
    FollowUpDue,
    Saved,
    Say,
    WaitForInput,
)
from bot.engine.inputs import Env, Input, Press, Text
from bot.engine.loader import check, load
from bot.engine.model import Flow, FlowSet, Node
from bot.engine.runtime import repeat, resume, start
from bot.engine.state import MENU, State

__all__ = [
    "MENU",
    "Button",
    "EngineError",
    "Env",
    "Error",
    "Escalate",
    "Event",
    "Flow",
    "FlowEnded",
    "FlowSet",
    "FlowSetInvalid",
    "FollowUpDue",
    "Input",
    "Node",
    "Press",
    "Saved",
    "Say",
    "State",
    "Text",
    "UnknownFlow",
    "WaitForInput",
    "check",
    "load",
    "repeat",
    "resume",
    "start",
]
