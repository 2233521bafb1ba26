"""narrator: turn written articles into podcast-ready narrated audio.

    >>> from narrator import narrate
    >>> episode = narrate(["article.html"], "article.mp3")

Importing narrator loads no speech runtime; engines load when a narration starts.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._exceptions import (
    ArticleError,
    AudioError,
    EngineError,
    FeedError,
    NarratorError,
    SourceError,
    VoiceError,
)
from .pipeline import Episode, Settings, make_script, narrate

__all__ = [
    "ArticleError",
    "AudioError",
    "EngineError",
    "Episode",
    "FeedError",
    "NarratorError",
    "Settings",
    "SourceError",
    "VoiceError",
    "__version__",
    "make_script",
    "narrate",
]
