"""Build and check a podcast RSS feed from published episodes.

:func:`build` reads every ``*.episode.json`` manifest under a folder (written by
:func:`narrator.publish.write_sidecars` beside each MP3) and writes an RSS 2.0 feed with
the iTunes and Podcasting 2.0 namespaces; :func:`check` reports every problem a podcast
directory would reject the feed for. The feed is written with lxml (feedgen cannot write
``itunes:explicit`` as ``true``/``false`` and has no ``podcast:`` namespace).

Builds are reproducible: an item's XML depends only on its manifest, its MP3's size and
the configuration, and the channel's dates are those of the newest episode, so rebuilding
after adding an episode changes only that item (and the channel's dates).

The configuration is a TOML file; ``tests/data/feed/feed.toml`` is a complete example.
"""

from __future__ import annotations

import logging
import re
import tempfile
import tomllib
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_tz
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, unquote, urlsplit

from lxml import etree  # type: ignore[import-untyped]

from . import __version__
from ._exceptions import FeedError
from ._files import atomic_path, atomic_write_bytes
from .cover import (
    artwork_extension_problem,
    artwork_problems,
    check_artwork,
    cover_for_id3,
    generate_cover,
)
from .load import is_http_url
from .publish import (
    DESCRIPTION_BYTES,
    EPISODE_TYPES,
    MANIFEST_SUFFIX,
    Manifest,
    canonical_url,
    load_manifest,
    xml_safe,
)

__all__ = [
    "APPLE_CATEGORIES",
    "COVER_NAME",
    "PROBLEM_CODES",
    "BuildResult",
    "FeedConfig",
    "Problem",
    "artwork_bytes",
    "build",
    "check",
    "config_from_mapping",
    "load_config",
    "podcast_guid",
]

log = logging.getLogger(__name__)

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
NSMAP = {"itunes": ITUNES, "content": CONTENT, "podcast": PODCAST, "atom": ATOM}

PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
"""Namespace of ``podcast:guid``'s UUIDv5, fixed by the Podcasting 2.0 specification."""
"""Longest description podcast directories accept, in UTF-8 bytes."""
COVER_NAME = "cover.png"
"""File the generated cover is written to, in the episodes folder, when the config names no image."""

APPLE_CATEGORIES: Mapping[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}
"""Apple Podcasts' categories and their subcategories."""

_TRANSCRIPT_TYPES = {
    "vtt": ("text/vtt", "captions"),
    "srt": ("application/x-subrip", "captions"),
    "json": ("application/json", None),
}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_DURATION = re.compile(r"^(\d+|\d{1,2}:\d{2}(:\d{2})?)$")


# Configuration --------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedConfig:
    """The show: what the channel says and where its files are served from."""

    title: str
    """Show title."""
    description: str
    """Show description, plain text, at most 4000 bytes."""
    link: str
    """The show's website."""
    language: str
    """BCP 47 language tag, e.g. ``en-GB``."""
    author: str
    """``itunes:author``: who makes the show."""
    email: str
    """``itunes:owner``'s address, where directories write to the owner."""
    category: str
    """An Apple Podcasts category, e.g. ``News``."""
    feed_url: str
    """Where the feed itself is served: ``atom:link rel="self"`` and the source of ``podcast:guid``."""
    base_url: str
    """URL of the episodes folder, ending in ``/``; MP3, sidecar and cover URLs are made from it."""
    subcategory: str | None = None
    """A subcategory of :attr:`category`, e.g. ``Daily News``."""
    owner: str | None = None
    """``itunes:owner``'s name; the author when not given."""
    explicit: bool = False
    """``itunes:explicit`` for the show and, unless a manifest says otherwise, each episode."""
    image: str | None = None
    """Artwork: an http(s) URL, or a path relative to the config file; None generates a cover."""
    copyright: str | None = None
    """Copyright line."""
    show_type: Literal["episodic", "serial"] = "episodic"
    """``itunes:type``: ``episodic`` (newest first) or ``serial``."""
    locked: bool = False
    """``podcast:locked``: ask other platforms not to import the feed."""
    guid: str | None = None
    """``podcast:guid`` override, to keep a show's GUID when its feed URL moves."""
    max_episodes: int | None = None
    """Most episodes listed, newest first; None lists all."""
    folder: Path = Path(".")
    """Folder of the config file; a relative :attr:`image` is found from here."""


