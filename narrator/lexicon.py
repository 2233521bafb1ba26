"""Pronunciation lexicon: say a name once, the right way, everywhere.

A lexicon is a TOML file of ``[[word]]`` tables. Each maps a word or phrase, matched as
whole words, to a respelling (``say``) or to espeak phonemes (``phonemes``), which Piper
reads inline as ``[[ phonemes ]]``::

    [[word]]
    text = "Nguyen"
    say = "Win"

    [[word]]
    text = "Kyiv"
    phonemes = "kˈiːv"
    case_sensitive = true          # default false: "KYIV" and "kyiv" match too

narrator ships a small default lexicon (``voices/lexicon.toml``, installed as
``narrator.builtin_voices``); a user's own lexicon is merged over it, its entries winning.
The lexicon is applied before every other spoken-form rule, so an entry can also override
how an acronym is read, and its output is final: no later rule rewrites it.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from ._exceptions import VoiceError

__all__ = ["DEFAULT_LEXICON", "Entry", "Lexicon", "check"]

DEFAULT_LEXICON = "lexicon.toml"
"""File name of the shipped lexicon inside ``narrator.builtin_voices``."""

_KEYS = ("text", "say", "phonemes", "case_sensitive")
_PHONEME_BLOCK = re.compile(r"\[\[.*?\]\]", re.S)
_SIBILANTS = ("s", "z", "ʃ", "ʒ", "tʃ", "dʒ")
_VOICELESS = ("p", "t", "k", "f", "θ")
_PHONEME_MARKS = "ˈˌːˑ̩̯ ."
_CONFUSABLE = {"g": "ɡ (U+0261)", ":": "ː (U+02D0)", "'": "ˈ (U+02C8)", "r": "ɹ (U+0279)"}


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: how to say a word or phrase."""

    text: str
    """The word or phrase as written; it matches whole words only."""
    say: str | None = None
    """A respelling said instead of ``text`` (exclusive with ``phonemes``)."""
    phonemes: str | None = None
    """espeak phonemes said instead of ``text``, e.g. ``kˈiːv``."""
    case_sensitive: bool = False
    """Match only this exact capitalisation."""

    @property
    def key(self) -> str:
        """What the entry matches: the text itself, or its case-folded form."""
        return self.text if self.case_sensitive else self.text.casefold()

    def replacement(self, possessive: bool = False) -> str:
        """What replaces a match; ``possessive`` adds the sound of a following "'s"."""
        if self.phonemes is not None:
            phonemes = self.phonemes + (_possessive(self.phonemes) if possessive else "")
            return f"[[ {phonemes} ]]"
        return (self.say or "") + ("'s" if possessive else "")


