"""The one entry point: ``narrate(sources, out, settings) -> Episode``.

The CLI, the feed build and the batch job all call :func:`narrate`; it runs the stages
in order — load, extract, script, synthesize, assemble, master — and returns what was
made.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from . import __version__, publish
from ._files import atomic_path, check_writable
from .assemble import Pauses, assemble
from .cache import ClipCache
from .engines import Engine, create_engine, engine_class
from .engines.base import Device
from .extract import ExtractOptions, extract
from .ffmpeg import Loudness
from .lexicon import Lexicon
from .load import Source, load
from .master import MasterOptions, Tags, master
from .script import ScriptOptions, build_script
from .speech import LinkMode
from .synthesize import Progress, Synthesis, default_workers, synthesize
from .types import Article, ChapterTime, Script, SentenceTime, Timeline
from .voices import DEFAULT_VOICE, Voice, get_voice, user_voices_dir

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
    """A spoken sentence, e.g. :data:`AI_DISCLOSURE`; ``None`` reads none."""
    disclosure_at: Literal["intro", "end"] = "intro"
    """Where the disclosure is read: after the first intro, or at the very end."""
    pauses: Pauses = field(default_factory=Pauses)
    """Silences between sentences, paragraphs and chapters."""
    master: MasterOptions = field(default_factory=MasterOptions)
    """Loudness and MP3 encoding targets."""
    lexicon: Path | None = None
    """A pronunciation lexicon (TOML) applied over the shipped one and the user's own."""
    links: LinkMode = "short"
    """URLs and e-mail addresses in the text: read as a short form, or skipped."""
    comment: str = AI_DISCLOSURE
    """ID3 comment written into the MP3."""
    workers: int | None = None
    """Sentences synthesised at once; ``None`` picks one per core (two on a GPU)."""
    cache: bool = True
    """Reuse and keep synthesised clips in the clip cache."""
    cache_dir: Path | None = None
    """Clip cache folder; ``None`` is ``$NARRATOR_CACHE`` or the platform cache folder."""
    sidecars: tuple[str, ...] | None = None
    """Transcript and chapter files to write beside the MP3 (``vtt``, ``srt``, ``json``,
    ``chapters``) with the episode manifest; ``()`` writes the manifest alone, ``None`` nothing."""
    manifest_extra: dict[str, Any] = field(default_factory=dict)
    """Stored in the manifest for the feed, e.g. ``explicit`` and ``episode_type``."""
    cover: bytes | None = None
    """Cover art (JPEG or PNG) embedded in the MP3."""


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
    """Seconds, from the timeline."""
    size: int
    """Bytes."""
    engine: str
    """Engine, voice and device used, in words."""
    engine_name: str
    """Registered name of the engine, e.g. ``piper``."""
    voice: str
    """Voice preset name."""
    device: str
    """``cpu`` or ``cuda``: where the speech was synthesised."""
    model_digest: str
    """Digest of the voice model's files."""
    synthesized: int
    """Sentences synthesised in this run."""
    cached: int
    """Sentences taken from the clip cache."""
    seconds: float
    """Wall time the narration took."""
    manifest: Path | None = None
    """The episode manifest written beside the MP3, when sidecars were asked for."""


def _articles(sources: Sequence[str | Path | Source], options: ExtractOptions) -> list[Article]:
    if not sources:
        raise ValueError("give at least one source")
    return [extract(s if isinstance(s, Source) else load(s), options) for s in sources]


def make_script(sources: Sequence[str | Path | Source], settings: Settings | None = None) -> Script:
    """Extract ``sources`` and build the script, without synthesising anything."""
    settings = settings or Settings()
    voice = get_voice(settings.voice)
    articles = _articles(sources, settings.extract)
    return build_script(articles, _script_options(settings, engine_class(voice.engine).max_chars))


def _script_options(settings: Settings, max_chars: int | None) -> ScriptOptions:
    return ScriptOptions(
        byline=settings.byline,
        disclosure=settings.disclosure,
        disclosure_at=settings.disclosure_at,
        max_chars=max_chars,
        lexicon=load_lexicon(settings.lexicon),
        links=settings.links,
    )


def load_lexicon(path: Path | None = None) -> Lexicon:
    """The shipped lexicon, then the user's ``lexicon.toml`` in the voices folder, then ``path``."""
    lexicon = Lexicon.default()
    user = user_voices_dir() / "lexicon.toml"
    if user.is_file():
        lexicon = lexicon.merge(Lexicon.load(user))
    if path is not None:
        lexicon = lexicon.merge(Lexicon.load(path))
    return lexicon


