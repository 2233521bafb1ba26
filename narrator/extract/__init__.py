"""Turn the bytes of a source into an :class:`~narrator.types.Article`.

HTML goes through :mod:`narrator.extract.html`, Markdown through
:mod:`narrator.extract.markdown`, anything else is read as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._exceptions import ArticleError
from ..load import Source
from ..types import Article

__all__ = ["ExtractOptions", "decode", "extract"]


@dataclass(frozen=True)
class ExtractOptions:
    """What, beyond the story's paragraphs and headings, is read aloud."""

    captions: bool = False
    """Read photo captions (never their credits)."""
    pull_quotes: bool = False
    """Read pull quotes that repeat a sentence of the body."""
    lists: bool = True
    """Read list items that are part of the story."""
    corrections: bool = False
    """Read an editor's correction or clarification note printed with the story."""


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_WHATWG_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
}


def decode(source: Source) -> str:
    """Decode text: a BOM, then UTF-8, then the declared charset, then a detected one.

    UTF-8 is tried before a declared charset because pages that declare Latin-1 but
    are UTF-8 are common, while Latin-1 text that happens to be valid UTF-8 is rare.
    """
    data = source.data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:8192]:
        raise ArticleError(
            f"{source.name} is a binary file, not an article; give an HTML, Markdown or text file."
        )
    declared = [source.charset]
    if source.media_type == "text/html":
        match = _META_CHARSET.search(data[:4096])
        declared.append(match.group(1).decode("ascii", "ignore") if match else None)
    for charset in ("utf-8-sig", *declared):
        if not charset:
            continue
        charset = _WHATWG_ALIASES.get(charset.lower(), charset)
        try:
            return data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
    if source.media_type == "text/html":
        # What browsers assume for an undeclared, non-UTF-8 page in English.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or _looks_binary(str(best)):
        raise ArticleError(
            f"{source.name} is not readable text in any known encoding; give an HTML, Markdown or text file."
        )
    return str(best)


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > len(sample) * 0.02


def extract(source: Source, options: ExtractOptions | None = None) -> Article:
    """Extract the article from ``source``; raise :class:`ArticleError` when there is none."""
    options = options or ExtractOptions()
    if not source.data.strip():
        raise ArticleError(f"{source.name} is empty; give a page that contains an article.")
    if source.media_type == "text/html":
        from .html import extract_html

        article = extract_html(source, options)
    else:
        text = decode(source)
        if source.media_type == "text/markdown":
            from .markdown import extract_markdown

            article = extract_markdown(text, source, options)
        else:
            from .plain import extract_plain

            article = extract_plain(text, source)
    if not any(block.kind != "heading" for block in article.blocks):
        raise ArticleError(
            f"no article text found in {source.name}; "
            "check that it is the article page itself, not a section front, a paywall or a login page."
        )
    return article
