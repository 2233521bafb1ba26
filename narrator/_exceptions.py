"""The exceptions narrator raises.

Every error carries a message that says what went wrong *and* what to do about it;
the CLI prints it as one line and exits 1.

    NarratorError
    ├── SourceError      a path, URL or stdin could not be read
    ├── ArticleError     the input was read but holds no article to narrate
    ├── VoiceError       a voice preset or lexicon is missing or malformed
    ├── EngineError      a speech engine could not be loaded or failed to speak
    ├── AudioError       ffmpeg is missing or failed, or the audio is unusable
    └── FeedError        a podcast feed or its configuration is invalid
"""

from __future__ import annotations

__all__ = [
    "ArticleError",
    "AudioError",
    "EngineError",
    "FeedError",
    "NarratorError",
    "SourceError",
    "VoiceError",
]


class NarratorError(Exception):
    """Base class of every error narrator raises on purpose."""


class SourceError(NarratorError):
    """A path, URL or stdin could not be read."""


class ArticleError(NarratorError):
    """The input was read but holds no article text to narrate."""


class VoiceError(NarratorError):
    """A voice preset or pronunciation lexicon is missing or malformed."""


class EngineError(NarratorError):
    """A speech engine could not be loaded, or failed to synthesise."""


class AudioError(NarratorError):
    """ffmpeg is missing or failed, or the audio cannot be mastered."""


class FeedError(NarratorError):
    """A podcast feed or its configuration is invalid."""