_REQUIRED = {
    "title": "the show's name",
    "description": "a sentence or two about the show",
    "link": "the show's website, https://…",
    "language": "a language tag such as en-GB",
    "author": "who makes the show",
    "email": "the owner's e-mail address",
    "category": "an Apple Podcasts category such as News",
    "feed_url": "where feed.xml will be served, https://…/feed.xml",
    "base_url": "the URL the episodes folder is served at, https://…/",
}
_OPTIONAL = (
    "subcategory",
    "owner",
    "explicit",
    "image",
    "copyright",
    "type",
    "locked",
    "guid",
    "max_episodes",
)


def load_config(path: Path) -> FeedConfig:
    """Read and validate a feed configuration (TOML); :class:`FeedError` names each mistake and its fix."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise FeedError(
            f"feed config {path} does not exist; write one (see the README's feed.toml)."
        ) from exc
    except OSError as exc:
        raise FeedError(f"cannot read feed config {path} ({exc.strerror}).") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FeedError(f"feed config {path} is not valid TOML ({exc}); fix that line.") from exc
    return config_from_mapping(data, folder=path.parent, where=str(path))


def config_from_mapping(
    data: Mapping[str, Any], *, folder: Path = Path("."), where: str = "feed config"
) -> FeedConfig:
    """Validate a parsed configuration table; see :func:`load_config`."""
    for key in data:
        if key not in _REQUIRED and key not in _OPTIONAL:
            valid = ", ".join([*_REQUIRED, *_OPTIONAL])
            raise FeedError(f"unknown key {key!r} in {where}; remove it or use one of: {valid}.")
    for key, what in _REQUIRED.items():
        if key not in data:
            raise FeedError(f'{where} has no {key!r}; add {key} = "…" ({what}).')

    def text(key: str, *, optional: bool = False) -> str | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise FeedError(f"{key!r} in {where} must be a non-empty string in quotes, not {value!r}.")
        return value.strip()

    def flag(key: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise FeedError(f"{key!r} in {where} must be true or false (no quotes), not {value!r}.")
        return value

    values = {key: text(key) for key in _REQUIRED}
    for key in ("link", "feed_url", "base_url"):
        url = values[key] or ""
        if not is_http_url(url) or not url.isascii() or " " in url:
            raise FeedError(
                f"{key!r} in {where} is {url!r}; give an absolute http(s) URL in ASCII "
                "(percent-encode other characters, use the punycode host name)."
            )
    base_url = values["base_url"] or ""
    if not base_url.endswith("/"):
        base_url += "/"
    language = values["language"] or ""
    if not _LANGUAGE.match(language):
        raise FeedError(f"'language' in {where} is {language!r}; use a language tag such as en or en-GB.")
    email = values["email"] or ""
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise FeedError(f"'email' in {where} is {email!r}; give an address such as podcast@example.org.")
    description = values["description"] or ""
    if len(description.encode("utf-8")) > DESCRIPTION_BYTES:
        raise FeedError(
            f"'description' in {where} is {len(description.encode())} bytes; "
            f"shorten it to {DESCRIPTION_BYTES}."
        )
    category = values["category"] or ""
    if category not in APPLE_CATEGORIES:
        raise FeedError(
            f"'category' in {where} is {category!r}, not an Apple Podcasts category; "
            f"use one of: {', '.join(APPLE_CATEGORIES)}."
        )
    subcategory = text("subcategory", optional=True)
    if subcategory is not None and subcategory not in APPLE_CATEGORIES[category]:
        choices = ", ".join(APPLE_CATEGORIES[category]) or "none (leave subcategory out)"
        raise FeedError(f"'subcategory' in {where} is {subcategory!r}; under {category} use: {choices}.")
    show_type = data.get("type", "episodic")
    if show_type not in ("episodic", "serial"):
        raise FeedError(f'\'type\' in {where} is {show_type!r}; use "episodic" or "serial".')
    max_episodes = data.get("max_episodes")
    if max_episodes is not None and (
        not isinstance(max_episodes, int) or isinstance(max_episodes, bool) or max_episodes < 1
    ):
        raise FeedError(
            f"'max_episodes' in {where} must be a whole number of at least 1, not {max_episodes!r}."
        )
    guid = text("guid", optional=True)
    if guid is not None:
        try:
            guid = str(uuid.UUID(guid))
        except ValueError as exc:
            raise FeedError(f"'guid' in {where} is {guid!r}, not a UUID; remove it to derive one.") from exc
    image = text("image", optional=True)
    if image is not None and not is_http_url(image):
        problem = artwork_extension_problem(image)
        if problem:
            raise FeedError(f"'image' in {where}: {problem}")
    return FeedConfig(
        title=values["title"] or "",
        description=description,
        link=values["link"] or "",
        language=language,
        author=values["author"] or "",
        email=email,
        category=category,
        feed_url=values["feed_url"] or "",
        base_url=base_url,
        subcategory=subcategory,
        owner=text("owner", optional=True),
        explicit=flag("explicit"),
        image=image,
        copyright=text("copyright", optional=True),
        show_type=show_type,
        locked=flag("locked"),
        guid=guid,
        max_episodes=max_episodes,
        folder=Path(folder),
    )


def podcast_guid(feed_url: str) -> str:
    """``podcast:guid``: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


