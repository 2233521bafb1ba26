"""What is published beside an episode's MP3: transcripts, chapters and the episode manifest.

For ``story.mp3`` :func:`write_sidecars` writes, as asked:

============  ========================  ==================================================
format        file                      content
============  ========================  ==================================================
``vtt``       ``story.vtt``             WebVTT captions
``srt``       ``story.srt``             SubRip captions
``json``      ``story.transcript.json`` Podcasting 2.0 JSON transcript, one segment a sentence
``chapters``  ``story.chapters.json``   Podcasting 2.0 chapters (version 1.2.0)
(always)      ``story.episode.json``    the manifest: everything the feed build needs
============  ========================  ==================================================

Every time comes from the episode's sample-exact :class:`~narrator.types.Timeline`
(seconds = sample / sample rate), so the captions, the chapters JSON and the MP3's CHAP
frames agree to the millisecond.

**Captions.** Each sentence is one cue from its first to its last sample of speech, with
the sentence as written (not its spoken form). A sentence longer than one cue holds is
split into several cues at word boundaries, preferring a break after punctuation, with
the sentence's time shared out in proportion to characters. A cue holds at most two lines
of at most :data:`LINE_CHARS` (42) characters, the subtitle convention that keeps a cue
readable in the time it is shown (WebVTT recommends at most 65 a line). A single word
longer than a line stays whole.

**The manifest's GUID never changes.** When ``story.episode.json`` already holds a GUID, it
is kept, even if the audio was re-rendered; otherwise the GUID is ``urn:uuid:`` and the
UUIDv5 of the article's canonical URL (or, with no web address, of its source and title).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit, urlunsplit

from . import __version__
from ._exceptions import FeedError
from ._files import atomic_write_bytes
from .ffmpeg import Loudness
from .types import Script, Timeline

__all__ = [
    "DESCRIPTION_BYTES",
    "EPISODE_TYPES",
    "FORMATS",
    "LINE_CHARS",
    "MANIFEST_SUFFIX",
    "AudioInfo",
    "ChapterEntry",
    "Cue",
    "Manifest",
    "Narration",
    "SentenceEntry",
    "canonical_url",
    "cues",
    "episode_guid",
    "load_manifest",
    "manifest_path",
    "parse_published",
    "provenance",
    "sidecar_path",
    "text_digest",
    "write_sidecars",
    "xml_safe",
]

log = logging.getLogger(__name__)

FORMATS = ("vtt", "srt", "json", "chapters")
"""Sidecar formats :func:`write_sidecars` knows."""
SUFFIXES = {"vtt": ".vtt", "srt": ".srt", "json": ".transcript.json", "chapters": ".chapters.json"}
"""File name ending of each sidecar format, after the MP3's stem."""
MANIFEST_SUFFIX = ".episode.json"
"""File name ending of the episode manifest."""
MANIFEST_VERSION = 1
"""Version of the manifest's layout; bumped when a field changes meaning."""
LINE_CHARS = 42
"""Longest caption line, in characters; a cue holds at most two."""
DESCRIPTION_BYTES = 4000
"""Longest description a podcast directory accepts, in UTF-8 bytes."""

EPISODE_TYPES = ("full", "trailer", "bonus")
"""Values of ``itunes:episodeType``."""

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return _XML_INVALID.sub("", text)


"""Longest episode description podcast directories accept, in UTF-8 bytes."""


