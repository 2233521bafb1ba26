"""Find the story in a news or blog page, with the metadata its intro and tags need.

Metadata comes from the most trusted source that has it: JSON-LD (``NewsArticle``,
``Article``, ``BlogPosting``, also inside ``@graph``), then OpenGraph and ``<meta>``
tags, then the page itself.

The body is found in three steps:

1. *Clean*: drop what is never story — scripts, navigation, forms, figures, hidden
   elements — and every element whose class, id, role or label names page furniture
   (share bars, newsletter boxes, related stories, live feeds, comments, bylines…).
2. *Locate*: weigh every prose paragraph by its length and descend from ``<body>`` while
   one child holds most of the weight; that element is the story's root.
3. *Read*: walk the root in document order collecting headings, paragraphs, quotes and
   list items, and drop link lists, inline promos and repeats (pull quotes).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from .._exceptions import ArticleError
from ..load import Source
from ..types import Article, Block
from . import ExtractOptions, decode
from ._text import clean, is_sentence_like

__all__ = ["extract_html"]

log = logging.getLogger(__name__)

_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "liveblogposting",
    "techarticle",
    "scholarlyarticle",
    "report",
    "socialmediaposting",
}

# Elements that never hold story text a listener should hear.
_DROP_TAGS = (
    "script style noscript template svg canvas iframe object embed video audio picture "
    "form input button select textarea label nav footer header aside figure figcaption "
    "menu dialog map link meta"
).split()

# Words in a class, id, role, aria-label or data-component that name page furniture.
_FURNITURE = re.compile(
    r"""(?:^|[-_\s.:])(?:
        share|sharing|sharebar|social|newsletter|newsletters|subscribe|subscription|signup|
        sign-up|related|promo|promotion|advert|advertisement|ads?|adslot|sponsor|sponsored|
        cookie|cookies|consent|gdpr|comment|comments|live-?feed|livefeed|ticker|breadcrumbs?|
        tags?|tag-?list|topics|keywords|author-?bio|bio|byline|bylines|dateline-?meta|
        caption|credit|credits|read-?time|reading-?time|audio|player|listen|recommended|
        recommendations|editors?-?picks|picks|most-?read|most-?popular|popular|trending|
        sidebar|widget|popup|modal|overlay|skip|skip-?link|toolbar|masthead|navigation|nav|
        menu|banner|teaser|teasers|more-?stories|outbrain|taboola|paywall|print|disclaimer|
        pull-?quote|pullquote|correction|corrections|footnotes?|hidden|visually-?hidden|
        sr-only|screen-?reader|meta|article-?meta|timestamp|kicker|eyebrow|rubric|
        standfirst|dek|subtitle|summary|strapline|lede-?meta|headline
    )(?:$|[-_\s.:])""",
    re.I | re.X,
)

_STANDFIRST = re.compile(
    r"(?:^|[-_\s])(?:standfirst|dek|subtitle|sub-?headline|subhead|strapline|summary|"
    r"article-?summary|description|intro-?text)(?:$|[-_\s])",
    re.I,
)

_PROMO_TEXT = re.compile(
    r"^(?:read more|read also|also read|see also|related|more on this|more from|"
    r"recommended|watch|listen|sign up|subscribe|advertisement|click here|follow us|"
    r"share this|copy link|photo|image|credit|pictured)\b\s*[:|–—-]",
    re.I,
)
_READ_TIME = re.compile(r"^\d+\s*(?:min|minute)s?\.?\s*(?:read|listen)$", re.I)
_TITLE_SUFFIX = re.compile(r"\s+[|–—·:-]\s+[^|–—·:]{2,60}$")

_BLOCK_TAGS = {
    "p": "paragraph",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "blockquote": "quote",
    "li": "list_item",
}
_CONTAINER_BLOCKS = {"div", "section", "article", "main", "td"}


def extract_html(source: Source, options: ExtractOptions) -> Article:
    """Extract the article from an HTML page."""
    text = decode(source)
    soup = BeautifulSoup(text, "lxml")
    if soup.find() is None:
        raise ArticleError(f"{source.name} holds no HTML elements; is it really a web page?")
    _space_blocks(soup)

    ld = _json_ld(soup)
    meta = _meta_tags(soup)
    site_name = _first(meta.get("og:site_name"), _ld_name(ld.get("publisher")))
    h1 = soup.find("h1")
    h1_text = _text(h1) if isinstance(h1, Tag) else ""
    title = _first(
        _str(ld.get("headline")),
        meta.get("og:title"),
        meta.get("twitter:title"),
        h1_text,
        _text(soup.title) if soup.title else None,
    )
    title = _strip_site(title or "", site_name)
    standfirst = _standfirst(soup, h1 if isinstance(h1, Tag) else None, meta, options)

    root = soup.body or soup
    _clean(root, options)
    blocks = list(_read(_locate(root), options))
    blocks = _drop_repeats(blocks, title, standfirst, options)
    blocks = _drop_orphan_headings(blocks)
    if not any(b.kind != "heading" for b in blocks):
        body = ld.get("articleBody")
        if isinstance(body, str):
            blocks = [Block("paragraph", clean(p)) for p in re.split(r"\n\s*\n|\n", body) if clean(p)]
    if standfirst and blocks and blocks[0].text == standfirst:
        blocks = blocks[1:]

    lang = _first(
        _attr(soup.html, "lang") if soup.html else None,
        _str(ld.get("inLanguage")),
        (meta.get("og:locale") or "").replace("_", "-") or None,
    )
    return Article(
        title=title or "",
        blocks=tuple(blocks),
        standfirst=standfirst,
        authors=_authors(ld, meta, soup),
        published=_first(
            _str(ld.get("datePublished")),
            meta.get("article:published_time"),
            meta.get("og:published_time"),
            meta.get("datepublished"),
            meta.get("date"),
            meta.get("dc.date"),
            _time_tag(soup),
        ),
        site_name=site_name,
        language=lang,
        url=_first(_canonical(soup), meta.get("og:url"), _ld_url(ld), source.url),
        image=_first(meta.get("og:image"), _ld_image(ld.get("image"))),
        source=source.name,
    )


# Elements that break a line when rendered; text on either side never runs together.
_BREAKING = set(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)


def _space_blocks(soup: BeautifulSoup) -> None:
    """Put a space around every line-breaking element, so text can be joined with "".

    Joining the strings of an element with a space would put one before a comma that
    follows a link (``<a>Trust</a>, a charity``); joining with nothing would glue the
    words of two paragraphs. With breaks spaced, joining with nothing is right for both.
    """
    for tag in soup.find_all(_BREAKING):
        if tag.name == "br":
            tag.replace_with(" ")
        else:
            tag.insert_before(" ")
            tag.insert_after(" ")


def _text(tag: Tag) -> str:
    """The visible text of an element, whitespace collapsed."""
    return clean(tag.get_text(""))


# -- metadata ---------------------------------------------------------------------------


def _json_ld(soup: BeautifulSoup) -> dict[str, Any]:
    """The first article-typed JSON-LD object on the page, or ``{}``."""
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.I)):
        try:
            data = json.loads(script.string or script.get_text() or "null", strict=False)
        except (json.JSONDecodeError, RecursionError):
            continue
        for node in _ld_nodes(data):
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                return node
    return {}


def _ld_nodes(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _ld_nodes(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _ld_nodes(data["@graph"])


def _meta_tags(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = _attr(tag, "property") or _attr(tag, "name") or _attr(tag, "itemprop")
        value = _attr(tag, "content")
        if key and value and key.lower() not in found:
            found[key.lower()] = clean(value)
    return found


def _attr(tag: Tag | None, name: str) -> str | None:
    if tag is None:
        return None
    value = tag.get(name)
    if isinstance(value, list):
        value = " ".join(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return clean(value)
    return None


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list):
        return _first(*(_ld_name(v) for v in value))
    if isinstance(value, dict):
        return _str(value.get("name"))
    return _str(value)


def _ld_url(ld: dict[str, Any]) -> str | None:
    page = ld.get("mainEntityOfPage")
    if isinstance(page, dict):
        page = page.get("@id") or page.get("url")
    return _first(_str(ld.get("url")), _str(page))


def _ld_image(value: Any) -> str | None:
    if isinstance(value, list):
        return _first(*(_ld_image(v) for v in value))
    if isinstance(value, dict):
        return _str(value.get("url")) or _str(value.get("contentUrl"))
    return _str(value)


def _authors(ld: dict[str, Any], meta: dict[str, str], soup: BeautifulSoup) -> tuple[str, ...]:
    value = ld.get("author")
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        name = _ld_name(item)
        if name and name not in names:
            names.append(name)
    if names:
        return tuple(names)
    if meta.get("author") and not meta["author"].startswith("http"):
        return (meta["author"],)
    tag = soup.select_one('[rel~="author"]') or soup.find(class_=re.compile(r"byline", re.I))
    if isinstance(tag, Tag):
        text = re.sub(r"^\s*by\s+", "", _text(tag), flags=re.I)
        text = re.split(r"\s+(?:\||·|—|–)\s+|,\s*(?=\w+ \d)", text)[0]
        if 0 < len(text.split()) <= 8:
            return (text,)
    return ()


def _time_tag(soup: BeautifulSoup) -> str | None:
    tag = soup.find("time", attrs={"datetime": True})
    return _attr(tag, "datetime") if isinstance(tag, Tag) else None


def _canonical(soup: BeautifulSoup) -> str | None:
    for link in soup.find_all("link", href=True):
        rel = link.get_attribute_list("rel")
        if "canonical" in [str(r).lower() for r in rel if r]:
            return _attr(link, "href")
    return None


def _strip_site(title: str, site_name: str | None) -> str:
    """Drop a trailing " | Site name" (or " - Site name") from a title."""
    if site_name and title.lower().endswith(site_name.lower()):
        stripped = _TITLE_SUFFIX.sub("", title)
        if stripped != title:
            return stripped
    match = _TITLE_SUFFIX.search(title)
    if match and "|" in match.group(0):
        return title[: match.start()]
    return title


def _standfirst(
    soup: BeautifulSoup, h1: Tag | None, meta: dict[str, str], options: ExtractOptions
) -> str | None:
    """The visible subtitle under the headline, if the page marks one."""
    candidates: Iterable[Tag] = soup.find_all(
        lambda t: t.name in ("p", "div", "h2") and _STANDFIRST.search(_names(t)) is not None
    )
    for tag in candidates:
        if tag.find(["p", "div"]) is not None and tag.name != "p":
            inner = tag.find("p")
            tag = inner if isinstance(inner, Tag) else tag
        if _furniture(tag, ignore=_STANDFIRST):
            continue
        text = _text(tag)
        if is_sentence_like(text) and len(text) < 600:
            return text
    return None


# -- cleaning ---------------------------------------------------------------------------


def _names(tag: Tag) -> str:
    """Class, id, role, label and component names of an element, space separated."""
    parts: list[str] = []
    for attr in ("class", "id", "role", "aria-label", "data-component", "data-module", "itemprop"):
        value = tag.get(attr)
        if isinstance(value, list):
            parts.extend(value)
        elif isinstance(value, str):
            parts.append(value)
    return " ".join(parts)


def _furniture(tag: Tag, ignore: re.Pattern[str] | None = None) -> bool:
    names = _names(tag)
    if not names:
        return False
    if re.search(r"articlebody|article-?body|story-?body|post-?content|entry-content", names, re.I):
        return False
    match = _FURNITURE.search(names)
    if match is None:
        return False
    return not (ignore is not None and ignore.search(match.group(0)))


def _hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = tag.get("style")
    return isinstance(style, str) and bool(re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", style))


def _clean(root: Tag, options: ExtractOptions) -> None:
    """Remove from ``root`` everything that is never story."""
    for comment in root.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    keep = {"figure", "figcaption"} if options.captions else set()
    for tag in root.find_all([t for t in _DROP_TAGS if t not in keep]):
        if tag.decomposed:
            continue
        if tag.name == "aside" and options.pull_quotes and "pull" in _names(tag).lower():
            continue
        tag.decompose()
    protected = {id(t) for t in root.find_all(itemprop=re.compile("articleBody", re.I))}
    for tag in list(root.find_all(True)):
        if tag.decomposed or id(tag) in protected:
            continue
        if _hidden(tag):
            tag.decompose()
            continue
        if tag.name in ("html", "body", "main", "article") and not _FURNITURE.search(
            _attr(tag, "class") or ""
        ):
            continue
        ignore = _CAPTION if options.captions else None
        if _furniture(tag, ignore=ignore) and not _holds(tag, protected):
            tag.decompose()
    if options.captions:
        for credit in root.find_all(class_=re.compile(r"credit", re.I)):
            credit.decompose()


_CAPTION = re.compile(r"caption", re.I)


def _holds(tag: Tag, protected: set[int]) -> bool:
    return bool(protected) and any(id(t) in protected for t in tag.find_all(True))


# -- locating ---------------------------------------------------------------------------


def _weight(tag: Tag) -> int:
    text = _text(tag)
    if not is_sentence_like(text) or _PROMO_TEXT.match(text):
        return 0
    return len(text)


def _locate(root: Tag) -> Tag:
    """The smallest element holding most of the page's prose."""
    weights: dict[int, int] = {}
    total = 0
    for p in root.find_all(["p", "blockquote", "li"]):
        w = _weight(p)
        if not w:
            continue
        total += w
        for parent in p.parents:
            weights[id(parent)] = weights.get(id(parent), 0) + w
            if parent is root:
                break
    if not total:
        return root
    node = root
    while True:
        best = max(
            (c for c in node.children if isinstance(c, Tag)),
            key=lambda c: weights.get(id(c), 0),
            default=None,
        )
        if best is None or weights.get(id(best), 0) < 0.8 * total:
            return node
        node = best


