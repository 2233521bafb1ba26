"""Read a Markdown post: ``# Title``, an optional byline line, headings, paragraphs, lists."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..load import Source
from ..types import Article, Block
from . import ExtractOptions
from ._text import clean, find_date

__all__ = ["extract_markdown"]

_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<body>.*?)\n---\s*\n", re.S)
_BYLINE = re.compile(r"^\s*by\s+(?P<name>[^—–|,\d]+?)\s*(?:[—–|,]\s*(?P<rest>.*))?$", re.I)


def extract_markdown(text: str, source: Source, options: ExtractOptions) -> Article:
    """Extract the article from Markdown text."""
    meta: dict[str, str] = {}
    front = _FRONT_MATTER.match(text)
    if front:
        for line in front["body"].splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip().strip("\"'")
        text = text[front.end() :]

    title = meta.get("title", "")
    authors = tuple(a.strip() for a in re.split(r",| and ", meta["author"])) if "author" in meta else ()
    published = find_date(meta.get("date", "")) or meta.get("date") or None
    blocks: list[Block] = []
    tokens = MarkdownIt("commonmark").parse(text)
    kind: str | None = None
    level = 0
    in_list = 0
    in_quote = 0
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            in_list += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            in_list -= 1
        elif token.type == "blockquote_open":
            in_quote += 1
        elif token.type == "blockquote_close":
            in_quote -= 1
        elif token.type == "heading_open":
            kind, level = "heading", int(token.tag[1])
        elif token.type == "paragraph_open":
            kind = "list_item" if in_list else "quote" if in_quote else "paragraph"
        elif token.type == "inline" and kind is not None:
            content = clean(_plain(token))
            if not content:
                continue
            if kind == "heading" and level == 1 and not title and not blocks:
                title = content
            elif kind == "paragraph" and not blocks and not authors and _BYLINE.match(content):
                byline = _BYLINE.match(content)
                assert byline is not None
                authors = (byline["name"].strip(),)
                published = published or find_date(byline["rest"] or "")
            elif kind == "heading":
                blocks.append(Block("heading", content, level=max(2, min(level, 4))))
            elif kind != "list_item" or options.lists:
                blocks.append(Block(kind, content))  # type: ignore[arg-type]
            kind = None
    return Article(
        title=title,
        blocks=tuple(blocks),
        authors=authors,
        published=published,
        language=meta.get("lang") or meta.get("language"),
        url=meta.get("url") or meta.get("canonical_url"),
        source=source.name,
    )


def _plain(token: Token) -> str:
    """Inline Markdown as plain text: emphasis and links dropped, their words kept."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            continue
    return "".join(parts)
