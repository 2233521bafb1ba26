"""Narrate many articles unattended: plan, skip what is done, isolate failures, report.

:func:`run` is what ``narrate batch`` calls; a Python user calls it the same way::

    report = run(["articles/", "more.toml"], Path("public"), BatchOptions(jobs=2))
    sys.exit(0 if report.ok else 1)

**Planning comes first.** Every input is expanded and checked before any audio is made
(:func:`make_plan`): a folder gives its files matching the include globs (``*.html``,
``*.htm``, ``*.md``, ``*.markdown``, ``*.txt`` unless told otherwise) and none matching an
exclude glob; a ``.toml`` or ``.json`` file is a *batch manifest* listing items with a
``source`` (path relative to the manifest, or an http(s) URL), an optional stable ``id``
and per-item overrides (:data:`OVERRIDES`); anything else is one article, a file or a URL.
Any problem — a missing file, an unknown key, the same id twice — stops the batch with
:class:`PlanError` listing them all, before any work.

**Names.** Each item has a stable id: the one given, else the path relative to its input
folder (a file argument: its name; a manifest item: the source as written) or the URL.
Its outputs are ``OUT/<stem>.mp3`` and sidecars, where the stem is a slug of the id —
ASCII ``[a-z0-9-]``, at most :data:`STEM_CHARS` characters — with 8 hex digits of the id's
SHA-256 appended when the slug is empty, cut short or shared with another item. Titles
and URLs never reach a file name unslugged, and every output path is checked to lie in
``OUT``.

**Duplicates.** An item whose source (resolved path, or canonical URL) and overrides equal
an earlier item's is reported as ``duplicate`` and not narrated twice. Two different items
with one id are a :class:`PlanError`.

**Incremental.** ``OUT/.narrator-batch.json`` maps each id to the fingerprint of its last
successful render — SHA-256 of the source bytes, every setting that shapes the audio, the
voice preset, the pronunciation lexicons and narrator's version — and the sizes of its
output files. An item whose fingerprint matches and whose files are all there with those
sizes is ``skipped`` without loading anything but its source. A changed item is narrated
again, and :func:`~narrator.pipeline.narrate` takes unchanged sentences from the clip cache.
The state is rewritten atomically (under a lock, merged with what is on disk) after every
item, so a killed batch resumes where it stopped. ``force`` redoes everything.

**Failures are isolated.** Each item's exception is caught and recorded with its first
line; the other items go on (``fail_fast`` stops starting new ones, which are reported as
``cancelled``). A failed item keeps its previous good output: narrate writes atomically.

**Sharding.** ``shard=(k, n)`` keeps the items whose id hashes (SHA-256, first 8 bytes,
big-endian) to ``k - 1`` modulo ``n``; shards ``1/n`` … ``n/n`` cover every planned item
exactly once, and an item stays in its shard when others are added or removed.

**Executors.** Items run through an :class:`Executor`: :class:`LocalExecutor` (threads on
this machine, ``jobs`` at a time) or :class:`RayExecutor` (tasks on a Ray cluster). Both
call the same :func:`run_item`, so outputs and reports are the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import time
import tomllib
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol
from urllib.parse import urlsplit

from . import __version__
from ._exceptions import NarratorError
from ._files import atomic_path, atomic_write_bytes
from .load import is_http_url
from .pipeline import AI_DISCLOSURE, Settings
from .publish import EPISODE_TYPES, xml_safe

__all__ = [
    "DEFAULT_EXCLUDE",
    "DEFAULT_INCLUDE",
    "DEFAULT_SIDECARS",
    "JUNIT_NAME",
    "OVERRIDES",
    "REPORT_NAME",
    "STATE_NAME",
    "BatchOptions",
    "BatchReport",
    "Executor",
    "Item",
    "ItemResult",
    "LocalExecutor",
    "Plan",
    "PlanError",
    "RayExecutor",
    "Task",
    "make_plan",
    "parse_shard",
    "run",
    "run_item",
    "slugify",
]

log = logging.getLogger(__name__)

DEFAULT_INCLUDE = ("*.html", "*.htm", "*.md", "*.markdown", "*.txt")
"""Files of a folder input that are narrated, unless ``include`` globs are given."""
DEFAULT_EXCLUDE: tuple[str, ...] = ()
"""Files of a folder input left out, besides hidden files and folders."""
DEFAULT_SIDECARS = ("vtt", "chapters")
"""Sidecars written beside each MP3 (the episode manifest is always written)."""
STATE_NAME = ".narrator-batch.json"
"""The incremental state, in the output folder."""
REPORT_NAME = "narrator-report.json"
"""Default JSON report, in the output folder."""
JUNIT_NAME = "narrator-junit.xml"
"""Default JUnit XML report, in the output folder."""
STEM_CHARS = 80
"""Longest output file stem."""
STATE_VERSION = 1
"""Version of the state file's layout and of the fingerprint recipe."""
REPORT_VERSION = 1
"""Version of the JSON report's layout."""

OVERRIDES: Mapping[str, str] = {
    "voice": "voice preset name or preset file (relative to the manifest)",
    "title": "episode title in the MP3's tags and the manifest (the intro still reads the headline)",
    "byline": "true or false: read the authors and date",
    "disclose": "true, false, or the text of an AI-disclosure sentence",
    "captions": "true or false: read photo captions",
    "pull_quotes": "true or false: read pull quotes",
    "lists": "true or false: read list items",
    "corrections": "true or false: read a correction note",
    "explicit": "true or false: itunes:explicit of the episode",
    "episode_type": '"full", "trailer" or "bonus"',
}
"""Per-item keys a batch manifest may set besides ``source`` and ``id``."""

_BOOL_OVERRIDES = ("byline", "captions", "pull_quotes", "lists", "corrections", "explicit")
_MANIFEST_SUFFIXES = (".toml", ".json")
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


