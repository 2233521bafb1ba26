"""Turn articles into a :class:`~narrator.types.Script`: chapters of spoken sentences.

An episode opens with an intro chapter per article (headline, then a short byline and
date, then the standfirst); every ``h2``/``h3`` heading of a story starts a new chapter.
Paragraphs are split into sentences with pySBD, and a sentence longer than the engine
accepts is split again at clause boundaries, never inside a word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .lexicon import Lexicon
from .segment import split_sentences
from .speech import LinkMode, spoken, spoken_date
from .types import Article, Chapter, Script, Sentence

__all__ = ["ScriptOptions", "build_script", "split_long"]


@dataclass(frozen=True)
class ScriptOptions:
    """How articles become a script."""

    byline: bool = True
    """Say the authors and the publication date after the headline."""
    disclosure: str | None = None
    """A sentence read at ``disclosure_at``, e.g. an AI-disclosure line."""
    disclosure_at: Literal["intro", "end"] = "intro"
    """Where the disclosure is read: after the first intro, or as the episode's last words."""
    max_chars: int | None = None
    """Longest sentence the engine accepts; longer ones are split at clause boundaries."""
    transition: str = "Next story."
    """Said before the headline of every article after the first."""
    lexicon: Lexicon | None = None
    """Pronunciations applied before every other spoken-form rule."""
    links: LinkMode = "short"
    """URLs and e-mail addresses: read as a short form, or skipped."""


_CLAUSE_BREAKS = (
    r"(?<=[;:])\s+",
    r"(?<=\s[—–])\s+",
    r"(?<=,)\s+",
    r"\s+(?=(?:and|but|or|while|which|because)\s)",
)


def split_long(sentence: str, max_chars: int | None) -> list[str]:
    """Split ``sentence`` into pieces of at most ``max_chars``, at the strongest break available."""
    if max_chars is None or len(sentence) <= max_chars:
        return [sentence]
    for pattern in _CLAUSE_BREAKS:
        parts = [p for p in re.split(pattern, sentence) if p.strip()]
        if len(parts) > 1:
            return _pack(parts, max_chars)
    return _pack(sentence.split(), max_chars)


def _pack(parts: list[str], max_chars: int) -> list[str]:
    """Greedily join ``parts`` back into pieces no longer than ``max_chars``."""
    pieces: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current} {part}".strip()
        if current and len(candidate) > max_chars:
            pieces.append(current)
            current = part
        else:
            current = candidate
    if current:
        pieces.append(current)
    out: list[str] = []
    for piece in pieces:
        out.extend(split_long(piece, max_chars) if len(piece) > max_chars and " " in piece else [piece])
    return out


def _end(text: str) -> str:
    return text if re.search(r"[.!?…][\"'”’)]?$", text) else text + "."


class _Builder:
    def __init__(self, language: str, options: ScriptOptions) -> None:
        self.language = language
        self.max_chars = options.max_chars
        self.lexicon = options.lexicon
        self.links = options.links
        self.chapters: list[Chapter] = []
        self.title = ""
        self.sentences: list[Sentence] = []
        self.index = 0
        self.paragraph = -1

    def chapter(self, title: str) -> None:
        self.close()
        self.title = title

    def close(self) -> None:
        if self.sentences:
            self.chapters.append(Chapter(len(self.chapters), self.title, tuple(self.sentences)))
            self.sentences = []

    def paragraph_of(self, text: str, *, split: bool = True) -> None:
        self.paragraph += 1
        for sentence in split_sentences(text, self.language) if split else [text]:
            for piece in split_long(sentence, self.max_chars):
                self.sentences.append(
                    Sentence(
                        index=self.index,
                        text=piece,
                        spoken=spoken(piece, self.language, lexicon=self.lexicon, links=self.links),
                        paragraph=self.paragraph,
                        chapter=len(self.chapters),
                    )
                )
                self.index += 1


def _short_title(article: Article, limit: int = 60) -> str:
    """A chapter title for an article without a headline: its opening words."""
    first = next((b.text for b in article.blocks if b.kind != "heading"), article.standfirst or "")
    if len(first) <= limit:
        return first
    return first[: first.rfind(" ", 0, limit)].rstrip(",;:") + "…"


def byline(article: Article, language: str) -> str | None:
    """The short line said after the headline: "By A and B, October 28, 2026."."""
    parts: list[str] = []
    if article.authors:
        names = list(article.authors)
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        parts.append(f"By {joined}")
    date = spoken_date(article.published or "", language)
    if date:
        parts.append(date)
    return ", ".join(parts) + "." if parts else None


def build_script(articles: Sequence[Article], options: ScriptOptions | None = None) -> Script:
    """Build the script of an episode made of ``articles``, read in order."""
    options = options or ScriptOptions()
    if not articles:
        raise ValueError("an episode needs at least one article")
    language = articles[0].language or "en"
    b = _Builder(language, options)
    for number, article in enumerate(articles):
        b.chapter(article.title or _short_title(article))
        if number:
            b.paragraph_of(options.transition, split=False)
        if article.title:
            b.paragraph_of(_end(article.title), split=False)
        line = byline(article, language) if options.byline else None
        if line:
            b.paragraph_of(line, split=False)
        if number == 0 and options.disclosure and options.disclosure_at == "intro":
            b.paragraph_of(options.disclosure)
        if article.standfirst:
            b.paragraph_of(article.standfirst)
        for block in article.blocks:
            if block.kind == "heading" and block.level <= 3:
                b.chapter(block.text)
                b.paragraph_of(_end(block.text), split=False)
            elif block.kind == "heading":
                b.paragraph_of(_end(block.text), split=False)
            else:
                b.paragraph_of(block.text)
    if options.disclosure and options.disclosure_at == "end":
        b.paragraph_of(options.disclosure)
    b.close()
    return Script(
        title=articles[0].title or b.chapters[0].title,
        chapters=tuple(b.chapters),
        articles=tuple(articles),
        language=language,
    )
