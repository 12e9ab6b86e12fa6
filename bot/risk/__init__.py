"""Risk detection: does a message show suicide risk, violence at home, no bed tonight, eviction,
an energy or water cut-off, or a seizure? Pure: no I/O beyond reading the phrase lists.

    model = load(flows_dir / "risk")      # once, at start-up; raises RiskListsInvalid
    assessment = assess(model, text)      # per message, any language or mix of languages

See docs/risk.md for how matching works and how well it does.
"""

from bot.risk.assessment import CATEGORIES, LANGUAGES, LEVELS, Assessment, Match
from bot.risk.matcher import RiskModel, assess
from bot.risk.phrases import RiskListsInvalid, check, load

__all__ = [
    "CATEGORIES",
    "LANGUAGES",
    "LEVELS",
    "Assessment",
    "Match",
    "RiskListsInvalid",
    "RiskModel",
    "assess",
    "check",
    "load",
]
