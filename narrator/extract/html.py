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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from .._exceptions import ArticleError
from ..load import Source
from ..types import Article, Block
from . import ExtractOptions, decode
from ._text import clean, find_date, is_sentence_like

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
    "form input button select textarea label nav footer aside figure figcaption h1 "
    "menu dialog map link meta"
).split()

# Words in a class, id, role, aria-label or data-component that name page furniture.
_FURNITURE = re.compile(
    r"""(?:^|[-_\s.:])(?:
        share|sharing|sharebar|social|newsletter|newsletters|subscribe|subscription|signup|
        sign-up|related|promo|promotion|advert|advertisement|ads?|adslot|sponsor|sponsored|
        cookie|cookies|consent|gdpr|comment|comments|reactions?|replies|discussion|disqus|live-?feed|livefeed|ticker|breadcrumbs?|
        tags?|tag-?list|topics|keywords|author-?bio|bio|byline|bylines|dateline|date|time|
        author-?(?:card|box|info|description|details|profile)|about-?(?:the-?)?author|
        dialog|alertdialog|cmp|highlights|storyhighlights|key-?events|key-?points|
        caption|credit|credits|read-?time|reading-?time|audio|player|listen|recommended|
        recommendations|editors?-?picks|picks|most-?read|most-?popular|popular|trending|
        sidebar|widget|popup|modal|overlay|skip|skip-?link|toolbar|masthead|navigation|nav|
        menu|banner|teaser|teasers|more-?stories|outbrain|taboola|paywall|print|disclaimer|
        pull-?quote|pullquote|correction|corrections|footnotes?|visually-?hidden|
        sr-only|screen-?reader|meta|article-?meta|timestamp|kicker|eyebrow|rubric|
        standfirst|dek|subtitle|summary|strapline|lede-?meta
    )(?:$|[-_\s.:])""",
    re.I | re.X,
)

_STANDFIRST = re.compile(
    r"(?:^|[-_\s])(?:standfirst|dek|deck|subtitle|sub-?headline|subhead|strapline|summary|"
    r"article-?summary|description|intro|intro-?text|excerpt|teaser-?text)(?:$|[-_\s])",
    re.I,
)