# Build ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` wrote."""

    path: Path
    """The feed file."""
    guids: tuple[str, ...]
    """GUIDs of the listed episodes, newest first."""
    dropped: int
    """Episodes left out by ``max_episodes``."""
    image_url: str
    """The show's artwork URL."""
    podcast_guid: str
    """The channel's ``podcast:guid``."""


@dataclass(frozen=True)
class _Published:
    manifest: Manifest
    where: Path
    relative: str
    size: int


def _q(tag: str) -> str:
    prefix, _, local = tag.rpartition(":")
    return f"{{{NSMAP[prefix]}}}{local}" if prefix else local


def _clean(value: str) -> str:
    return xml_safe(value)


def _sub(parent: etree._Element, tag: str, text: str | None = None, /, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), {k: _clean(v) for k, v in attrib.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _url(base_url: str, relative: str) -> str:
    return base_url + quote(relative, safe="/-._~")


def _rfc2822(manifest: Manifest) -> str:
    return format_datetime(manifest.published_at)


def _read(episodes_dir: Path) -> list[_Published]:
    found: list[_Published] = []
    for where in sorted(episodes_dir.rglob(f"*{MANIFEST_SUFFIX}")):
        if where.name.startswith("."):
            continue
        manifest = load_manifest(where)
        mp3 = where.parent / manifest.audio.file
        if not mp3.is_file():
            raise FeedError(
                f"{where} describes {mp3.name}, which is missing; narrate it again or delete the manifest."
            )
        try:
            relative = mp3.resolve().relative_to(episodes_dir.resolve()).as_posix()
        except ValueError as exc:
            raise FeedError(
                f"{where} names {manifest.audio.file}, outside {episodes_dir}; fix its audio.file."
            ) from exc
        size = mp3.stat().st_size
        if size != manifest.audio.bytes:
            log.warning(
                "%s: %s is %d bytes, the manifest says %d; using the file",
                where,
                mp3.name,
                size,
                manifest.audio.bytes,
            )
        found.append(_Published(manifest, where, relative, size))
    return found


def _item(channel: etree._Element, episode: _Published, config: FeedConfig) -> None:
    m = episode.manifest
    folder = episode.relative.rpartition("/")[0]
    prefix = f"{folder}/" if folder else ""
    item = _sub(channel, "item")
    _sub(item, "title", m.title)
    _sub(item, "description", m.description or m.title)
    link = canonical_url(m.url)
    if link:
        _sub(item, "link", link)
    _sub(item, "guid", m.guid, isPermaLink="false")
    _sub(item, "pubDate", _rfc2822(m))
    _sub(
        item,
        "enclosure",
        url=_url(config.base_url, episode.relative),
        length=str(episode.size),
        type="audio/mpeg",
    )
    _sub(item, "itunes:duration", str(round(m.audio.duration)))
    explicit = m.extra.get("explicit", config.explicit)
    _sub(item, "itunes:explicit", "true" if explicit is True else "false")
    episode_type = m.extra.get("episode_type", "full")
    _sub(item, "itunes:episodeType", episode_type if episode_type in EPISODE_TYPES else "full")
    if m.authors:
        _sub(item, "itunes:author", ", ".join(m.authors))
    if "chapters" in m.sidecars:
        _sub(
            item,
            "podcast:chapters",
            url=_url(config.base_url, prefix + m.sidecars["chapters"]),
            type="application/json+chapters",
        )
    for fmt, (mime, rel) in _TRANSCRIPT_TYPES.items():
        if fmt not in m.sidecars:
            continue
        attrib = {
            "url": _url(config.base_url, prefix + m.sidecars[fmt]),
            "type": mime,
            "language": m.language or config.language,
        }
        if rel:
            attrib["rel"] = rel
        _sub(item, "podcast:transcript", **attrib)


def _artwork(config: FeedConfig, episodes_dir: Path) -> str:
    """The artwork URL; a local image is copied into the episodes folder, a missing one generated."""
    if config.image and is_http_url(config.image):
        return config.image
    if config.image is None:
        generate_cover(config.title, episodes_dir / COVER_NAME)
        return _url(config.base_url, COVER_NAME)
    source = (config.folder / config.image).resolve()
    problems = check_artwork(source)
    if problems:
        raise FeedError(f"'image' in the feed config: {'; '.join(problems)}")
    root = episodes_dir.resolve()
    if source.is_relative_to(root):
        return _url(config.base_url, source.relative_to(root).as_posix())
    target = episodes_dir / source.name
    data = source.read_bytes()
    if not (target.is_file() and target.read_bytes() == data):
        atomic_write_bytes(target, data)
        log.info("copied artwork %s to %s", source, target)
    return _url(config.base_url, source.name)


def artwork_bytes(config: FeedConfig) -> bytes | None:
    """The show's artwork as bytes to embed in an MP3 (APIC), or None when it is only a URL.

    A local ``image`` is checked and used (scaled to 1400 px JPEG when larger); with no
    ``image``, the cover :func:`build` would generate is drawn.
    """
    if config.image and is_http_url(config.image):
        return None
    if config.image:
        return cover_for_id3((config.folder / config.image).resolve())
    with tempfile.TemporaryDirectory(prefix="narrator-cover-") as tmp:
        return generate_cover(config.title, Path(tmp) / COVER_NAME).read_bytes()


def _channel_xml(config: FeedConfig, episodes: list[_Published], image_url: str, guid: str) -> bytes:
    rss = etree.Element("rss", nsmap=NSMAP, version="2.0")
    channel = _sub(rss, "channel")
    _sub(channel, "title", config.title)
    _sub(channel, "link", config.link)
    _sub(channel, "description", config.description)
    _sub(channel, "language", config.language)
    if config.copyright:
        _sub(channel, "copyright", config.copyright)
    _sub(channel, "generator", f"narrator {__version__}")
    if episodes:
        newest = max(e.manifest.published_at for e in episodes)
        stamp = format_datetime(newest)
        _sub(channel, "pubDate", stamp)
        _sub(channel, "lastBuildDate", stamp)
    _sub(channel, "atom:link", href=config.feed_url, rel="self", type="application/rss+xml")
    _sub(channel, "itunes:author", config.author)
    owner = _sub(channel, "itunes:owner")
    _sub(owner, "itunes:name", config.owner or config.author)
    _sub(owner, "itunes:email", config.email)
    _sub(channel, "itunes:image", href=image_url)
    image = _sub(channel, "image")
    _sub(image, "url", image_url)
    _sub(image, "title", config.title)
    _sub(image, "link", config.link)
    category = _sub(channel, "itunes:category", text=config.category)
    if config.subcategory:
        _sub(category, "itunes:category", text=config.subcategory)
    _sub(channel, "itunes:explicit", "true" if config.explicit else "false")
    _sub(channel, "itunes:type", config.show_type)
    _sub(channel, "podcast:guid", guid)
    if config.locked:
        _sub(channel, "podcast:locked", "yes", owner=config.email)
    for episode in episodes:
        _item(channel, episode, config)
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build(episodes_dir: Path, config: FeedConfig, out: Path) -> BuildResult:
    """Write the feed of every episode under ``episodes_dir`` to ``out``, newest first.

    The feed is checked before it replaces ``out``: with any problem, :class:`FeedError`
    lists them all and the previous feed is left as it was.
    """
    episodes_dir, out = Path(episodes_dir), Path(out)
    if not episodes_dir.is_dir():
        raise FeedError(f"episodes folder {episodes_dir} does not exist; give the folder holding the MP3s.")
    episodes = _read(episodes_dir)
    if not episodes:
        raise FeedError(
            f"no *{MANIFEST_SUFFIX} manifests under {episodes_dir}; narrate episodes with a manifest first."
        )
    episodes.sort(key=lambda e: (e.manifest.published_at, e.manifest.guid), reverse=True)
    dropped = 0
    if config.max_episodes is not None and len(episodes) > config.max_episodes:
        dropped = len(episodes) - config.max_episodes
        episodes = episodes[: config.max_episodes]
    image_url = _artwork(config, episodes_dir)
    guid = config.guid or podcast_guid(config.feed_url)
    data = _channel_xml(config, episodes, image_url, guid)
    with atomic_path(out) as partial:
        partial.write_bytes(data)
        problems = check(partial, episodes_dir=episodes_dir, base_url=config.base_url)
        if problems:
            listing = "; ".join(str(p) for p in problems)
            raise FeedError(f"the feed was not written, it has {len(problems)} problem(s): {listing}")
    log.info("wrote %s: %d episodes (%d left out)", out, len(episodes), dropped)
    return BuildResult(
        path=out,
        guids=tuple(e.manifest.guid for e in episodes),
        dropped=dropped,
        image_url=image_url,
        podcast_guid=guid,
    )


# Check ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason a podcast directory would reject the feed."""

    code: str
    """Stable identifier, e.g. ``missing-tag`` or ``enclosure-length``."""
    message: str
    """What is wrong and how to fix it."""
    where: str
    """``channel``, or ``item N`` (from 1) with the item's title."""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


PROBLEM_CODES = (
    "xml",
    "not-rss",
    "missing-tag",
    "no-items",
    "explicit-value",
    "category-unknown",
    "artwork-unreadable",
    "artwork-format",
    "artwork-extension",
    "artwork-size",
    "artwork-colour",
    "enclosure-length",
    "enclosure-missing",
    "enclosure-type",
    "duplicate-guid",
    "duplicate-enclosure",
    "non-ascii-url",
    "bad-url",
    "description-too-long",
    "pubdate-invalid",
    "duration-invalid",
    "podcast-guid-invalid",
)
"""Every code :func:`check` reports."""

_CHANNEL_REQUIRED = (
    ("title", None),
    ("description", None),
    ("link", None),
    ("language", None),
    ("itunes:image", "href"),
    ("itunes:category", "text"),
    ("itunes:explicit", None),
    ("itunes:author", None),
    ("itunes:owner/itunes:email", None),
    ("atom:link[@rel='self']", "href"),
    ("podcast:guid", None),
)
_ITEM_REQUIRED = (
    ("title", None),
    ("guid", None),
    ("pubDate", None),
    ("enclosure", "url"),
    ("enclosure", "length"),
    ("enclosure", "type"),
    ("itunes:duration", None),
)


class _Checker:
    def __init__(self, root: etree._Element, episodes_dir: Path | None, base_url: str | None) -> None:
        self.root = root
        self.episodes_dir = Path(episodes_dir) if episodes_dir is not None else None
        self.base_url = base_url
        self.problems: list[Problem] = []

    def add(self, code: str, where: str, message: str) -> None:
        self.problems.append(Problem(code, message, where))

    def local(self, url: str) -> Path | None:
        """The local file a URL is served from, when an episodes folder was given."""
        if self.episodes_dir is None:
            return None
        if self.base_url and url.startswith(self.base_url):
            relative = unquote(url[len(self.base_url) :])
        else:
            # No base URL: the longest tail of the URL's path that names a file in the folder.
            segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
            tails = ["/".join(segments[-k:]) for k in range(len(segments), 0, -1)]
            relative = next(
                (t for t in tails if (self.episodes_dir / t).is_file()), tails[-1] if tails else ""
            )
        if not relative:
            return None
        candidate = self.episodes_dir / relative
        try:
            candidate.resolve().relative_to(self.episodes_dir.resolve())
        except ValueError:
            return None
        return candidate

    def value(self, parent: etree._Element, path: str, attribute: str | None) -> str | None:
        found = parent.xpath(path, namespaces=NSMAP)
        if not found:
            return None
        element = found[0]
        value = element.get(attribute) if attribute else element.text
        return value.strip() if value and value.strip() else None

    def required(self, parent: etree._Element, where: str, table: tuple[tuple[str, str | None], ...]) -> None:
        absent: set[str] = set()
        for path, attribute in table:
            if path in absent or self.value(parent, path, attribute) is not None:
                continue
            if attribute and not parent.xpath(path, namespaces=NSMAP):
                absent.add(path)
                self.add("missing-tag", where, f"has no {path}; add it.")
            else:
                what = f"{path} with a {attribute!r} attribute" if attribute else f"a non-empty {path}"
                self.add("missing-tag", where, f"has no {what}; add it.")

    def url(self, where: str, what: str, url: str | None) -> None:
        if url is None:
            return
        if not url.isascii():
            self.add("non-ascii-url", where, f"{what} URL {url!r} is not ASCII; percent-encode it.")
        elif not is_http_url(url) or any(c.isspace() for c in url):
            self.add("bad-url", where, f"{what} URL {url!r} is not an absolute http(s) URL without spaces.")

    def description(self, parent: etree._Element, where: str) -> None:
        for path in ("description", "itunes:summary"):
            text = self.value(parent, path, None)
            if text is not None and len(text.encode("utf-8")) > DESCRIPTION_BYTES:
                size = len(text.encode("utf-8"))
                self.add(
                    "description-too-long",
                    where,
                    f"{path} is {size} bytes; shorten it to at most {DESCRIPTION_BYTES}.",
                )

    def explicit(self, parent: etree._Element, where: str) -> None:
        value = self.value(parent, "itunes:explicit", None)
        if value is not None and value not in ("true", "false"):
            self.add("explicit-value", where, f"itunes:explicit is {value!r}; write true or false.")

    def date(self, parent: etree._Element, where: str, path: str) -> None:
        value = self.value(parent, path, None)
        if value is not None and parsedate_tz(value) is None:
            self.add("pubdate-invalid", where, f"{path} {value!r} is not an RFC 2822 date.")

    def channel(self, channel: etree._Element) -> None:
        where = "channel"
        self.required(channel, where, _CHANNEL_REQUIRED)
        self.description(channel, where)
        self.explicit(channel, where)
        self.date(channel, where, "pubDate")
        self.date(channel, where, "lastBuildDate")
        for element in channel.xpath("itunes:category", namespaces=NSMAP):
            top = element.get("text")
            if top is None:
                continue
            if top not in APPLE_CATEGORIES:
                self.add(
                    "category-unknown", where, f"itunes:category {top!r} is not an Apple Podcasts category."
                )
                continue
            for sub in element.xpath("itunes:category", namespaces=NSMAP):
                if sub.get("text") not in APPLE_CATEGORIES[top]:
                    self.add(
                        "category-unknown",
                        where,
                        f"itunes:category {sub.get('text')!r} is not a subcategory of {top!r}.",
                    )
        guid = self.value(channel, "podcast:guid", None)
        if guid is not None:
            try:
                uuid.UUID(guid)
            except ValueError:
                self.add("podcast-guid-invalid", where, f"podcast:guid {guid!r} is not a UUID.")
        self.url(where, "link", self.value(channel, "link", None))
        self.url(where, "atom:link", self.value(channel, "atom:link[@rel='self']", "href"))
        self.url(where, "image/url", self.value(channel, "image/url", None))
        href = self.value(channel, "itunes:image", "href")
        self.url(where, "itunes:image", href)
        if href is not None:
            self.artwork(where, href)

    def artwork(self, where: str, href: str) -> None:
        path = self.local(href)
        if path is not None and path.is_file():
            for code, message in artwork_problems(path):
                self.add(code, where, f"itunes:image {message}")
            return
        problem = artwork_extension_problem(urlsplit(href).path)
        if problem:
            self.add("artwork-extension", where, f"itunes:image {problem}")

    def item(self, item: etree._Element, number: int) -> None:
        title = self.value(item, "title", None)
        where = f"item {number}" + (f" ({title!r})" if title else "")
        self.required(item, where, _ITEM_REQUIRED)
        self.description(item, where)
        self.explicit(item, where)
        self.date(item, where, "pubDate")
        duration = self.value(item, "itunes:duration", None)
        if duration is not None and not _DURATION.match(duration):
            self.add("duration-invalid", where, f"itunes:duration {duration!r} is not seconds or HH:MM:SS.")
        self.url(where, "link", self.value(item, "link", None))
        for element in item.xpath("podcast:chapters | podcast:transcript", namespaces=NSMAP):
            self.url(where, etree.QName(element).localname, element.get("url"))
        url = self.value(item, "enclosure", "url")
        self.url(where, "enclosure", url)
        kind = self.value(item, "enclosure", "type")
        if kind is not None and not kind.startswith(("audio/", "video/")):
            self.add(
                "enclosure-type", where, f"enclosure type {kind!r} is not an audio type; use audio/mpeg."
            )
        length = self.value(item, "enclosure", "length")
        if length is not None and (not length.isdigit() or int(length) <= 0):
            self.add(
                "enclosure-length", where, f"enclosure length {length!r} is not the file's size in bytes."
            )
            length = None
        path = self.local(url) if url else None
        if path is not None:
            if not path.is_file():
                self.add("enclosure-missing", where, f"enclosure {url} has no file {path}; publish it.")
            elif length is not None and int(length) != path.stat().st_size:
                self.add(
                    "enclosure-length",
                    where,
                    f"enclosure length {length} differs from {path.name}'s {path.stat().st_size} bytes; "
                    "rebuild the feed.",
                )

    def run(self) -> list[Problem]:
        root = self.root
        if root.tag != "rss" or root.get("version") != "2.0" or root.find("channel") is None:
            self.add("not-rss", "feed", 'the document is not RSS 2.0 (<rss version="2.0"><channel>).')
            return self.problems
        channel = root.find("channel")
        assert channel is not None
        self.channel(channel)
        items = channel.findall("item")
        if not items:
            self.add("no-items", "channel", "the feed has no episodes; directories need at least one item.")
        for number, item in enumerate(items, start=1):
            self.item(item, number)
        guids = Counter(self.value(item, "guid", None) for item in items)
        for guid, count in guids.items():
            if guid is not None and count > 1:
                self.add(
                    "duplicate-guid", "channel", f"{count} items share the guid {guid!r}; make each unique."
                )
        urls = Counter(self.value(item, "enclosure", "url") for item in items)
        for url, count in urls.items():
            if url is not None and count > 1:
                self.add("duplicate-enclosure", "channel", f"{count} items share the enclosure {url}.")
        return self.problems


def check(feed_path: Path, *, episodes_dir: Path | None = None, base_url: str | None = None) -> list[Problem]:
    """Every problem a podcast directory would reject the feed at ``feed_path`` for.

    With ``episodes_dir``, enclosures and artwork are looked up there (the URL's part after
    ``base_url`` when given, else the longest tail of its path that names a file there, else
    its file name): an enclosure's length must equal its
    file's size, and the artwork is opened to check its format and size. Without, the
    artwork's extension alone is checked.
    """
    feed_path = Path(feed_path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(feed_path), parser).getroot()
    except OSError as exc:
        raise FeedError(f"cannot read feed {feed_path} ({exc}); build it with narrate feed build.") from exc
    except etree.XMLSyntaxError as exc:
        return [Problem("xml", f"the feed is not well-formed XML: {exc}", "feed")]
    if base_url is not None and not base_url.endswith("/"):
        base_url += "/"
    return _Checker(root, episodes_dir, base_url).run()
