"""Risk detection: does a message show suicide risk, violence at home, no bed tonight, eviction,
an energy or water cut-off, a seizure, or children with no food today? Pure: no I/O beyond
reading the phrase lists and the model file.

    detector = load_detector(flows_dir / "risk")  # once, at start-up; raises RiskListsInvalid
    assessment = assess(detector, text)           # per message, any language or mix of languages

`load()` gives the phrase lists alone (a `RiskModel`); `assess()` takes either.

See docs/risk.md for how matching works and how well it does.
"""

from bot.risk.assessment import CATEGORIES, LANGUAGES, LEVELS, Assessment, Match
from bot.risk.detector import Detector, assess, load_detector, with_model
from bot.risk.matcher import RiskModel
from bot.risk.phrases import RiskListsInvalid, check, load

__all__ = [
    "CATEGORIES",
    "LANGUAGES",
    "LEVELS",
    "Assessment",
    "Detector",
    "Match",
    "RiskListsInvalid",
    "RiskModel",
    "assess",
    "check",
    "load",
    "load_detector",
    "with_model",
]