Status = Literal["done", "skipped", "failed", "duplicate", "cancelled"]
STATUSES: tuple[Status, ...] = ("done", "skipped", "failed", "duplicate", "cancelled")


class PlanError(NarratorError):
    """The batch's inputs are wrong; nothing was narrated. The message lists every problem."""


# Planning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One article to narrate, as planned."""

    id: str
    """Stable identifier: keys the state, names the report's test case."""
    source: str
    """Absolute path of the article, or its http(s) URL."""
    stem: str
    """Output file stem: ``OUT/<stem>.mp3``; a safe slug."""
    overrides: Mapping[str, Any] = field(default_factory=dict)
    """Per-item settings from a batch manifest (keys of :data:`OVERRIDES`)."""
    origin: str = ""
    """Where the item came from, for messages: an argument, a folder, a manifest entry."""
    duplicate_of: str | None = None
    """Id of the earlier item with the same source and overrides; this one is not narrated."""

    @property
    def is_url(self) -> bool:
        """Whether the source is an http(s) URL."""
        return is_http_url(self.source)


@dataclass(frozen=True)
class Plan:
    """Every item of a batch, sorted by id."""

    items: tuple[Item, ...]
    """The items, duplicates included."""

    def shard(self, index: int, count: int) -> Plan:
        """The items of shard ``index`` (1-based) of ``count``: see the module docstring."""
        if not 1 <= index <= count:
            raise ValueError(f"shard {index}/{count}: K must be between 1 and N")
        return Plan(tuple(item for item in self.items if shard_of(item.id, count) == index))