# Notes that are the publisher's, not the story's: read only on request.
_CORRECTION = re.compile(r"^(?:correction|clarification|editor['’]s note)\b[^:]{0,40}:", re.I)
# Boilerplate sentences some sites print inside the story's container.
_BOILERPLATE = re.compile(
    r"^(?:the (?:views|opinions) expressed (?:in this|here|are)|this (?:article|story|content) "
    r"(?:was|is) (?:produced|created|written) (?:with|by|in partnership)|"
    r"(?:this )?audio is (?:created|generated) with|subscribe to continue reading|"
    r"already a subscriber)",
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
    title = _first(_str(ld.get("headline")), meta.get("og:title"), meta.get("twitter:title"), h1_text)
    if title:
        title = _strip_site(title, site_name)
    elif soup.title is not None:
        # Only the <title>: "Site - Headline" or "Headline | Site".
        title, site = _split_title(_text(soup.title), site_name)
        site_name = site_name or site
    title = title or ""
    if not site_name and soup.title is not None:
        headline, site = _split_title(_text(soup.title), None)
        site_name = site if site and headline else None
    standfirst = _standfirst(soup, h1 if isinstance(h1, Tag) else None, meta, ld)
    # Read before cleaning, which removes bylines and datelines from the page.
    authors = _authors(ld, meta, soup)
    published = _first(
        _str(ld.get("datePublished")),
        meta.get("article:published_time"),
        meta.get("og:published_time"),
        meta.get("datepublished"),
        meta.get("date"),
        meta.get("dc.date"),
        _itemprop_date(soup),
        _time_tag(soup),
        _dateline(soup),
    )
    locked = _locked(ld, soup)

    root = soup.body or soup
    _clean(root, options)
    units = list(_units(root))
    blocks = list(_read(units, _locate(root, units), options))
    blocks = _drop_repeats(blocks, title, standfirst, options)
    blocks = _drop_orphan_headings(blocks)
    if not any(b.kind != "heading" for b in blocks):
        body = ld.get("articleBody")
        if isinstance(body, str):
            blocks = [Block("paragraph", clean(p)) for p in re.split(r"\n\s*\n|\n", body) if clean(p)]
            standfirst = standfirst or _str(ld.get("description"))
    if locked and sum(len(b.text.split()) for b in blocks) < _TEASER_WORDS:
        raise ArticleError(
            f"{source.name} shows only the teaser of a paywalled article; save the page while "
            "logged in, or narrate the publisher's full text."
        )
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
        authors=authors,
        published=published,
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
        # Inside the element, not beside it: inserting beside costs a search of the
        # parent's children each time, quadratic on a page of 100,000 paragraphs.
        if tag.name == "br":
            tag.append("\n")  # two in a row separate paragraphs of loose text
        else:
            tag.insert(0, " ")
            tag.append(" ")


def _text(tag: Tag) -> str:
    """The visible text of an element, whitespace collapsed."""
    return clean(tag.get_text(""))


_TEASER_WORDS = 150
"""A locked page with less story than this shows only a teaser."""


def _locked(ld: dict[str, Any], soup: BeautifulSoup) -> bool:
    """Whether the page says its article is behind a paywall."""
    free = ld.get("isAccessibleForFree")
    if free is False or (isinstance(free, str) and free.strip().lower() == "false"):
        return True
    return (
        soup.find(class_=re.compile(r"(?:^|[-_])(?:paywall|paywalled|is-locked)(?:$|[-_])", re.I)) is not None
    )


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


_ROLES = set(
    "staff reporter reporters editor editors correspondent correspondents writer writers "
    "columnist critic producer contributor contributors desk team newsroom agency agencies "
    "senior chief deputy political business sports science health news press".split()
)
_NAME_WORD = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w.’'-]*|de|da|di|du|van|von|der|den|la|le|al|bin|ibn|y)$")
_AUTHOR_LINK = re.compile(
    r"/(?:author|authors|by|profile|profiles|people|staff|writers?|contributors?|user)/", re.I
)
_BYLINE_NAMES = re.compile(
    r"(?:^|[-_\s])(?:by-?line|author|authors|writer|contributor|submitted)(?:$|[-_\s])", re.I
)


def _person(text: str) -> str | None:
    """``text`` if it reads as a person's name: one to five capitalised words, no digits."""
    text = re.sub(
        r"^\s*(?:(?:submitted|written|words|reporting)\s+)?by\s+", "", clean(text), flags=re.I
    ).strip(" ,.")
    words = text.split()
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in text):
        return None
    if any(w.lower().strip(".,") in _ROLES for w in words):
        return None
    if not words[0][0].isupper() or not all(_NAME_WORD.match(w) for w in words):
        return None
    return text


def _names_in(text: str) -> list[str]:
    """Names in a byline such as "By A, B and C | 5 June"."""
    text = re.sub(r"^\s*(?:(?:submitted|written|words|reporting)\s+)?by\s+", "", clean(text), flags=re.I)
    text = re.split(r"\s+(?:\||·|—|–|on)\s+|\s*,\s*(?=[A-Z][a-z]+ \d)|\s+\d", text)[0]
    found = []
    for part in re.split(r"\s*,\s*|\s+and\s+|\s*&\s*", text):
        name = _person(part)
        if name and name not in found:
            found.append(name)
    return found


def _authors(ld: dict[str, Any], meta: dict[str, str], soup: BeautifulSoup) -> tuple[str, ...]:
    """Authors from JSON-LD, then author meta tags, then the page's byline."""
    value = ld.get("author")
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        name = _ld_name(item)
        if name and name not in names and not name.startswith("http"):
            names.append(name)
    if names:
        return tuple(names)
    for key in ("author", "byl", "article:author", "parsely-author", "sailthru.author", "dc.creator"):
        if meta.get(key) and not meta[key].startswith("http"):
            found = _names_in(meta[key])
            if found:
                return tuple(found)
    bylines = [
        t for t in soup.find_all(True) if _BYLINE_NAMES.search(_names(t)) and len(_text(t).split()) <= 30
    ]
    for tag in bylines:
        linked = [name for a in tag.find_all("a") if (name := _person(_text(a)))]
        found = linked or _names_in(_text(tag))
        if found:
            return tuple(dict.fromkeys(found))
    for a in soup.find_all("a", href=True):
        rel = [str(r).lower() for r in a.get_attribute_list("rel") if r]
        if "author" in rel or _AUTHOR_LINK.search(str(a["href"])):
            name = _person(_text(a))
            if name:
                return (name,)
    body = soup.body or soup
    for string in body.find_all(string=re.compile(r"^\s*By\s+[A-ZÀ-Þ]")):
        if len(string) < 120:
            found = _names_in(str(string).splitlines()[0] if str(string).strip() else "")
            if found:
                return tuple(found)
    return ()