# -- reading ----------------------------------------------------------------------------


def _read(root: Tag, options: ExtractOptions) -> Iterator[Block]:
    for tag in _blocks(root):
        if tag.name == "li" and not options.lists:
            continue
        if tag.name == "figcaption":
            text = _text(tag)
            if text:
                yield Block("paragraph", _end_sentence(text))
            continue
        text = _text(tag)
        if not text or _READ_TIME.match(text) or _PROMO_TEXT.match(text):
            continue
        kind = _BLOCK_TAGS.get(tag.name, "paragraph")
        if kind == "heading":
            if len(text) > 200:
                kind = "paragraph"
            else:
                yield Block("heading", text, level=min(int(tag.name[1]), 4))
                continue
        if _link_density(tag, text) > 0.5:
            continue
        if kind == "list_item" and not is_sentence_like(text) and len(text.split()) < 3:
            continue
        if kind == "paragraph" and tag.name not in ("p", "figcaption") and not is_sentence_like(text):
            continue
        yield Block(kind, text)  # type: ignore[arg-type]


def _blocks(root: Tag) -> Iterator[Tag]:
    """Block-level elements to read, outermost first, in document order."""
    for child in root.children:
        if not isinstance(child, Tag):
            continue
        if child.name in _BLOCK_TAGS or child.name == "figcaption":
            if child.name == "blockquote" and child.find("p") is not None:
                # A quote of several paragraphs: read each one as a quote.
                for p in child.find_all("p"):
                    p.name = "blockquote"
                    yield p
                continue
            yield child
        elif child.name in ("ul", "ol"):
            yield from (li for li in child.find_all("li", recursive=False))
        elif child.find(list(_BLOCK_TAGS)) is not None or child.name in ("figure",):
            yield from _blocks(child)
        elif child.name in _CONTAINER_BLOCKS and _direct_text(child):
            yield child


