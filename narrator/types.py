"""The values handed from one pipeline stage to the next.

Each is a frozen dataclass: a stage receives one, returns another, and never reaches back.

    Article ──script──▶ Script ──synthesize──▶ PCM per sentence ──assemble──▶ Timeline
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

__all__ = [
    "PCM",
    "Article",
    "Block",
    "BlockKind",
    "Chapter",
    "ChapterTime",
    "Script",
    "Sentence",
    "SentenceTime",
    "Timeline",
]

BlockKind = Literal["heading", "paragraph", "quote", "list_item"]


@dataclass(frozen=True)
class Block:
    """One block of an article's body, in reading order."""

    kind: BlockKind
    """What the block is: a heading starts a chapter; the others are read."""
    text: str
    """Plain text, whitespace collapsed, markup and entities resolved."""
    level: int = 0
    """Heading level (2 for ``h2`` …); 0 for everything that is not a heading."""


@dataclass(frozen=True)
class Article:
    """What the extractor found: the story and the metadata the intro, tags and feed need."""

    title: str
    """Headline, without a trailing " | Site name"."""
    blocks: tuple[Block, ...]
    """The story body in reading order, boilerplate removed."""
    standfirst: str | None = None
    """Subtitle or summary shown under the headline, read after it."""
    authors: tuple[str, ...] = ()
    """Names of the authors, as printed."""
    published: str | None = None
    """Publication date (or date and time) in ISO 8601, when the page gives one."""
    site_name: str | None = None
    """The publication's name."""
    language: str | None = None
    """BCP 47 language tag declared by the page, e.g. ``en-GB``."""
    url: str | None = None
    """Canonical URL of the article."""
    image: str | None = None
    """URL of the lead image."""
    source: str = ""
    """Where the article was read from: a path, a URL or ``-`` for stdin."""

    @property
    def text(self) -> str:
        """The body as plain text, one block a line."""
        return "\n".join(block.text for block in self.blocks)


@dataclass(frozen=True)
class Sentence:
    """One unit of synthesis."""

    index: int
    """Position in the script; the stable key for caches, timings, transcripts."""
    text: str
    """As written in the article."""
    spoken: str
    """What the engine is given: numbers, dates and abbreviations spelled out."""
    paragraph: int
    """Index of the paragraph (or heading, or intro line) the sentence belongs to."""
    chapter: int
    """Index of the chapter the sentence belongs to."""


@dataclass(frozen=True)
class Chapter:
    """A navigable part of the episode: the intro, or one heading of the story."""

    index: int
    """Position in the script, from 0."""
    title: str
    """Shown by podcast players; the heading text, or the headline for the intro."""
    sentences: tuple[Sentence, ...]
    """What is read in this chapter, in order."""


@dataclass(frozen=True)
class Script:
    """Exactly what will be read, chapter by chapter, sentence by sentence."""

    title: str
    """Episode title: the headline, or the first headline of a multi-article episode."""
    chapters: tuple[Chapter, ...]
    """The chapters in reading order; never empty."""
    articles: tuple[Article, ...]
    """The articles the script was made from."""
    language: str = "en"
    """Language of the text, as a BCP 47 tag."""

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        """Every sentence of every chapter, in reading order."""
        return tuple(s for chapter in self.chapters for s in chapter.sentences)


@dataclass(frozen=True, eq=False)
class PCM:
    """Mono audio from an engine."""

    samples: np.ndarray
    """float32 samples in [-1, 1]."""
    sample_rate: int
    """Samples per second."""

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class SentenceTime:
    """Where one sentence lies in the assembled audio."""

    index: int
    """The sentence's :attr:`Sentence.index`."""
    start: int
    """First sample of the sentence's speech."""
    end: int
    """One past its last sample."""


@dataclass(frozen=True)
class ChapterTime:
    """Where one chapter lies in the assembled audio."""

    index: int
    """The chapter's :attr:`Chapter.index`."""
    title: str
    """The chapter's title."""
    start: int
    """First sample of the chapter; the first chapter starts at 0."""
    end: int
    """One past its last sample; equals the next chapter's start, or the total length."""


@dataclass(frozen=True)
class Timeline:
    """Sample-exact positions of every sentence and chapter in the episode's audio."""

    sample_rate: int
    """Rate the positions are counted in."""
    length: int
    """Total number of samples."""
    sentences: tuple[SentenceTime, ...] = field(default=())
    """One entry per sentence, in order."""
    chapters: tuple[ChapterTime, ...] = field(default=())
    """One entry per chapter, in order, covering the whole length."""

    def seconds(self, sample: int) -> float:
        """Convert a sample position to seconds."""
        return sample / self.sample_rate

    @property
    def duration(self) -> float:
        """Total length in seconds."""
        return self.length / self.sample_rate
