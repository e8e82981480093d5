"""The measure instruments (PHQ-9, GAD-7, PCL-5, the C-SSRS screen): items, options, scoring and bands.

Code-level definitions, one shape for every questionnaire (`definitions.Instrument`); `scoring.score`
turns answers into a `Score`. Facts and sources: `shared/domain.md` §1. Stored answers live in
`intake.MeasureResponse`, which names the instrument by `key` and `version`.
"""

from .definitions import CSSRS, GAD7, INSTRUMENTS, PCL5, PHQ9, Instrument, Item, instrument
from .scoring import Score, score

__all__ = ["CSSRS", "GAD7", "INSTRUMENTS", "PCL5", "PHQ9", "Instrument", "Item", "Score", "instrument", "score"]