@dataclass(frozen=True)
class Lexicon:
    """A set of pronunciation entries, applied to text before it is read."""

    entries: tuple[Entry, ...] = ()
    """The entries; for the same text, a later entry wins."""
    source: str = ""
    """Where the entries came from (paths joined by " + "), for messages."""

    @classmethod
    def load(cls, path: str | Path) -> Lexicon:
        """Read a lexicon file; :class:`VoiceError` if it is missing or invalid."""
        path = Path(path).expanduser()
        if not path.is_file():
            raise VoiceError(
                f"lexicon {path} does not exist; check the path given to --lexicon or the lexicon setting."
            )
        entries = _entries_of(
            path,
            unreadable=f"lexicon {path} cannot be read ({{}}); check its permissions and encoding.",
            invalid=f"lexicon {path} is invalid: {{}}; "
            f"run `narrate lexicon check {path}` to see every problem.",
        )
        return cls(entries=tuple(entries), source=str(path))

    @classmethod
    def default(cls) -> Lexicon:
        """The lexicon shipped with narrator."""
        return _default()

    def merge(self, other: Lexicon) -> Lexicon:
        """This lexicon with ``other``'s entries added; ``other`` wins for every word it has.

        A word counts as the same whatever its case, so a user entry for "kyiv" replaces a
        default entry for "Kyiv" whether either is case-sensitive or not.
        """
        overridden = {_fold(entry.text) for entry in other.entries}
        kept = tuple(entry for entry in self.entries if _fold(entry.text) not in overridden)
        source = " + ".join(s for s in (self.source, other.source) if s)
        return Lexicon(entries=kept + other.entries, source=source)

    def apply(self, text: str) -> str:
        """``text`` with every entry applied (longest match first, never inside ``[[ ]]``)."""
        return "".join(chunk for chunk, _ in self.spans(text))

    def spans(self, text: str) -> list[tuple[str, bool]]:
        """``text`` cut into (chunk, replaced) pieces; replaced chunks are final for the engine.

        ``[[ ]]`` blocks already in the text count as replaced and are left as they are.
        """
        out: list[tuple[str, bool]] = []
        position = 0
        for block in _PHONEME_BLOCK.finditer(text):
            out.extend(self._spans(text[position : block.start()]))
            out.append((block.group(0), True))
            position = block.end()
        out.extend(self._spans(text[position:]))
        return [piece for piece in out if piece[0]]

    def _spans(self, text: str) -> list[tuple[str, bool]]:
        matcher = self._matcher
        if matcher is None or not text:
            return [(text, False)]
        pattern, exact, folded = matcher
        out: list[tuple[str, bool]] = []
        position = 0
        while position <= len(text):
            match = pattern.search(text, position)
            if match is None:
                break
            found = match.group(0)
            entry = exact.get(_squash(found)) or folded.get(_fold(found))
            if entry is None:  # cannot happen; skip the character to make progress
                position = match.start() + 1
                continue
            end = match.end()
            possessive = bool(re.match(r"['’]s\b", text[end:]))
            if possessive:
                end += 2
            out.append((text[position : match.start()], False))
            out.append((entry.replacement(possessive), True))
            position = end
        out.append((text[position:], False))
        return out

    @functools.cached_property
    def _matcher(self) -> tuple[re.Pattern[str], dict[str, Entry], dict[str, Entry]] | None:
        exact: dict[str, Entry] = {}
        folded: dict[str, Entry] = {}
        for entry in self.entries:
            if not entry.text.strip():
                continue
            if entry.case_sensitive:
                exact[_squash(entry.text)] = entry
            else:
                folded[_fold(entry.text)] = entry
        if not exact and not folded:
            return None
        alternatives = sorted(
            [(e.text, True) for e in exact.values()] + [(e.text, False) for e in folded.values()],
            key=lambda item: len(item[0]),
            reverse=True,
        )
        parts = []
        for text, sensitive in alternatives:
            body = re.sub(r"(?:\\ )+|\s+", r"\\s+", re.escape(text.strip()))
            parts.append(f"(?-i:{body})" if sensitive else f"(?i:{body})")
        pattern = re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)")
        return pattern, exact, folded

    @staticmethod
    def check(path: str | Path, phonemes: Collection[str] | None = None) -> list[str]:
        """Every problem in the lexicon file at ``path``; see :func:`check`."""
        return check(path, phonemes)


def check(path: str | Path, phonemes: Collection[str] | None = None) -> list[str]:
    """Every problem in the lexicon file at ``path``; an empty list when it is valid.

    ``phonemes`` is the set of symbols the voice knows (for Piper, the keys of the voice
    config's ``phoneme_id_map``); when given, phoneme entries using other symbols are
    reported.
    """
    path = Path(path).expanduser()
    try:
        raw = path.read_text("utf-8")
    except FileNotFoundError:
        return [f"{path}: no such file"]
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path}: cannot be read ({exc})"]
    _, problems = _parse(raw, phonemes)
    return [f"{path}: {problem}" for problem in problems]


def _parse(raw: str, symbols: Collection[str] | None = None) -> tuple[list[Entry], list[str]]:
    """The entries of a lexicon file and every problem found in it."""
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        return [], [f"not valid TOML ({exc})"]
    problems: list[str] = []
    for key in data:
        if key != "word":
            problems.append(f"unknown key {key!r} (a lexicon holds only [[word]] tables)")
    words = data.get("word", [])
    if not isinstance(words, list):
        return [], [*problems, "'word' must be an array of tables: write each entry as [[word]]"]
    entries: list[Entry] = []
    seen: dict[tuple[str, bool], int] = {}
    for number, item in enumerate(words, 1):
        label = f"word {number}"
        if not isinstance(item, dict):
            problems.append(f"{label} is not a table; write each entry as [[word]]")
            continue
        entry, found = _entry(item, symbols)
        text = item.get("text")
        if isinstance(text, str) and text.strip():
            label += f" ({text.strip()!r})"
        problems.extend(f"{label}: {problem}" for problem in found)
        if entry is None or found:
            continue
        identity = (entry.key, entry.case_sensitive)
        if identity in seen:
            problems.append(f"{label}: repeats word {seen[identity]}; keep one of them")
            continue
        seen[identity] = number
        entries.append(entry)
    return entries, problems