def _tags(script: Script, settings: Settings, engine: Engine) -> Tags:
    first = script.articles[0]
    authors = [a for article in script.articles for a in article.authors]
    return Tags(
        title=script.title,
        artist=", ".join(dict.fromkeys(authors)) or first.site_name,
        album=first.site_name,
        date=first.published,
        comment=settings.comment,
        language=script.language,
        url=publish.canonical_url(first.url),
        encoder=f"narrator {__version__}",
        extra={
            **publish.provenance(script, engine=engine.name, voice=engine.voice.name),
            "narrator:device": engine.device,
        },
        cover=settings.cover,
    )


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(voice: Voice, device: Device, threads: int | None, cache: Path | None) -> Engine:
    """An engine for ``voice``, reused across narrations in this process (a batch loads
    each voice once). Engines load their model lazily and are safe to share between threads.
    With a ``cache`` folder, the engine keeps its prepared model there."""
    key = json.dumps(
        [voice.name, str(voice.path), voice.audio_settings(), device, threads, str(cache)], sort_keys=True
    )
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            if len(_ENGINES) >= 4:
                _ENGINES.pop(next(iter(_ENGINES)))
            engine = _ENGINES[key] = create_engine(voice, device, threads=threads)
            engine.prepared_dir = cache / "models" if cache is not None else None
        return engine


def _render_key(script: Script, engine_key: str, settings: Settings, tags: Tags) -> str:
    """Digest of everything that goes into the finished MP3."""
    payload = {
        "narrator": __version__,
        "engine": engine_key,
        "chapters": [[c.title, [[s.spoken, s.paragraph] for s in c.sentences]] for c in script.chapters],
        "pauses": asdict(settings.pauses),
        "master": asdict(settings.master),
        "tags": {
            k: v if not isinstance(v, bytes) else hashlib.sha256(v).hexdigest()
            for k, v in asdict(tags).items()
        },
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _timeline_from(data: Any) -> Timeline:
    return Timeline(
        sample_rate=data["sample_rate"],
        length=data["length"],
        sentences=tuple(SentenceTime(**s) for s in data["sentences"]),
        chapters=tuple(ChapterTime(**c) for c in data["chapters"]),
    )


@contextlib.contextmanager
def _preparing(engine: Engine) -> Iterator[None]:
    """Prepare ``engine``'s model in the background meanwhile, when it needs preparing (a
    voice new to this machine): the prepared model is kept, so the work pays off even when
    this narration turns out to need no model."""
    if not engine.needs_preparing():
        yield
        return
    thread = threading.Thread(target=_load_quietly, args=(engine,), name="narrator-prepare", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _load_quietly(engine: Engine) -> None:
    try:
        engine.load()
    except Exception as exc:  # synthesis loads it again, and reports what goes wrong
        log.debug("preparing %s failed: %s", engine.describe(), exc)


def narrate(
    sources: Sequence[str | Path | Source],
    out: str | Path,
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
) -> Episode:
    """Narrate ``sources`` (paths, URLs, ``-``, or already loaded sources), read in order, into ``out``."""
    started = time.perf_counter()
    settings = settings or Settings()
    out = Path(out)
    check_writable(out)
    voice = get_voice(settings.voice)
    workers = settings.workers or default_workers("cuda" if settings.device == "cuda" else "cpu")
    if not engine_class(voice.engine).concurrent:
        workers = 1
    cache = ClipCache(settings.cache_dir) if settings.cache else None
    engine = _engine(
        voice, settings.device, 1 if workers > 1 else None, cache.root if cache is not None else None
    )
    if settings.workers is None and engine.device == "cuda" and engine.concurrent:
        workers = default_workers("cuda")
    with _preparing(engine):
        articles = _articles(sources, settings.extract)
        script = build_script(articles, _script_options(settings, engine.max_chars))
        log.info("script: %d chapters, %d sentences", len(script.chapters), len(script.sentences))
        tags = _tags(script, settings, engine)
        key = _render_key(script, engine.cache_key(), settings, tags)
        reused = cache.get_render(key) if cache is not None else None
        if reused is not None:
            # The same script, voice and settings were rendered before: copy the result.
            mp3, record = reused
            with atomic_path(out) as partial:
                shutil.copyfile(mp3, partial)
            log.info("reused the finished render %s", key[:12])
            timeline = _timeline_from(record["timeline"])
            loudness = Loudness(**record["loudness"])  # type: ignore[arg-type]
            synthesis = Synthesis(clips=(), synthesized=0, cached=len(script.sentences))
            size = int(record["size"])  # type: ignore[call-overload]
            if progress:
                progress(len(script.sentences), len(script.sentences))
        else:
            synthesis = synthesize(script, engine, cache=cache, workers=workers, progress=progress)
            audio, timeline = assemble(script, synthesis.clips, settings.pauses)
            synthesis = replace(synthesis, clips=())  # the clips are in ``audio`` now
            mastered = master(audio, out, tags, timeline, settings.master)
            loudness, size = mastered.loudness, mastered.size
            if cache is not None:
                record = {"timeline": asdict(timeline), "loudness": asdict(loudness), "size": size}
                cache.put_render(key, out, record)
    episode = Episode(
        path=out,
        script=script,
        timeline=timeline,
        loudness=loudness,
        duration=timeline.duration,
        size=size,
        engine=engine.describe(),
        engine_name=engine.name,
        voice=voice.name,
        device=engine.device,
        model_digest=engine.model_digest(),
        synthesized=synthesis.synthesized,
        cached=synthesis.cached,
        seconds=time.perf_counter() - started,
    )
    if settings.sidecars is not None:
        manifest = publish.write_sidecars(episode, settings.sidecars, extra=settings.manifest_extra)
        log.info("manifest %s (guid %s)", publish.manifest_path(out), manifest.guid)
        episode = replace(episode, manifest=publish.manifest_path(out))
    return episode
