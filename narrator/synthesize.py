"""Speak every sentence of a script: one :class:`~narrator.types.PCM` clip per sentence."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ._exceptions import EngineError
from .engines import Engine
from .types import PCM, Script

__all__ = ["Progress", "synthesize"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each sentence."""


def synthesize(script: Script, engine: Engine, progress: Progress | None = None) -> list[PCM]:
    """Synthesise every sentence of ``script`` in order."""
    sentences = script.sentences
    clips: list[PCM] = []
    for sentence in sentences:
        try:
            clip = engine.synthesize(sentence.spoken)
        except Exception as exc:
            if isinstance(exc, EngineError):
                raise
            raise EngineError(
                f"{engine.name} failed on sentence {sentence.index + 1} ({sentence.spoken[:60]!r}): {exc}"
            ) from exc
        clips.append(clip)
        if progress:
            progress(len(clips), len(sentences))
    return clips
