"""Read plain text: the first short line is the title, blank lines separate paragraphs."""

from __future__ import annotations

import re

from ..load import Source
from ..types import Article, Block
from ._text import clean, is_sentence_like

__all__ = ["extract_plain"]


def extract_plain(text: str, source: Source) -> Article:
    """Extract the article from plain text."""
    paragraphs = [clean(p) for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    paragraphs = [p for p in paragraphs if p]
    title = ""
    if paragraphs and len(paragraphs[0]) <= 150 and not is_sentence_like(paragraphs[0]):
        title = paragraphs.pop(0)
    elif paragraphs:
        first_line = text.strip().splitlines()[0].strip()
        if len(first_line) <= 150 and "\n" in text.strip() and not first_line.endswith("."):
            title = clean(first_line)
            paragraphs[0] = clean(paragraphs[0][len(title) :])
    blocks = tuple(Block("paragraph", p) for p in paragraphs if p)
    return Article(title=title, blocks=blocks, source=source.name)
