"""The one entry point: ``narrate(sources, out, settings) -> Episode``.

The CLI, the feed build and the batch job all call :func:`narrate`; it runs the stages
in order — load, extract, script, synthesize, assemble, master — and returns what was
made.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from ._files import check_writable
from .assemble import Pauses, assemble
from .engines import create_engine, engine_class
from .engines.base import Device
from .extract import ExtractOptions, extract
from .ffmpeg import Loudness
from .load import load
from .master import MasterOptions, Tags, master
from .script import ScriptOptions, build_script
from .synthesize import Progress, synthesize
from .types import Article, Script, Timeline
from .voices import DEFAULT_VOICE, get_voice

__all__ = ["Episode", "Settings", "make_script", "narrate"]

log = logging.getLogger(__name__)

AI_DISCLOSURE = "This audio is created with AI assistance."


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a narration; the CLI only fills this in."""

    voice: str = DEFAULT_VOICE
    """Voice preset name, or the path of a preset file."""
    device: Device = "auto"
    """``auto`` uses a GPU when the engine's runtime can, else the CPU."""
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    """What beyond the story body is read (captions, pull quotes, lists)."""
    byline: bool = True
    """Say authors and date after the headline."""
    disclosure: str | None = None
    """A sentence read after the first intro, e.g. :data:`AI_DISCLOSURE`."""
    pauses: Pauses = field(default_factory=Pauses)
    """Silences between sentences, paragraphs and chapters."""
    master: MasterOptions = field(default_factory=MasterOptions)
    """Loudness and MP3 encoding targets."""
    comment: str = AI_DISCLOSURE
    """ID3 comment written into the MP3."""


@dataclass(frozen=True)
class Episode:
    """A finished narration."""

    path: Path
    """The MP3."""
    script: Script
    """What was read."""
    timeline: Timeline
    """Where every sentence and chapter lies in the MP3."""
    loudness: Loudness
    """Measured on the MP3."""
    duration: float
    """Seconds."""
    size: int
    """Bytes."""
    engine: str
    """Engine, voice and device used."""
    seconds: float
    """Wall time the narration took."""


def _articles(sources: Sequence[str | Path], options: ExtractOptions) -> list[Article]:
    if not sources:
        raise ValueError("give at least one source")
    return [extract(load(source), options) for source in sources]


def make_script(sources: Sequence[str | Path], settings: Settings | None = None) -> Script:
    """Extract ``sources`` and build the script, without synthesising anything."""
    settings = settings or Settings()
    voice = get_voice(settings.voice)
    articles = _articles(sources, settings.extract)
    return build_script(articles, _script_options(settings, engine_class(voice.engine).max_chars))


def _script_options(settings: Settings, max_chars: int | None) -> ScriptOptions:
    return ScriptOptions(byline=settings.byline, disclosure=settings.disclosure, max_chars=max_chars)


def _tags(script: Script, settings: Settings, engine: str) -> Tags:
    first = script.articles[0]
    authors = [a for article in script.articles for a in article.authors]
    return Tags(
        title=script.title,
        artist=", ".join(dict.fromkeys(authors)) or first.site_name,
        album=first.site_name,
        date=first.published,
        comment=settings.comment,
        language=script.language,
        url=first.url if first.url and first.url.startswith(("http://", "https://")) else None,
        encoder=f"narrator {__version__}",
        extra={"narrator:engine": engine},
    )


def narrate(
    sources: Sequence[str | Path],
    out: str | Path,
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
) -> Episode:
    """Narrate ``sources`` (paths, URLs or ``-``), read in order, into the MP3 ``out``."""
    started = time.perf_counter()
    settings = settings or Settings()
    out = Path(out)
    check_writable(out)
    voice = get_voice(settings.voice)
    articles = _articles(sources, settings.extract)
    engine = create_engine(voice, settings.device)
    script = build_script(articles, _script_options(settings, engine.max_chars))
    log.info("script: %d chapters, %d sentences", len(script.chapters), len(script.sentences))
    clips = synthesize(script, engine, progress)
    audio, timeline = assemble(script, clips, settings.pauses)
    mastered = master(audio, out, _tags(script, settings, engine.describe()), timeline, settings.master)
    return Episode(
        path=out,
        script=script,
        timeline=timeline,
        loudness=mastered.loudness,
        duration=mastered.duration,
        size=mastered.size,
        engine=engine.describe(),
        seconds=time.perf_counter() - started,
    )