class Narration(Protocol):
    """What :func:`write_sidecars` reads from a finished narration (a pipeline ``Episode``)."""

    @property
    def path(self) -> Path: ...
    @property
    def script(self) -> Script: ...
    @property
    def timeline(self) -> Timeline: ...
    @property
    def loudness(self) -> Loudness: ...
    @property
    def duration(self) -> float: ...
    @property
    def engine(self) -> str: ...
    @property
    def engine_name(self) -> str: ...
    @property
    def voice(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def model_digest(self) -> str: ...


@dataclass(frozen=True)
class AudioInfo:
    """The MP3 as published."""

    file: str
    """File name of the MP3, relative to the manifest's folder."""
    bytes: int
    """Size in bytes when the manifest was written."""
    duration: float
    """Length in seconds."""
    bitrate: int
    """Bits per second."""
    sample_rate: int
    """Samples per second."""
    channels: int
    """1 for mono, 2 for stereo."""
    loudness: float
    """Integrated loudness measured on the MP3, in LUFS."""
    true_peak: float
    """Highest true peak measured on the MP3, in dBTP."""


@dataclass(frozen=True)
class ChapterEntry:
    """One chapter, in seconds."""

    index: int
    """The chapter's position, from 0."""
    title: str
    """As shown by podcast players."""
    start: float
    """Seconds from the start of the MP3."""
    end: float
    """Seconds; equals the next chapter's start, or the duration."""


@dataclass(frozen=True)
class SentenceEntry:
    """One sentence and where it is heard, in seconds."""

    index: int
    """The sentence's position in the script."""
    text: str
    """As written in the article."""
    spoken: str
    """As given to the engine."""
    start: float
    """First sound of the sentence, in seconds."""
    end: float
    """End of its last sound, in seconds."""
    chapter: int
    """Index of the chapter it belongs to."""


@dataclass(frozen=True)
class Manifest:
    """Everything about one published episode; the feed is built from these alone (and the MP3s)."""

    guid: str
    """The item's GUID: chosen at first publication and never changed."""
    title: str
    """Episode title."""
    description: str
    """Plain-text summary: the standfirst, else the first paragraph (at most 4000 bytes)."""
    published: str
    """Publication time, ISO 8601 with a UTC offset: the article's date, else the first publication."""
    audio: AudioInfo
    """The MP3."""
    url: str | None = None
    """Canonical web address of the (first) article."""
    authors: tuple[str, ...] = ()
    """Authors of every article, in order, without repeats."""
    site_name: str | None = None
    """The publication's name."""
    language: str | None = None
    """BCP 47 language tag."""
    image: str | None = None
    """URL of the article's lead image."""
    chapters: tuple[ChapterEntry, ...] = ()
    """Chapters in order."""
    sentences: tuple[SentenceEntry, ...] = ()
    """Every sentence with its timing."""
    sidecars: Mapping[str, str] = field(default_factory=dict)
    """Format (``vtt``, ``srt``, ``json``, ``chapters``) → file name beside the MP3."""
    engine: str = ""
    """Speech engine's name, e.g. ``piper``."""
    voice: str = ""
    """Voice preset."""
    device: str = ""
    """``cpu`` or ``cuda``."""
    model_digest: str = ""
    """Digest of the voice model's files."""
    text_digest: str = ""
    """SHA-256 (hex) of the spoken text, sentences joined by newlines."""
    narrator_version: str = ""
    """Version of narrator that made the episode."""
    created: str = ""
    """When this manifest was written, ISO 8601 UTC."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Free-form additions; the feed reads ``explicit`` (bool) and ``episode_type``."""

    def to_json(self) -> str:
        """The manifest as indented JSON text."""
        data = {"manifest_version": MANIFEST_VERSION, **asdict(self)}
        data["sidecars"] = dict(self.sidecars)
        data["extra"] = dict(self.extra)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "manifest") -> Manifest:
        """Read a manifest written by :meth:`to_json`; :class:`FeedError` names what is wrong."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FeedError(
                f"{where} is not valid JSON ({exc}); narrate the episode again to rewrite it."
            ) from exc
        if not isinstance(data, dict):
            raise FeedError(f"{where} holds no JSON object; narrate the episode again to rewrite it.")
        try:
            audio = AudioInfo(**data["audio"])
            return cls(
                guid=str(data["guid"]),
                title=str(data["title"]),
                description=str(data.get("description") or ""),
                published=str(data["published"]),
                audio=audio,
                url=data.get("url"),
                authors=tuple(data.get("authors") or ()),
                site_name=data.get("site_name"),
                language=data.get("language"),
                image=data.get("image"),
                chapters=tuple(ChapterEntry(**c) for c in data.get("chapters") or ()),
                sentences=tuple(SentenceEntry(**s) for s in data.get("sentences") or ()),
                sidecars=dict(data.get("sidecars") or {}),
                engine=str(data.get("engine") or ""),
                voice=str(data.get("voice") or ""),
                device=str(data.get("device") or ""),
                model_digest=str(data.get("model_digest") or ""),
                text_digest=str(data.get("text_digest") or ""),
                narrator_version=str(data.get("narrator_version") or ""),
                created=str(data.get("created") or ""),
                extra=dict(data.get("extra") or {}),
            )
        except KeyError as exc:
            raise FeedError(
                f"{where} has no {exc.args[0]!r}; narrate the episode again to rewrite it."
            ) from exc
        except TypeError as exc:
            raise FeedError(
                f"{where} is malformed ({exc}); narrate the episode again to rewrite it."
            ) from exc

    @property
    def published_at(self) -> datetime:
        """:attr:`published` as an aware datetime."""
        parsed = parse_published(self.published)
        if parsed is None:
            raise FeedError(f"published date {self.published!r} is not ISO 8601; fix it in the manifest.")
        return parsed


def manifest_path(mp3: Path) -> Path:
    """Where the manifest of ``mp3`` lives: ``story.mp3`` → ``story.episode.json``."""
    mp3 = Path(mp3)
    return mp3.with_name(mp3.stem + MANIFEST_SUFFIX)


def sidecar_path(mp3: Path, fmt: str) -> Path:
    """Where the ``fmt`` sidecar of ``mp3`` lives."""
    mp3 = Path(mp3)
    return mp3.with_name(mp3.stem + SUFFIXES[fmt])


def load_manifest(path: Path) -> Manifest:
    """Read the manifest at ``path`` (a ``.episode.json``, or the MP3 it describes)."""
    path = Path(path)
    if not path.name.endswith(MANIFEST_SUFFIX):
        path = manifest_path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise FeedError(
            f"cannot read manifest {path} ({exc.strerror}); narrate the episode with a manifest."
        ) from exc
    return Manifest.from_json(text, where=str(path))


def text_digest(script: Script) -> str:
    """SHA-256 (hex) of the script's spoken text, one sentence a line: what the voice was given."""
    spoken = "\n".join(sentence.spoken for sentence in script.sentences)
    return hashlib.sha256(spoken.encode("utf-8")).hexdigest()