def _direct_text(tag: Tag) -> bool:
    return any(isinstance(c, NavigableString) and c.strip() for c in tag.children)


def _link_density(tag: Tag, text: str) -> float:
    linked = sum(len(_text(a)) for a in tag.find_all("a"))
    return linked / max(len(text), 1)


def _end_sentence(text: str) -> str:
    return text if re.search(r"[.!?…]$", text) else text + "."


def _norm(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def _drop_repeats(
    blocks: list[Block], title: str, standfirst: str | None, options: ExtractOptions
) -> list[Block]:
    """Drop blocks read already: repeated paragraphs, pull quotes, the headline again."""
    seen_title = {_norm(title)}
    if standfirst:
        seen_title.add(_norm(standfirst))
    prose = [_norm(b.text) for b in blocks if b.kind == "paragraph"]
    out: list[Block] = []
    seen: set[str] = set()
    for block in blocks:
        key = _norm(block.text)
        if not key or key in seen or (block.kind != "heading" and key in seen_title and not out):
            continue
        if (
            block.kind == "quote"
            and not options.pull_quotes
            and any(key in other and key != other for other in prose)
        ):
            continue
        seen.add(key)
        out.append(block)
    return out


def _drop_orphan_headings(blocks: list[Block]) -> list[Block]:
    """Drop headings with nothing to read under them (a 'Related' heading, say)."""
    out: list[Block] = []
    for i, block in enumerate(blocks):
        if block.kind == "heading":
            following = next(
                (b for b in blocks[i + 1 :] if b.kind != "heading" or b.level <= block.level), None
            )
            if following is None or following.kind == "heading":
                continue
        out.append(block)
    return out