def shard_of(item_id: str, count: int) -> int:
    """The shard (1-based) of ``count`` that the item ``item_id`` belongs to."""
    digest = hashlib.sha256(item_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` as ``(K, N)``; :class:`ValueError` unless 1 ≤ K ≤ N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ValueError(f"{text!r} is not K/N, e.g. 2/3")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"{text!r}: K must be between 1 and N, and N at least 1")
    return index, count


_LATIN = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D"}
    | {"ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i"}
)
"""Latin letters that Unicode does not decompose into an ASCII letter and a mark."""


def slugify(text: str, max_chars: int = STEM_CHARS) -> str:
    """``text`` as lower-case ASCII letters, digits and single hyphens, at most ``max_chars`` long."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_LATIN)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_chars].rstrip("-")


def _id_hash(item_id: str) -> str:
    return hashlib.sha256(item_id.encode("utf-8")).hexdigest()[:8]


_SAFE_STEM = re.compile(rf"[a-z0-9][a-z0-9-]{{0,{STEM_CHARS - 1}}}")
_ARTICLE_SUFFIXES = (".html", ".htm", ".xhtml", ".md", ".markdown", ".txt", ".text")


def _stem_base(item_id: str) -> tuple[str, bool]:
    """The slug an item's stem starts from (``''`` when the id gives none), and whether it was cut."""
    if is_http_url(item_id):
        parts = urlsplit(item_id)
        text = f"{parts.netloc} {parts.path} {parts.query}"
    else:
        text = item_id
        suffix = Path(item_id).suffix.lower()
        if suffix in _ARTICLE_SUFFIXES:
            text = item_id[: -len(suffix)]
    full = slugify(text, max_chars=len(text) * 2 + 1)
    base = slugify(text, STEM_CHARS - 9)
    return base, base != full


def _assign_stems(ids: Sequence[str]) -> list[str]:
    """Output stems for item ids: unique, safe, and independent of the order the ids come in.

    A stem is the slug of the id, with 8 hex digits of the id's SHA-256 appended when the
    slug is empty, was cut short, is a reserved device name on Windows, or is shared.
    """
    bases = [_stem_base(item_id) for item_id in ids]
    counts = Counter(base for base, _ in bases)
    stems = []
    for item_id, (base, cut) in zip(ids, bases, strict=True):
        if not base or cut or counts[base] > 1 or base in _WINDOWS_RESERVED:
            stems.append(f"{base or 'item'}-{_id_hash(item_id)}")
        else:
            stems.append(base)
    taken = Counter(stems)
    # A hashed stem can only collide with a plain slug that ends in the same 8 hex digits.
    return [
        stem
        if taken[stem] == 1
        else f"{stem[: STEM_CHARS - 9]}-{hashlib.sha256(item_id.encode()).hexdigest()[8:16]}"
        for stem, item_id in zip(stems, ids, strict=True)
    ]


def _matches(relative: str, patterns: Iterable[str]) -> bool:
    name = relative.rpartition("/")[2]
    return any(fnmatchcase(relative, p) or ("/" not in p and fnmatchcase(name, p)) for p in patterns)


def _source_key(source: str) -> str:
    if is_http_url(source):
        from .publish import canonical_url

        return canonical_url(source) or source
    return source


@dataclass
class _Candidate:
    source: str
    id: str
    explicit_id: bool
    overrides: dict[str, Any]
    origin: str


def _check_overrides(
    entry: Mapping[str, Any], where: str, folder: Path, problems: list[str]
) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for key, value in entry.items():
        if key in ("source", "id"):
            continue
        if key not in OVERRIDES:
            known = ", ".join(["source", "id", *OVERRIDES])
            problems.append(f"{where}: unknown key {key!r}; use one of: {known}")
            continue
        if key in _BOOL_OVERRIDES and not isinstance(value, bool):
            problems.append(f"{where}: {key!r} must be true or false, not {value!r}")
            continue
        if key in ("voice", "title") and (not isinstance(value, str) or not value.strip()):
            problems.append(f"{where}: {key!r} must be a non-empty string")
            continue
        if key == "disclose" and not isinstance(value, bool | str):
            problems.append(f"{where}: 'disclose' must be true, false or a sentence")
            continue
        if key == "episode_type" and value not in EPISODE_TYPES:
            problems.append(f"{where}: 'episode_type' must be one of {', '.join(map(repr, EPISODE_TYPES))}")
            continue
        if key == "voice" and value.endswith(".toml"):
            value = str((folder / Path(value).expanduser()).resolve())
        if key == "title":
            value = " ".join(value.split())
        overrides[key] = value
    return overrides


def _read_manifest(path: Path, problems: list[str]) -> list[_Candidate]:
    where = str(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"cannot read batch manifest {where} ({exc})")
        return []
    entries: Any
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        kind = "TOML" if path.suffix.lower() == ".toml" else "JSON"
        problems.append(f"batch manifest {where} is not valid {kind}: {exc}")
        return []
    if isinstance(data, dict):
        extra = sorted(set(data) - {"item", "items"})
        if extra:
            problems.append(f"{where}: unknown top-level key {extra[0]!r}; list articles as [[item]] tables")
        entries = data.get("item", data.get("items"))
    else:
        entries = None
    if not isinstance(entries, list):
        problems.append(
            f'{where} lists no items; write [[item]] tables (TOML) or {{"items": [...]}} (JSON), '
            "each with a source"
        )
        return []
    found: list[_Candidate] = []
    for number, entry in enumerate(entries, start=1):
        at = f"{where}: item {number}"
        if not isinstance(entry, dict):
            problems.append(f"{at} is not a table/object with a source")
            continue
        source = entry.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(f'{at} has no source; add source = "path/or/url"')
            continue
        given_id = entry.get("id")
        if given_id is not None and (not isinstance(given_id, str) or not given_id.strip()):
            problems.append(f"{at}: 'id' must be a non-empty string")
            continue
        if isinstance(given_id, str) and (len(given_id) > 200 or any(ord(c) < 32 for c in given_id)):
            problems.append(f"{at}: 'id' must be at most 200 characters with no control characters")
            continue
        overrides = _check_overrides(entry, at, path.parent, problems)
        source = source.strip()
        if is_http_url(source):
            resolved, default_id = source, source
        elif "://" in source:
            problems.append(f"{at}: {source} is not an http(s) URL; only http and https can be narrated")
            continue
        else:
            file = (path.parent / Path(source).expanduser()).resolve()
            if not file.is_file():
                problems.append(f"{at}: source {source} does not exist (looked for {file})")
                continue
            resolved, default_id = str(file), Path(source).as_posix()
        found.append(_Candidate(resolved, given_id or default_id, given_id is not None, overrides, f"{at}"))
    return found


def _expand_folder(
    folder: Path, include: Sequence[str], exclude: Sequence[str], skip: Path | None
) -> list[_Candidate]:
    found = []
    root = folder.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and (skip is None or (here / d).resolve() != skip)
        )
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            relative = path.relative_to(root).as_posix()
            if _matches(relative, include) and not _matches(relative, exclude):
                found.append(_Candidate(str(path.resolve()), relative, False, {}, f"folder {folder}"))
    found.sort(key=lambda c: c.id)
    return found


def make_plan(
    inputs: Sequence[str | Path],
    out: Path | None = None,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> Plan:
    """Expand and check ``inputs``; :class:`PlanError` lists every problem found.

    ``out`` (the output folder) is never searched for articles.
    """
    include = tuple(include) or DEFAULT_INCLUDE
    exclude = (*DEFAULT_EXCLUDE, *exclude)
    skip = Path(out).resolve() if out is not None else None
    problems: list[str] = []
    candidates: list[_Candidate] = []
    if not inputs:
        raise PlanError("give at least one input: an article, a folder of articles, or a batch manifest.")
    for raw in inputs:
        text = str(raw)
        if text == "-":
            problems.append("'-' (stdin) cannot be narrated in a batch; save the article to a file")
        elif is_http_url(text):
            candidates.append(_Candidate(text, text, False, {}, "argument"))
        elif "://" in text:
            problems.append(f"{text}: only http and https URLs can be narrated")
        else:
            path = Path(text).expanduser()
            if path.is_dir():
                found = _expand_folder(path, include, exclude, skip)
                if not found:
                    problems.append(
                        f"folder {path} has no files matching {', '.join(include)}"
                        + (f" outside {', '.join(exclude)}" if exclude else "")
                    )
                candidates += found
            elif path.is_file() and path.suffix.lower() in _MANIFEST_SUFFIXES:
                candidates += _read_manifest(path, problems)
            elif path.is_file():
                candidates.append(_Candidate(str(path.resolve()), path.name, False, {}, "argument"))
            else:
                problems.append(f"{path} does not exist")
    items = _items(candidates, problems)
    if problems:
        shown = problems[:10]
        more = f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise PlanError("; ".join(shown) + more)
    return Plan(tuple(sorted(items, key=lambda item: item.id)))


def _items(candidates: Sequence[_Candidate], problems: list[str]) -> list[Item]:
    first: dict[tuple[str, str], _Candidate] = {}
    by_id: dict[str, _Candidate] = {}
    kept: list[tuple[_Candidate, str | None]] = []
    duplicates: list[tuple[_Candidate, str]] = []
    for cand in candidates:
        key = (_source_key(cand.source), json.dumps(cand.overrides, sort_keys=True))
        original = first.get(key)
        if original is not None:
            duplicates.append((cand, original.id))
            continue
        first[key] = cand
        other = by_id.get(cand.id)
        if other is not None:
            hint = "give each a different id" if cand.explicit_id else "give them ids in a batch manifest"
            problems.append(
                f"id {cand.id!r} is used twice ({other.origin}: {other.source}; "
                f"{cand.origin}: {cand.source}); {hint}"
            )
            continue
        by_id[cand.id] = cand
        kept.append((cand, None))
    for cand, original_id in duplicates:
        # A duplicate keeps its own id when it has one of its own, else gets a numbered one.
        item_id, n = cand.id, 2
        while item_id in by_id:
            item_id, n = f"{cand.id}~{n}", n + 1
        renamed = replace(cand, id=item_id)
        by_id[item_id] = renamed
        kept.append((renamed, original_id))
    # Duplicates write nothing: they take no part in naming, so they cannot rename an item.
    named = [cand.id for cand, duplicate_of in kept if duplicate_of is None]
    stems = dict(zip(named, _assign_stems(named), strict=True))
    return [
        Item(cand.id, cand.source, stems[duplicate_of or cand.id], cand.overrides, cand.origin, duplicate_of)
        for cand, duplicate_of in kept
    ]


def _keep_published_stems(plan: Plan, everything: Plan, state: Mapping[str, Mapping[str, Any]]) -> Plan:
    """Items keep the stem recorded when they were first narrated, unless another item now has it.

    A new item whose slug clashes with an old one's makes both hashed; this keeps the old
    one's files, and so its place in the feed, where they were.
    """
    planned = Counter(item.stem for item in everything.items)
    kept: dict[str, str] = {}
    for item in plan.items:
        old = (state.get(item.id) or {}).get("stem")
        if (
            item.duplicate_of is None
            and isinstance(old, str)
            and old != item.stem
            and _SAFE_STEM.fullmatch(old)
            and not planned[old]
        ):
            kept[item.id] = old
    wanted = Counter(kept.values())
    return Plan(
        tuple(
            replace(item, stem=kept[item.id]) if wanted[kept.get(item.id, "")] == 1 else item
            for item in plan.items
        )
    )


def output_path(out: Path, stem: str, suffix: str = ".mp3") -> Path:
    """``OUT/<stem><suffix>``, refusing any name that would not lie directly in ``out``."""
    if not _SAFE_STEM.fullmatch(stem):
        raise PlanError(f"unsafe output name {stem!r}")
    path = Path(out) / f"{stem}{suffix}"
    if Path(os.path.realpath(path.parent)) != Path(os.path.realpath(out)) or path.name in ("", ".", ".."):
        raise PlanError(f"output {path} would lie outside {out}")
    return path


# Fingerprints and state -----------------------------------------------------------------


def item_settings(base: Settings, overrides: Mapping[str, Any]) -> Settings:
    """``base`` with an item's overrides applied (``title`` is applied after narrating)."""
    settings = base
    if "voice" in overrides:
        settings = replace(settings, voice=overrides["voice"])
    if "byline" in overrides:
        settings = replace(settings, byline=overrides["byline"])
    if "disclose" in overrides:
        value = overrides["disclose"]
        disclosure = (AI_DISCLOSURE if value else None) if isinstance(value, bool) else value
        settings = replace(settings, disclosure=disclosure)
    extract = {k: overrides[k] for k in ("captions", "pull_quotes", "lists", "corrections") if k in overrides}
    if extract:
        settings = replace(settings, extract=replace(settings.extract, **extract))
    extra = {k: overrides[k] for k in ("explicit", "episode_type") if k in overrides}
    if extra:
        settings = replace(settings, manifest_extra={**settings.manifest_extra, **extra})
    return settings


def _file_digest(path: Path) -> str | None:
    """SHA-256 of a voice's model file (remembered per process), or None when it is missing."""
    from .engines.base import file_digest

    try:
        return file_digest(path)
    except OSError:
        return None


def _lexicon_digests() -> dict[str, str]:
    """Digests of every pronunciation lexicon narrator may read: shipped and the user's."""
    from importlib.resources import files

    from .voices import user_voices_dir

    found: dict[str, str] = {}
    with contextlib.suppress(OSError, ModuleNotFoundError):
        for entry in files("narrator.builtin_voices").iterdir():
            if entry.name.endswith("lexicon.toml"):
                found[f"builtin:{entry.name}"] = hashlib.sha256(entry.read_bytes()).hexdigest()
    folder = user_voices_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*lexicon.toml")):
            with contextlib.suppress(OSError):
                found[f"user:{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def settings_digest(settings: Settings, title: str | None = None) -> str:
    """Digest of everything besides the source that shapes an item's outputs.

    Every field of :class:`~narrator.pipeline.Settings` except where and how fast the work
    runs (``device``, ``workers``, ``cache``, ``cache_dir``), the voice preset's audio
    settings and the digests of its model files, the lexicons, the title override and
    narrator's version (a voice shipped in a Python package is known by name only).
    :class:`~narrator.VoiceError` when the voice does not exist.
    """
    from .voices import get_voice

    voice = get_voice(settings.voice)
    fields = {
        k: v for k, v in asdict(settings).items() if k not in ("device", "workers", "cache", "cache_dir")
    }
    if fields.get("cover") is not None:
        fields["cover"] = hashlib.sha256(fields["cover"]).hexdigest()
    models = {
        key: _file_digest(voice.resolve(value))
        for key, value in voice.model.items()
        if key in ("model_path", "config_path", "path")
    }
    payload = {
        "state_version": STATE_VERSION,
        "narrator": __version__,
        "settings": fields,
        "voice": {"name": voice.name, **voice.audio_settings(), "files": models},
        "lexicons": _lexicon_digests(),
        "title": title,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def fingerprint(settings_digest_: str, source: bytes) -> str:
    """The fingerprint of an item: its settings digest and the SHA-256 of its source bytes."""
    return hashlib.sha256(f"{settings_digest_}\n{hashlib.sha256(source).hexdigest()}".encode()).hexdigest()


class _State:
    """``OUT/.narrator-batch.json``: id → fingerprint and output files of the last good render."""

    def __init__(self, out: Path) -> None:
        self.path = out / STATE_NAME
        self.lock_path = out / ".narrator-batch.lock"
        self.items: dict[str, dict[str, Any]] = self._read()

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning(
                "ignoring unreadable batch state %s (%s); every item is narrated again", self.path, exc
            )
            return {}
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return {}
        items = data.get("items")
        return {k: v for k, v in items.items() if isinstance(v, dict)} if isinstance(items, dict) else {}

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        with open(self.lock_path, "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def record(self, item_id: str, entry: dict[str, Any]) -> None:
        """Store ``entry`` for ``item_id`` and rewrite the file, merged with other writers' entries."""
        with self._locked():
            self.items = {**self._read(), item_id: entry}
            data = {
                "version": STATE_VERSION,
                "narrator": __version__,
                "items": dict(sorted(self.items.items())),
            }
            atomic_write_bytes(self.path, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode())


def _files_intact(out: Path, files: Any) -> bool:
    if not isinstance(files, dict) or not files:
        return False
    for name, size in files.items():
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            return False
        try:
            if (out / name).stat().st_size != size:
                return False
        except OSError:
            return False
    return True


# Running one item -------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to narrate one item; picklable."""

    item: Item
    """The item."""
    out: str
    """The output folder."""
    settings: Settings
    """The item's settings, overrides applied."""
    settings_digest: str
    """From :func:`settings_digest`."""
    previous: Mapping[str, Any] | None = None
    """The item's state entry from an earlier run, for a URL's skip check."""
    force: bool = False
    """Narrate even when the fingerprint matches."""


@dataclass(frozen=True)
class ItemResult:
    """What happened to one item."""

    id: str
    """The item's id."""
    source: str
    """Path or URL narrated."""
    status: Status
    """``done``, ``skipped``, ``failed``, ``duplicate`` or ``cancelled``."""
    output: str | None = None
    """The MP3's file name in the output folder."""
    title: str | None = None
    """Episode title."""
    duration: float = 0.0
    """Seconds of audio in the MP3 (for skipped items, from the last render)."""
    seconds: float = 0.0
    """Wall time spent on the item in this run."""
    synthesized: int = 0
    """Sentences synthesised in this run."""
    cached: int = 0
    """Sentences taken from the clip cache (or a whole cached render) in this run."""
    error: str | None = None
    """One line saying what went wrong."""
    error_type: str | None = None
    """The exception's class name; a :class:`~narrator.NarratorError` is a failure, anything else an error."""
    duplicate_of: str | None = None
    """For a duplicate: the id of the item that is narrated."""
    fingerprint: str | None = None
    """For a done item: the fingerprint to record."""
    files: Mapping[str, int] = field(default_factory=dict)
    """For a done item: file name → size of every output written."""

    def to_dict(self) -> dict[str, Any]:
        """The report's entry for this item."""
        data = asdict(self)
        for key in ("fingerprint", "files"):
            data.pop(key)
        data["duration"] = round(self.duration, 3)
        data["seconds"] = round(self.seconds, 3)
        return data


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def failed_result(task: Task, exc: BaseException, seconds: float = 0.0) -> ItemResult:
    """The result of an item whose narration raised ``exc``."""
    return ItemResult(
        id=task.item.id,
        source=task.item.source,
        status="failed",
        seconds=seconds,
        error=_one_line(exc),
        error_type=type(exc).__name__
        if not isinstance(exc, NarratorError)
        else f"narrator.{type(exc).__name__}",
    )


def _skip_result(item: Item, previous: Mapping[str, Any], seconds: float) -> ItemResult:
    return ItemResult(
        id=item.id,
        source=item.source,
        status="skipped",
        output=f"{item.stem}.mp3",
        title=previous.get("title"),
        duration=float(previous.get("duration") or 0.0),
        seconds=seconds,
    )


def _can_skip(out: Path, previous: Mapping[str, Any], fp: str, stem: str) -> bool:
    return (
        previous.get("fingerprint") == fp
        and previous.get("stem") == stem
        and _files_intact(out, previous.get("files"))
    )


def _retitle(mp3: Path, title: str) -> None:
    """Give a narrated episode another title: the MP3's ID3 title and the manifest's."""
    from mutagen.id3 import ID3, TIT2

    from .publish import load_manifest, manifest_path

    with atomic_path(mp3) as partial:
        shutil.copyfile(mp3, partial)
        tags = ID3(str(partial))
        tags.setall("TIT2", [TIT2(encoding=3, text=[title])])
        for toc in tags.getall("CTOC"):
            toc.sub_frames.setall("TIT2", [TIT2(encoding=3, text=[title])])
        tags.update_to_v23()
        tags.save(str(partial), v2_version=3)
    manifest = load_manifest(mp3)
    manifest = replace(manifest, title=title, audio=replace(manifest.audio, bytes=mp3.stat().st_size))
    atomic_write_bytes(manifest_path(mp3), manifest.to_json().encode("utf-8"))


def run_item(task: Task) -> ItemResult:
    """Narrate one item (or skip it when its fingerprint matches); never raises but for Ctrl-C.

    The function every executor runs, in a thread, a process or a Ray task.
    """
    from .load import load
    from .pipeline import narrate
    from .publish import manifest_path, sidecar_path

    started = time.perf_counter()
    item, out = task.item, Path(task.out)
    try:
        mp3 = output_path(out, item.stem)
        # Read once: the bytes fingerprinted are the bytes narrated.
        source = load(item.source)
        fp = fingerprint(task.settings_digest, source.data)
        previous = task.previous
        if not task.force and previous is not None and _can_skip(out, previous, fp, item.stem):
            return _skip_result(item, previous, time.perf_counter() - started)
        episode = narrate([source], mp3, task.settings)
        title = episode.script.title
        if "title" in item.overrides:
            title = item.overrides["title"]
            _retitle(mp3, title)
        written = [mp3, *(sidecar_path(mp3, f) for f in task.settings.sidecars or ()), manifest_path(mp3)]
        return ItemResult(
            id=item.id,
            source=item.source,
            status="done",
            output=mp3.name,
            title=title,
            duration=episode.duration,
            seconds=time.perf_counter() - started,
            synthesized=episode.synthesized,
            cached=episode.cached,
            fingerprint=fp,
            files={p.name: p.stat().st_size for p in written},
        )
    except Exception as exc:
        log.debug("item %s failed", item.id, exc_info=True)
        return failed_result(task, exc, time.perf_counter() - started)


# Executors ------------------------------------------------------------------------------


class Executor(Protocol):
    """Runs items: ``map(fn, tasks)`` yields one :class:`ItemResult` per task, as each finishes.

    ``tasks`` is consumed lazily — the next task is taken only when a slot is free — so a
    caller stops new work by ending its iterator; items already running finish and are
    yielded. An executor turns its own failures (a worker that died) into failed results.
    """

    name: ClassVar[str]

    def map(self, fn: Callable[[Task], ItemResult], tasks: Iterable[Task]) -> Iterator[ItemResult]: ...


class LocalExecutor:
    """``jobs`` items at a time on this machine, each in a thread of this process.

    Threads, not processes: synthesis runs in onnxruntime, which releases the GIL, and
    mastering in ffmpeg subprocesses, so threads keep the cores as busy as processes do
    without an interpreter, imports and a voice model per job (on 2 cores, 5 short
    articles took 8.5 s in 2 threads and 9.9 s in 2 spawned processes), and a killed batch
    leaves no orphaned worker behind. With ``jobs`` 1 the item runs in the calling thread,
    so Ctrl-C stops it at once; with more, the items running finish first.
    """

    name: ClassVar[str] = "local"

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = max(1, jobs)

    def map(self, fn: Callable[[Task], ItemResult], tasks: Iterable[Task]) -> Iterator[ItemResult]:
        iterator = iter(tasks)
        if self.jobs == 1:
            # In this thread: Ctrl-C stops the narration at once and its partial files go.
            for task in iterator:
                yield _call(fn, task)
            return
        pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="narrator-batch")
        running: dict[Future[ItemResult], Task] = {}
        try:

            def fill() -> None:
                while len(running) < self.jobs:
                    task = next(iterator, None)
                    if task is None:
                        return
                    running[pool.submit(_call, fn, task)] = task

            fill()
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = running.pop(future)
                    try:
                        yield future.result()
                    except GeneratorExit:
                        raise
                    except Exception as exc:
                        yield failed_result(task, exc)
                fill()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _call(fn: Callable[[Task], ItemResult], task: Task) -> ItemResult:
    try:
        return fn(task)
    except Exception as exc:
        return failed_result(task, exc)


def _import_ray() -> Any:
    import importlib

    try:
        # Through importlib: type checks pass whether or not the extra is installed.
        ray = importlib.import_module("ray")
    except ImportError as exc:
        raise NarratorError(
            "the Ray executor needs Ray; install it with pip install 'narrator[ray]'."
        ) from exc
    return ray


_FORWARDED_ENV = ("NARRATOR_CACHE", "NARRATOR_VOICES", "NARRATOR_FFMPEG")


class RayExecutor:
    """Items as tasks on a Ray cluster: one running on each ``num_cpus`` (and ``num_gpus``).

    ``address`` is that of an existing cluster (``auto``, ``ray://host:10001``, or the GCS
    ``host:6379``); ``None`` starts a local Ray instance for the batch. When this process is
    already connected to Ray, that connection is used and left open. The workers must see
    the sources and the output folder at the same paths (one machine, or a shared
    filesystem); URL sources need only the network. ``$NARRATOR_CACHE``,
    ``$NARRATOR_VOICES`` and ``$NARRATOR_FFMPEG`` are passed to the tasks when set here.
    """

    name: ClassVar[str] = "ray"

    def __init__(
        self,
        address: str | None = None,
        *,
        jobs: int | None = None,
        num_cpus: float = 1,
        num_gpus: float = 0,
    ) -> None:
        self.address = address
        self.jobs = jobs
        self.num_cpus = num_cpus
        self.num_gpus = num_gpus
        self._ray = _import_ray()

    def _window(self) -> int:
        if self.jobs:
            return self.jobs
        resources = self._ray.cluster_resources()
        slots = resources.get("CPU", 1) / max(self.num_cpus, 1e-9)
        if self.num_gpus:
            slots = min(slots, resources.get("GPU", 0) / self.num_gpus)
        return max(1, int(slots))

    def map(self, fn: Callable[[Task], ItemResult], tasks: Iterable[Task]) -> Iterator[ItemResult]:
        ray = self._ray
        owned = False
        if not ray.is_initialized():
            log.info("connecting to Ray at %s", self.address or "a new local instance")
            try:
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
            except Exception as exc:  # ray raises ConnectionError, RuntimeError, ValueError…
                where = f"the Ray cluster at {self.address}" if self.address else "a local Ray instance"
                raise NarratorError(f"cannot connect to {where}: {_one_line(exc)}") from exc
            owned = True
        env = {k: os.environ[k] for k in _FORWARDED_ENV if os.environ.get(k)}
        options: dict[str, Any] = {"num_cpus": self.num_cpus, "num_gpus": self.num_gpus, "max_retries": 0}
        if env:
            options["runtime_env"] = {"env_vars": env}
        remote = ray.remote(_call).options(**options)
        iterator = iter(tasks)
        running: dict[Any, Task] = {}
        window = self._window()
        try:

            def fill() -> None:
                while len(running) < window:
                    task = next(iterator, None)
                    if task is None:
                        return
                    running[remote.remote(fn, task)] = task

            fill()
            while running:
                finished, _ = ray.wait(list(running), num_returns=1)
                for ref in finished:
                    task = running.pop(ref)
                    try:
                        result = ray.get(ref)
                    except Exception as exc:  # a worker died or the task could not run
                        result = failed_result(task, exc)
                    yield result
                fill()
        finally:
            for ref in running:
                with contextlib.suppress(Exception):
                    ray.cancel(ref)
            if owned:
                ray.shutdown()


# The batch ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs; the per-item settings start from :attr:`settings`."""

    settings: Settings = field(default_factory=lambda: Settings(sidecars=DEFAULT_SIDECARS))
    """Settings of every item before its overrides; ``sidecars=None`` is taken as ``()``."""
    include: tuple[str, ...] = ()
    """Globs a folder input's files must match (relative path or name); empty: :data:`DEFAULT_INCLUDE`."""
    exclude: tuple[str, ...] = ()
    """Globs of a folder input's files to leave out."""
    shard: tuple[int, int] | None = None
    """``(K, N)``: narrate only shard K of N."""
    force: bool = False
    """Narrate every item, even when unchanged."""
    fail_fast: bool = False
    """Start no new item after one failed."""
    jobs: int = 1
    """Items at once (local executor)."""
    feed_config: Path | None = None
    """Rebuild the feed from every manifest in the output folder at the end."""
    feed_output: Path | None = None
    """Where the feed goes; default ``OUT/feed.xml``."""
    report_json: Path | None = None
    """JSON report; default ``OUT/narrator-report.json``."""
    junit: Path | None = None
    """JUnit XML report; default ``OUT/narrator-junit.xml``."""


@dataclass(frozen=True)
class BatchReport:
    """What a batch did."""

    out: Path
    """The output folder."""
    items: tuple[ItemResult, ...]
    """One result per item of the (shard of the) plan, sorted by id."""
    started: str
    """When the batch started, ISO 8601 UTC."""
    seconds: float
    """Wall time of the batch."""
    executor: str
    """``local`` or ``ray``."""
    shard: tuple[int, int] | None = None
    """The shard run, if any."""
    planned: int = 0
    """Items in the whole plan, before sharding."""
    feed: Mapping[str, Any] | None = None
    """The feed built: ``path`` and ``episodes``, or ``error``."""
    interrupted: bool = False
    """The batch was stopped (Ctrl-C, SIGTERM) before every item ran."""

    @property
    def counts(self) -> dict[str, int]:
        """Items per status, and ``total``."""
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for item in self.items:
            counts[item.status] += 1
        return {**counts, "total": len(self.items)}

    @property
    def audio_seconds(self) -> float:
        """Seconds of audio of every item done or skipped."""
        return sum(i.duration for i in self.items if i.status in ("done", "skipped"))

    @property
    def new_audio_seconds(self) -> float:
        """Seconds of audio narrated in this run."""
        return sum(i.duration for i in self.items if i.status == "done")

    @property
    def ok(self) -> bool:
        """True when nothing failed or was left undone, and the feed (if asked for) was built."""
        counts = self.counts
        feed_failed = self.feed is not None and "error" in self.feed
        return not (counts["failed"] or counts["cancelled"] or feed_failed or self.interrupted)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report."""
        return {
            "report_version": REPORT_VERSION,
            "narrator_version": __version__,
            "ok": self.ok,
            "out": str(self.out),
            "started": self.started,
            "seconds": round(self.seconds, 3),
            "executor": self.executor,
            "shard": f"{self.shard[0]}/{self.shard[1]}" if self.shard else None,
            "planned": self.planned,
            "interrupted": self.interrupted,
            "counts": self.counts,
            "audio_seconds": round(self.audio_seconds, 3),
            "new_audio_seconds": round(self.new_audio_seconds, 3),
            "feed": dict(self.feed) if self.feed is not None else None,
            "items": [item.to_dict() for item in self.items],
        }

    def to_junit(self) -> bytes:
        """The JUnit XML report: one test case per item."""
        failures = sum(1 for i in self.items if i.status == "failed" and _is_failure(i))
        errors = sum(1 for i in self.items if i.status == "failed" and not _is_failure(i))
        skipped = sum(1 for i in self.items if i.status in ("skipped", "duplicate", "cancelled"))
        counts = {
            "tests": str(len(self.items)),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": str(skipped),
            "time": f"{self.seconds:.3f}",
        }
        root = ET.Element("testsuites", {"name": "narrator", **counts})
        suite = ET.SubElement(
            root, "testsuite", {"name": "narrator", **counts, "timestamp": self.started.replace("+00:00", "")}
        )
        for item in self.items:
            case = ET.SubElement(
                suite,
                "testcase",
                {"classname": "narrator.batch", "name": _xml_text(item.id), "time": f"{item.seconds:.3f}"},
            )
            if item.status == "failed":
                kind = "failure" if _is_failure(item) else "error"
                message = _xml_text(item.error or "failed")
                node = ET.SubElement(case, kind, {"message": message, "type": item.error_type or "Exception"})
                node.text = message
            elif item.status == "skipped":
                ET.SubElement(case, "skipped", {"message": "unchanged since the last render"})
            elif item.status == "duplicate":
                ET.SubElement(
                    case, "skipped", {"message": f"duplicate of {_xml_text(item.duplicate_of or '')}"}
                )
            elif item.status == "cancelled":
                ET.SubElement(case, "skipped", {"message": "not run: the batch stopped first"})
            out = ET.SubElement(case, "system-out")
            out.text = _xml_text(
                f"{item.status}: {item.source}"
                + (f" -> {item.output} ({item.duration:.1f} s of audio)" if item.output else "")
            )
        ET.indent(root)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _xml_text(text: str) -> str:
    return xml_safe(text)


def _is_failure(item: ItemResult) -> bool:
    return (item.error_type or "").startswith("narrator.")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def write_reports(report: BatchReport, json_path: Path, junit_path: Path) -> None:
    """Write the JSON and JUnit reports atomically."""
    for path, data in (
        (json_path, (json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")),
        (junit_path, report.to_junit()),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)


def run(
    inputs: Sequence[str | Path],
    out: Path,
    options: BatchOptions | None = None,
    *,
    executor: Executor | None = None,
    on_result: Callable[[ItemResult], None] | None = None,
) -> BatchReport:
    """Narrate every item of ``inputs`` into ``out``; write the state, the reports and the feed.

    Raises :class:`PlanError` (nothing done) when the inputs are wrong. Item failures do not
    raise: they are in the report, whose :attr:`~BatchReport.ok` is then false. The reports
    are written also when the batch is interrupted. ``on_result`` is called with each
    item's result as soon as it is known.
    """
    options = options or BatchOptions()
    started, clock = _now(), time.perf_counter()
    out = Path(out)
    feed_config = _feed_config(options.feed_config)
    everything = make_plan(inputs, out, include=options.include, exclude=options.exclude)
    plan = everything.shard(*options.shard) if options.shard is not None else everything
    state = _State(out)
    plan = _keep_published_stems(plan, everything, state.items)
    tasks = _tasks(plan, out, options, state.items)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlanError(f"cannot create the output folder {out} ({exc.strerror})") from exc
    if not os.access(out, os.W_OK):
        raise PlanError(f"output folder {out} is not writable; choose another --out")
    for extra in (options.feed_output, options.report_json, options.junit):
        if extra is not None and not Path(extra).parent.is_dir():
            raise PlanError(
                f"folder {Path(extra).parent} does not exist; create it or write {Path(extra).name} elsewhere"
            )
    results: dict[str, ItemResult] = {}

    def emit(result: ItemResult) -> None:
        results[result.id] = result
        if on_result is not None:
            on_result(result)

    for item in plan.items:
        if item.duplicate_of is not None:
            emit(ItemResult(item.id, item.source, "duplicate", duplicate_of=item.duplicate_of))
    pending: dict[str, Task] = {}
    for task in tasks:
        skipped = None if options.force or task.item.is_url else _skip_locally(task)
        if skipped is not None:
            emit(skipped)
        else:
            pending[task.item.id] = task

    def next_tasks() -> Iterator[Task]:
        for task in pending.values():
            if options.fail_fast and any(r.status == "failed" for r in results.values()):
                log.warning("stopping after the first failure (--fail-fast)")
                return
            yield task

    runner = executor or LocalExecutor(options.jobs)
    interrupted = True
    try:
        if pending:
            for result in runner.map(run_item, next_tasks()):
                if result.status == "done" and result.fingerprint:
                    state.record(result.id, _state_entry(pending[result.id].item, result))
                emit(result)
        interrupted = False
    finally:
        for item_id, task in pending.items():
            if item_id not in results:
                emit(ItemResult(item_id, task.item.source, "cancelled"))
        feed = None
        if feed_config is not None and not interrupted:
            feed = _build_feed(out, feed_config, options.feed_output or out / "feed.xml")
        report = BatchReport(
            out=out.resolve(),
            items=tuple(results[i.id] for i in plan.items),
            started=started,
            seconds=time.perf_counter() - clock,
            executor=runner.name,
            shard=options.shard,
            planned=len(everything.items),
            feed=feed,
            interrupted=interrupted,
        )
        write_reports(report, options.report_json or out / REPORT_NAME, options.junit or out / JUNIT_NAME)
    return report


def _feed_config(path: Path | None) -> Any:
    if path is None:
        return None
    from .feed import load_config

    try:
        return load_config(path)
    except NarratorError as exc:
        raise PlanError(_one_line(exc)) from exc


def _tasks(
    plan: Plan, out: Path, options: BatchOptions, state: Mapping[str, Mapping[str, Any]]
) -> list[Task]:
    """A task per item to narrate, with its settings digest; :class:`PlanError` for a bad voice."""
    base = options.settings
    if base.sidecars is None:
        base = replace(base, sidecars=())
    digests: dict[str, str] = {}
    problems: list[str] = []
    tasks = []
    for item in plan.items:
        if item.duplicate_of is not None:
            continue
        output_path(out, item.stem)
        settings = item_settings(base, item.overrides)
        key = json.dumps(item.overrides, sort_keys=True)
        if key not in digests:
            try:
                digests[key] = settings_digest(settings, item.overrides.get("title"))
            except NarratorError as exc:
                problems.append(f"{item.id}: {_one_line(exc)}")
                continue
        tasks.append(Task(item, str(out), settings, digests[key], state.get(item.id), options.force))
    if problems:
        raise PlanError("; ".join(problems[:10]))
    return tasks


def _skip_locally(task: Task) -> ItemResult | None:
    """The skipped result of a file item whose fingerprint and outputs are as recorded, else None."""
    previous = task.previous
    if previous is None:
        return None
    checked = time.perf_counter()
    try:
        fp = fingerprint(task.settings_digest, Path(task.item.source).read_bytes())
    except OSError:
        return None  # the worker reports why it cannot be read
    if not _can_skip(Path(task.out), previous, fp, task.item.stem):
        return None
    return _skip_result(task.item, previous, time.perf_counter() - checked)


def _state_entry(item: Item, result: ItemResult) -> dict[str, Any]:
    return {
        "fingerprint": result.fingerprint,
        "stem": item.stem,
        "source": item.source,
        "title": result.title,
        "duration": round(result.duration, 3),
        "files": dict(result.files),
        "finished": _now(),
    }


def _build_feed(out: Path, config: Any, path: Path) -> dict[str, Any]:
    from .feed import build

    try:
        result = build(out, config, path)
    except (NarratorError, OSError) as exc:
        log.error("feed not built: %s", _one_line(exc))
        return {"path": str(path), "error": _one_line(exc)}
    return {"path": str(result.path), "episodes": len(result.guids)}