_URL_SAFE = "/%:@!$&'()*+,;=-._~"


def canonical_url(url: str | None) -> str | None:
    """The http(s) URL normalised for identity, or None.

    Scheme and host lower-cased, the fragment dropped, and an IRI made an ASCII URI: the
    host in punycode, other characters percent-encoded as UTF-8.
    """
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    path = quote(parts.path or "/", safe=_URL_SAFE)
    query = quote(parts.query, safe=_URL_SAFE + "?")
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))


def episode_guid(script: Script) -> str:
    """A stable GUID for a new episode of ``script``: from its URL, else its source and title."""
    first = script.articles[0] if script.articles else None
    url = canonical_url(first.url if first else None)
    if url:
        name = url
    else:
        source = first.source if first else ""
        if source and source != "-" and Path(source).exists():
            source = str(Path(source).resolve())
        name = f"narrator:{source}\n{script.title}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def parse_published(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time as an aware datetime (UTC when no offset is given)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def provenance(script: Script, *, engine: str, voice: str) -> dict[str, str]:
    """ID3 ``TXXX`` description → value pairs saying how the audio was made.

    ``narrator:source_url`` (when the first article has a web address),
    ``narrator:text_digest``, ``narrator:engine``, ``narrator:voice``, ``narrator:version``.
    """
    tags = {
        "narrator:text_digest": text_digest(script),
        "narrator:engine": engine,
        "narrator:voice": voice,
        "narrator:version": __version__,
    }
    url = canonical_url(script.articles[0].url) if script.articles else None
    if url:
        tags = {"narrator:source_url": url, **tags}
    return tags