def _time_tag(soup: BeautifulSoup) -> str | None:
    tag = soup.find("time", attrs={"datetime": True})
    return _attr(tag, "datetime") if isinstance(tag, Tag) else None


def _itemprop_date(soup: BeautifulSoup) -> str | None:
    """A microdata ``datePublished`` on any element (``content``, ``datetime`` or its text)."""
    tag = soup.find(itemprop="datePublished")
    if not isinstance(tag, Tag):
        return None
    return _attr(tag, "content") or _attr(tag, "datetime") or find_date(_text(tag))


def _dateline(soup: BeautifulSoup) -> str | None:
    """A date written in a "Posted: …" or "Published …" line, as on older sites."""
    body = soup.body or soup
    for string in body.find_all(string=re.compile(r"\b(?:posted|published|first published)\b", re.I)):
        text = str(string)
        if len(text) < 150:
            found = find_date(text)
            if found:
                return found
    return None


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


_TITLE_SEPARATOR = re.compile(r"\s+(?:\||::|-|–|—|·)\s+")


def _split_title(text: str, site_name: str | None) -> tuple[str, str | None]:
    """Headline and site name from a ``<title>`` such as "Site - Headline"."""
    parts = [p for p in _TITLE_SEPARATOR.split(text) if p]
    if len(parts) < 2:
        return text, None
    if site_name and site_name.lower() in (p.lower() for p in parts):
        rest = [p for p in parts if p.lower() != site_name.lower()]
        return " - ".join(rest), site_name
    ends = [parts[0], parts[-1]]
    site = min(ends, key=len)
    if len(site.split()) <= 5:
        return " - ".join(p for p in parts if p is not site), site
    return text, None


def _standfirst(soup: BeautifulSoup, h1: Tag | None, meta: dict[str, str], ld: dict[str, Any]) -> str | None:
    """The visible subtitle under the headline.

    Either an element marked as one (``standfirst``, ``dek``, ``subtitle``, ``excerpt``…),
    or, among the first elements after the headline, one whose text is the page's
    description (``og:description`` and friends), as it is on most news sites.
    """
    descriptions = {
        _norm(d)
        for d in (
            meta.get("description"),
            meta.get("og:description"),
            meta.get("twitter:description"),
            _str(ld.get("description")),
        )
        if d
    }
    candidates: list[Tag] = []
    if h1 is not None:
        candidates = [t for t in h1.find_all_next(["p", "div", "h2", "h3", "span"], limit=40)]
    for tag in candidates:
        if tag.find(["p", "div", "h2", "h3"]) is not None:
            continue
        text = _text(tag)
        words = len(text.split())
        marked = _STANDFIRST.search(_names(tag)) or (
            isinstance(tag.parent, Tag) and _STANDFIRST.search(_names(tag.parent))
        )
        candidate = 5 <= words <= 80 and (marked or _norm(text) in descriptions)
        if candidate and not _furniture(tag, ignore=_STANDFIRST):
            return text
        if tag.name == "p" and is_sentence_like(text) and words > 25 and not marked:
            break  # the story has begun
    return None


# -- cleaning ---------------------------------------------------------------------------


def _names(tag: Tag) -> str:
    """Class, id, role, label and component names of an element, space separated."""
    parts: list[str] = []
    for attr in (
        "class",
        "id",
        "role",
        "aria-label",
        "data-component",
        "data-module",
        "data-testid",
        "itemprop",
    ):
        value = tag.get(attr)
        if isinstance(value, list):
            parts.extend(value)
        elif isinstance(value, str):
            parts.append(value)
    return " ".join(parts)