def _entry(item: dict[str, Any], symbols: Collection[str] | None) -> tuple[Entry | None, list[str]]:
    problems = [f"unknown key {key!r} (allowed: {', '.join(_KEYS)})" for key in item if key not in _KEYS]
    text = item.get("text")
    say = item.get("say")
    phonemes = item.get("phonemes")
    case_sensitive = item.get("case_sensitive", False)
    if not isinstance(text, str) or not text.strip():
        problems.append('has no text: set text = "the word as written"')
        text = None
    elif "[" in text or "]" in text:
        problems.append("text must not contain [ or ]")
    if not isinstance(case_sensitive, bool):
        problems.append("case_sensitive must be true or false")
        case_sensitive = False
    if say is not None and phonemes is not None:
        problems.append("has both say and phonemes; keep one")
    elif say is None and phonemes is None:
        problems.append("has neither say nor phonemes; add one")
    if say is not None:
        if not isinstance(say, str) or not say.strip():
            problems.append("say must be a non-empty string")
            say = None
        elif "[[" in say or "]]" in say:
            problems.append("say must not contain [[ or ]]; use phonemes for raw phonemes")
    if phonemes is not None:
        if not isinstance(phonemes, str) or not phonemes.strip():
            problems.append("phonemes must be a non-empty string")
            phonemes = None
        else:
            phonemes = unicodedata.normalize("NFD", phonemes.strip())
            if "[" in phonemes or "]" in phonemes:
                problems.append("phonemes must not contain [ or ]; narrator adds the [[ ]] itself")
            elif symbols is not None:
                unknown = sorted({ch for ch in phonemes if ch not in symbols})
                if unknown:
                    shown = ", ".join(_describe(ch) for ch in unknown)
                    problems.append(f"phonemes use symbols the voice does not know: {shown}")
    if text is None:
        return None, problems
    entry = Entry(
        text=text.strip(),
        say=say.strip() if isinstance(say, str) else None,
        phonemes=phonemes if isinstance(phonemes, str) else None,
        case_sensitive=case_sensitive,
    )
    return entry, problems


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "unnamed")
    hint = f", did you mean {_CONFUSABLE[ch]}?" if ch in _CONFUSABLE else ""
    return f"{ch!r} (U+{ord(ch):04X} {name}{hint})"


def _possessive(phonemes: str) -> str:
    """The phonemes of "'s" after a word ending in ``phonemes``."""
    core = phonemes.rstrip(_PHONEME_MARKS)
    if core.endswith(_SIBILANTS):
        return "ᵻz"
    if core.endswith(_VOICELESS):
        return "s"
    return "z"


def _fold(text: str) -> str:
    return _squash(text).casefold()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip())


@functools.cache
def _default() -> Lexicon:
    entries = _entries_of(
        files("narrator.builtin_voices") / DEFAULT_LEXICON,
        unreadable=f"the built-in lexicon {DEFAULT_LEXICON} is missing or unreadable ({{}}); "
        "reinstall narrator.",
        invalid="the built-in lexicon is invalid: {}; reinstall narrator.",
    )
    return Lexicon(entries=tuple(entries), source=f"narrator.builtin_voices/{DEFAULT_LEXICON}")


def _entries_of(source: Any, *, unreadable: str, invalid: str) -> list[Entry]:
    """The entries of a lexicon file, or :class:`VoiceError` with ``unreadable`` or ``invalid``
    (each with a ``{}`` for the detail)."""
    try:
        raw = source.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VoiceError(unreadable.format(exc)) from exc
    entries, problems = _parse(raw)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise VoiceError(invalid.format(problems[0] + more))
    return entries