# Captions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    """One caption: up to two lines shown together."""

    sentence: int
    """Index of the sentence it is part of."""
    start: int
    """First sample it is shown for."""
    end: int
    """One past its last sample."""
    lines: tuple[str, ...]
    """The text, one or two lines of at most :data:`LINE_CHARS` characters (a longer word stays whole)."""


_BREAK_AFTER = re.compile(r"[,;:.!?)\]—–]$")


def _wrap(words: Sequence[str], width: int) -> list[list[str]]:
    """Greedy word wrap; a word longer than ``width`` gets a line of its own."""
    lines: list[list[str]] = []
    length = 0
    for word in words:
        if lines and length + 1 + len(word) <= width:
            lines[-1].append(word)
            length += 1 + len(word)
        else:
            lines.append([word])
            length = len(word)
    return lines


def _two_lines(words: Sequence[str]) -> tuple[str, ...]:
    """Lay one cue's words out as one line, or two balanced lines."""
    text = " ".join(words)
    if len(text) <= LINE_CHARS or len(words) == 1:
        return (text,)
    best: tuple[int, int] | None = None
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        if len(first) > LINE_CHARS or len(second) > LINE_CHARS:
            continue
        score = abs(len(first) - len(second)) - (6 if _BREAK_AFTER.search(words[cut - 1]) else 0)
        if best is None or score < best[0]:
            best = (score, cut)
    if best is None:  # a word longer than a line: wrap greedily
        return tuple(" ".join(line) for line in _wrap(words, LINE_CHARS))
    return (" ".join(words[: best[1]]), " ".join(words[best[1] :]))


def _fits(words: Sequence[str]) -> bool:
    """Whether the words make one cue: greedy wrapping needs at most two lines."""
    return len(_wrap(words, LINE_CHARS)) <= 2


def _groups(words: Sequence[str], count: int) -> list[list[str]] | None:
    """Split ``words`` into ``count`` cues of about equal length, breaking after punctuation where near.

    None when some cue would not fit in two lines.
    """
    ends = [0]
    for i, word in enumerate(words):
        ends.append(ends[-1] + len(word) + (1 if i else 0))
    groups: list[list[str]] = []
    start = 0
    for k in range(1, count):
        target = ends[-1] * k / count
        best: tuple[float, int] | None = None
        for cut in range(start + 1, len(words) - (count - k) + 1):
            if not _fits(words[start:cut]):
                break
            if len(_wrap(words[cut:], LINE_CHARS)) > 2 * (count - k):
                continue
            score = abs(ends[cut] - target) - (12 if _BREAK_AFTER.search(words[cut - 1]) else 0)
            if best is None or score < best[0]:
                best = (score, cut)
        if best is None:
            return None
        groups.append(list(words[start : best[1]]))
        start = best[1]
    groups.append(list(words[start:]))
    if not all(groups) or not all(_fits(g) for g in groups):
        return None
    return groups


def split_caption(text: str) -> list[tuple[str, ...]]:
    """``text`` as cues of one or two lines of at most :data:`LINE_CHARS` characters each."""
    words = text.replace("-->", "→").split()
    if not words:
        return []
    if _fits(words):
        return [_two_lines(words)]
    count = max(2, math.ceil(len(_wrap(words, LINE_CHARS)) / 2))
    while count <= len(words):
        groups = _groups(words, count)
        if groups is not None:
            return [_two_lines(g) for g in groups]
        count += 1
    return [_two_lines([w]) for w in words]  # pragma: no cover - every single word fits