# Class names that describe an element rather than name its role: WordPress's
# "tag-raleigh" on an article, "has-main-navigation" on <body>, "is-sticky"…
_DESCRIPTIVE = re.compile(
    r"^(?:has|is|with|no|not|tag|tags|category|format|type|status|post|postid|page|template|"
    r"single|lang|theme|layout|color|colour|bg|text|font|align|size|u|js|wp|style|after|before)[-_]",
    re.I,
)


def _furniture(tag: Tag, ignore: re.Pattern[str] | None = None) -> bool:
    """Whether the element's class, id, role or label names page furniture."""
    names = _names(tag)
    if not names:
        return False
    if re.search(r"articlebody|article-?body|story-?body|post-?content|entry-content", names, re.I):
        return False
    for token in names.split():
        if _DESCRIPTIVE.match(token):
            continue
        match = _FURNITURE.search(token)
        if match is not None and not (ignore is not None and ignore.search(match.group(0))):
            return True
    return False


def _gone(tag: Tag) -> bool:
    """Whether ``tag`` was removed with an ancestor.

    Reads the flag directly: ``Tag.decomposed`` falls back to ``Tag.__getattr__``, which
    searches the whole subtree for a child named ``_decomposed`` on every live element.
    """
    return bool(tag.__dict__.get("_decomposed", False))


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
        if _gone(tag):
            continue
        if tag.name == "aside" and options.pull_quotes and "pull" in _names(tag).lower():
            continue
        tag.decompose()
    protected = {id(t) for t in root.find_all(itemprop=re.compile("articleBody", re.I))}
    # An element holding most of the page's prose is the story, whatever its class says
    # (Substack's "newsletter-post", Drupal's "field--label-hidden").
    weights = _weights(list(_units(root)), root)
    total = weights.get(id(root), 0)
    protected |= {key for key, weight in weights.items() if total and weight > 0.5 * total}
    # Ancestors of a protected element stay too.
    guarded = {id(a) for t in root.find_all(True) if id(t) in protected for a in t.parents}
    for tag in list(root.find_all(True)):
        if _gone(tag) or id(tag) in protected:
            continue
        if _hidden(tag):
            tag.decompose()
            continue
        if tag.name in ("html", "body", "main"):
            continue
        ignore = _CAPTION if options.captions else None
        if _furniture(tag, ignore=ignore) and id(tag) not in guarded:
            tag.decompose()
    if options.captions:
        for credit in root.find_all(class_=re.compile(r"credit", re.I)):
            credit.decompose()


_CAPTION = re.compile(r"caption", re.I)


# -- locating ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """A block of text in document order, before the story's root is known."""

    kind: str
    """``paragraph``, ``heading``, ``quote`` or ``list_item``."""
    text: str
    """Its visible text."""
    parent: Tag
    """The element it lies in; the story's root is found among these."""
    level: int = 0
    """Heading level."""
    linked: float = 0.0
    """Share of its text inside links."""
    tag: str = "p"
    """The element that made it; ``#text`` for loose text between ``<br>`` breaks."""


_INLINE = set(
    "a abbr b bdi bdo big br cite code data del dfn em font i ins kbd mark nobr q s samp small "
    "span strike strong sub sup time tt u var wbr".split()
)


def _units(root: Tag) -> Iterator[_Unit]:
    """Every block of text under ``root``, in document order.

    Besides paragraphs, headings, quotes and list items, text that sits loose in a
    ``<div>`` (old layouts separate paragraphs with ``<br><br>``, some sites use ``<div>``
    for paragraphs) is read as paragraphs split at blank lines. The walk keeps its own
    stack, so pages nested thousands of levels deep are read like any other.
    """
    # Each frame: the element, its remaining children, loose text so far, linked length.
    stack: list[tuple[Tag, Iterator[Any], list[str], list[int]]] = [(root, iter(root.children), [], [0])]
    while stack:
        node, children, run, linked = stack[-1]
        child = next(children, None)
        if child is None:
            yield from _flush(node, run, linked)
            stack.pop()
            continue
        if isinstance(child, NavigableString):
            if not isinstance(child, Comment):
                run.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        if child.name in _INLINE and child.find(_BREAKING - {"br"}) is None:
            text = child.get_text("")
            run.append(text)
            links = [child] if child.name == "a" else child.find_all("a")
            linked[0] += sum(len(_text(a)) for a in links)
            continue
        yield from _flush(node, run, linked)
        name = child.name
        if name in _BLOCK_TAGS or name == "figcaption":
            if name == "blockquote" and child.find("p") is not None:
                for p in child.find_all("p"):  # a quote of several paragraphs
                    yield _unit(p, "quote", node)
                continue
            yield _unit(child, _BLOCK_TAGS.get(name, "paragraph"), node)
        elif name in ("ul", "ol"):
            for li in child.find_all("li", recursive=False):
                yield _unit(li, "list_item", child)
        elif name == "table" and _data_table(child):
            continue  # a table of data is never read cell by cell
        elif name != "pre":
            stack.append((child, iter(child.children), [], [0]))


def _flush(node: Tag, run: list[str], linked: list[int]) -> Iterator[_Unit]:
    """Loose text gathered in ``node`` so far, as paragraphs split at blank lines."""
    if not run:
        return
    text = "".join(run)
    total = max(len(clean(text)), 1)
    share = min(linked[0] / total, 1.0)
    for part in re.split(r"\n[ \t\r\f]*\n", text):
        part = clean(part)
        if part:
            yield _Unit("paragraph", part, node, linked=share, tag="#text")
    run.clear()
    linked[0] = 0


def _data_table(table: Tag) -> bool:
    """A table of data (headers, a caption), as opposed to an old page's layout grid."""
    if table.find("table") is not None:
        return False
    return table.find(["th", "caption", "thead"]) is not None or (
        len(table.find_all("tr")) > 2 and not any(is_sentence_like(_text(td)) for td in table.find_all("td"))
    )


def _unit(tag: Tag, kind: str, parent: Tag) -> _Unit:
    text = _text(tag)
    linked = sum(len(_text(a)) for a in tag.find_all("a")) / max(len(text), 1)
    level = min(int(tag.name[1]), 4) if kind == "heading" else 0
    return _Unit(kind, text, tag.parent if isinstance(tag.parent, Tag) else parent, level, linked, tag.name)


def _prose(unit: _Unit) -> int:
    """How much a unit counts as story prose when looking for the story."""
    if unit.kind == "heading" or unit.linked > 0.5 or _PROMO_TEXT.match(unit.text):
        return 0
    return len(unit.text) if is_sentence_like(unit.text) else 0


def _weights(units: list[_Unit], root: Tag) -> dict[int, int]:
    """Prose weight of every element under ``root`` (by ``id``), ``root`` included."""
    weights: dict[int, int] = {}
    for unit in units:
        w = _prose(unit)
        node: Tag | None = unit.parent
        while w and node is not None:
            weights[id(node)] = weights.get(id(node), 0) + w
            if node is root:
                break
            node = node.parent
    return weights


def _locate(root: Tag, units: list[_Unit]) -> Tag:
    """The smallest element holding most of the page's prose."""
    weights = _weights(units, root)
    total = weights.get(id(root), 0)
    node = root
    while total:
        best = max(
            (c for c in node.children if isinstance(c, Tag)),
            key=lambda c: weights.get(id(c), 0),
            default=None,
        )
        if best is None or weights.get(id(best), 0) < 0.8 * total:
            break
        node = best
    return node


def _within(unit: _Unit, root: Tag) -> bool:
    node: Tag | None = unit.parent
    while node is not None:
        if node is root:
            return True
        node = node.parent
    return False


# -- reading ----------------------------------------------------------------------------


def _read(units: list[_Unit], root: Tag, options: ExtractOptions) -> Iterator[Block]:
    for unit in units:
        if not _within(unit, root):
            continue
        text = unit.text
        if unit.kind == "list_item" and not options.lists:
            continue
        if unit.tag == "figcaption":
            yield Block("paragraph", _end_sentence(text))
            continue
        if not text or _READ_TIME.match(text) or _PROMO_TEXT.match(text) or _BOILERPLATE.match(text):
            continue
        if not options.corrections and _CORRECTION.match(text):
            continue
        if unit.kind == "heading" and len(text) <= 200:
            yield Block("heading", text, level=unit.level)
            continue
        if unit.linked > 0.5:
            continue
        if unit.tag != "p" and unit.kind == "paragraph" and not is_sentence_like(text):
            continue
        yield Block("paragraph" if unit.kind == "heading" else unit.kind, text)  # type: ignore[arg-type]


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