def cues(script: Script, timeline: Timeline) -> list[Cue]:
    """The captions of a narration: each sentence's cues, timed within its speech."""
    times = {t.index: t for t in timeline.sentences}
    out: list[Cue] = []
    for sentence in script.sentences:
        time = times.get(sentence.index)
        if time is None:
            continue
        parts = split_caption(sentence.text)
        weights = [len(" ".join(lines)) for lines in parts]
        total = sum(weights) or 1
        span = time.end - time.start
        done = 0
        start = time.start
        for i, lines in enumerate(parts):
            done += weights[i]
            end = time.end if i == len(parts) - 1 else time.start + round(span * done / total)
            out.append(Cue(sentence.index, start, max(end, start + 1), lines))
            start = end
    return out


def _timestamp(seconds: float, separator: str) -> str:
    ms = round(seconds * 1000)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _ms_span(cue: Cue, rate: int) -> tuple[float, float]:
    start = round(cue.start * 1000 / rate) / 1000
    end = round(cue.end * 1000 / rate) / 1000
    return start, max(end, start + 0.001)


def _vtt_escape(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(script: Script, timeline: Timeline) -> str:
    """The WebVTT captions of a narration."""
    blocks = ["WEBVTT\n"]
    for cue in cues(script, timeline):
        start, end = _ms_span(cue, timeline.sample_rate)
        text = "\n".join(_vtt_escape(line) for line in cue.lines)
        blocks.append(f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}\n{text}\n")
    return "\n".join(blocks)


def srt(script: Script, timeline: Timeline) -> str:
    """The SubRip captions of a narration."""
    blocks = []
    for number, cue in enumerate(cues(script, timeline), start=1):
        start, end = _ms_span(cue, timeline.sample_rate)
        text = "\n".join(cue.lines)
        blocks.append(f"{number}\n{_timestamp(start, ',')} --> {_timestamp(end, ',')}\n{text}\n")
    return "\n".join(blocks)


def _seconds(sample: int, rate: int) -> float:
    return round(sample / rate, 3)


def transcript_json(script: Script, timeline: Timeline, speaker: str) -> dict[str, Any]:
    """The Podcasting 2.0 JSON transcript: one segment a sentence, as written."""
    texts = {s.index: s.text for s in script.sentences}
    return {
        "version": "1.0.0",
        "segments": [
            {
                "speaker": speaker,
                "startTime": _seconds(t.start, timeline.sample_rate),
                "endTime": _seconds(t.end, timeline.sample_rate),
                "body": texts[t.index],
            }
            for t in timeline.sentences
            if t.index in texts
        ],
    }


def chapters_json(timeline: Timeline) -> dict[str, Any]:
    """The Podcasting 2.0 chapters file (version 1.2.0)."""
    return {
        "version": "1.2.0",
        "chapters": [
            {
                "startTime": _seconds(c.start, timeline.sample_rate),
                "endTime": _seconds(c.end, timeline.sample_rate),
                "title": c.title,
            }
            for c in timeline.chapters
        ],
    }


# Manifest -------------------------------------------------------------------------------


def _description(script: Script) -> str:
    first = script.articles[0] if script.articles else None
    text = ""
    if first is not None:
        text = first.standfirst or next((b.text for b in first.blocks if b.kind == "paragraph"), "")
    text = " ".join((text or script.title).split())
    data = text.encode("utf-8")
    if len(data) <= DESCRIPTION_BYTES:
        return text
    cut = data[: DESCRIPTION_BYTES - 4].decode("utf-8", "ignore")
    return cut.rsplit(" ", 1)[0] + "…"


def _audio_info(path: Path, duration: float, loudness: Loudness) -> AudioInfo:
    from mutagen.mp3 import MP3

    info = MP3(str(path)).info
    if info is None:
        raise FeedError(f"{path} is not an MP3 mutagen can read; narrate it again.")
    return AudioInfo(
        file=path.name,
        bytes=path.stat().st_size,
        duration=round(duration, 3),
        bitrate=int(info.bitrate),
        sample_rate=int(info.sample_rate),
        channels=int(info.channels),
        loudness=round(loudness.integrated, 2),
        true_peak=round(loudness.true_peak, 2),
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _published(script: Script, previous: Manifest | None, mp3: Path) -> str:
    for article in script.articles[:1]:
        parsed = parse_published(article.published)
        if parsed is not None:
            return parsed.isoformat()
        if article.published:
            log.warning("publication date %r is not ISO 8601; using the first publication", article.published)
    if previous is not None and parse_published(previous.published) is not None:
        return previous.published
    return datetime.fromtimestamp(mp3.stat().st_mtime, UTC).replace(microsecond=0).isoformat()


def _previous(path: Path) -> Manifest | None:
    if not path.exists():
        return None
    try:
        return load_manifest(path)
    except FeedError as exc:
        log.warning("%s; writing a new manifest", exc)
        return None


def write_sidecars(
    episode: Narration,
    formats: Iterable[str] = FORMATS,
    *,
    guid: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Manifest:
    """Write the asked-for sidecars and the manifest beside ``episode.path``; return the manifest.

    ``guid`` is used only for an episode published for the first time: a GUID already in
    the manifest is never changed. ``extra`` is stored in the manifest as is (the feed reads
    ``explicit`` and ``episode_type`` from it). Every file is written atomically.
    """
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in SUFFIXES]
    if unknown:
        raise FeedError(f"unknown transcript format {unknown[0]!r}; choose from {', '.join(FORMATS)}.")
    mp3 = Path(episode.path)
    if not mp3.is_file():
        raise FeedError(f"{mp3} does not exist; narrate the episode before writing its sidecars.")
    script, timeline = episode.script, episode.timeline
    rate = timeline.sample_rate

    writers = {
        "vtt": lambda: webvtt(script, timeline),
        "srt": lambda: srt(script, timeline),
        "json": lambda: _dumps(transcript_json(script, timeline, episode.voice)),
        "chapters": lambda: _dumps(chapters_json(timeline)),
    }
    sidecars: dict[str, str] = {}
    for fmt in wanted:
        path = sidecar_path(mp3, fmt)
        atomic_write_bytes(path, writers[fmt]().encode("utf-8"))
        sidecars[fmt] = path.name
        log.info("wrote %s", path)

    where = manifest_path(mp3)
    previous = _previous(where)
    if previous is not None and previous.guid:
        if guid and guid != previous.guid:
            log.warning("keeping the published GUID %s (not %s): a GUID never changes", previous.guid, guid)
        guid = previous.guid
    guid = guid or episode_guid(script)

    chapter_of = {s.index: s for s in script.sentences}
    first = script.articles[0] if script.articles else None
    authors = tuple(dict.fromkeys(a for article in script.articles for a in article.authors))
    manifest = Manifest(
        guid=guid,
        title=script.title,
        description=_description(script),
        published=_published(script, previous, mp3),
        audio=_audio_info(mp3, episode.duration, episode.loudness),
        url=canonical_url(first.url if first else None),
        authors=authors,
        site_name=first.site_name if first else None,
        language=script.language or (first.language if first else None),
        image=first.image if first else None,
        chapters=tuple(
            ChapterEntry(c.index, c.title, _seconds(c.start, rate), _seconds(c.end, rate))
            for c in timeline.chapters
        ),
        sentences=tuple(
            SentenceEntry(
                index=t.index,
                text=chapter_of[t.index].text,
                spoken=chapter_of[t.index].spoken,
                start=_seconds(t.start, rate),
                end=_seconds(t.end, rate),
                chapter=chapter_of[t.index].chapter,
            )
            for t in timeline.sentences
            if t.index in chapter_of
        ),
        sidecars=sidecars,
        engine=episode.engine_name,
        voice=episode.voice,
        device=episode.device,
        model_digest=episode.model_digest,
        text_digest=text_digest(script),
        narrator_version=__version__,
        created=_now().isoformat(),
        extra=dict(extra or {}),
    )
    atomic_write_bytes(where, manifest.to_json().encode("utf-8"))
    log.info("wrote %s (guid %s)", where, guid)
    return manifest


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
