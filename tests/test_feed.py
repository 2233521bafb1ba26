"""The podcast feed: configuration, the built RSS read back with lxml and feedparser, and feed check.

Most tests build from hand-made manifests and MP3-sized files (fast); the end-to-end test
narrates real articles, builds, adds one and rebuilds.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import pytest
from lxml import etree  # type: ignore[import-untyped]
from PIL import Image

from narrator import Settings
from narrator._exceptions import FeedError
from narrator.feed import (
    PROBLEM_CODES,
    FeedConfig,
    artwork_bytes,
    build,
    check,
    config_from_mapping,
    load_config,
    podcast_guid,
)
from narrator.publish import (
    SUFFIXES,
    AudioInfo,
    ChapterEntry,
    Manifest,
    load_manifest,
    manifest_path,
    write_sidecars,
)

from .conftest import DATA
from .test_publish import narrated

FEED_DATA = DATA / "feed"
EXAMPLE = FEED_DATA / "feed.toml"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


def xp(node: Any, path: str) -> list[Any]:
    return list(node.xpath(path, namespaces=NS))


def one(node: Any, path: str) -> Any:
    found = xp(node, path)
    assert len(found) == 1, f"{path}: {len(found)} matches"
    return found[0]


@pytest.fixture
def config() -> FeedConfig:
    return load_config(EXAMPLE)


def fake_episode(
    folder: Path,
    stem: str,
    *,
    published: str,
    title: str | None = None,
    url: str | None = None,
    guid: str | None = None,
    size: int = 48_000,
    extra: dict[str, Any] | None = None,
    description: str = "What happened, in one paragraph.",
) -> Manifest:
    """An MP3-sized file, its sidecars and a manifest, as write_sidecars leaves them."""
    folder.mkdir(parents=True, exist_ok=True)
    mp3 = folder / f"{stem}.mp3"
    mp3.write_bytes(bytes(range(256)) * (size // 256) + b"\0" * (size % 256))
    sidecars = {}
    for fmt, suffix in SUFFIXES.items():
        (folder / f"{stem}{suffix}").write_text("{}", "utf-8")
        sidecars[fmt] = f"{stem}{suffix}"
    manifest = Manifest(
        guid=guid or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url or stem)}",
        title=title or stem.replace("-", " ").capitalize(),
        description=description,
        published=published,
        audio=AudioInfo(mp3.name, size, 61.6, 96000, 44100, 1, -16.1, -2.3),
        url=url,
        authors=("Ann Lee", "Tom Rees"),
        language="en-GB",
        chapters=(ChapterEntry(0, "Intro", 0.0, 30.0), ChapterEntry(1, "More", 30.0, 61.6)),
        sidecars=sidecars,
        engine="piper",
        voice="joe",
        extra=extra or {},
    )
    manifest_path(mp3).write_text(manifest.to_json(), "utf-8")
    return manifest


@pytest.fixture
def episodes(tmp_path: Path) -> Path:
    folder = tmp_path / "episodes"
    fake_episode(folder, "ferry", published="2026-01-10T00:00:00+00:00", url="https://news.example/ferry")
    fake_episode(
        folder,
        "fish",
        published="2026-02-14T09:30:00+01:00",
        title="Fish & chips <live> “prices”",
        url="https://news.example/fish?ref=rss&x=1",
    )
    fake_episode(folder / "2026", "light house", published="2026-03-01T00:00:00+00:00")
    return folder


@pytest.fixture
def feed(tmp_path: Path, episodes: Path, config: FeedConfig) -> Path:
    build(episodes, config, tmp_path / "feed.xml")
    return tmp_path / "feed.xml"


def codes(feed_path: Path, episodes: Path | None, config: FeedConfig) -> set[str]:
    return {p.code for p in check(feed_path, episodes_dir=episodes, base_url=config.base_url)}


# Configuration ------------------------------------------------------------------------------


def test_example_config_loads(config: FeedConfig) -> None:
    assert config.title == "Harbour Town Audio"
    assert config.category == "News" and config.subcategory == "Daily News"
    assert config.explicit is False and config.locked is False
    assert config.base_url == "https://media.news.example/harbour/episodes/"
    assert config.max_episodes == 300 and config.image is None
    assert config.folder == EXAMPLE.parent


def _example() -> dict[str, Any]:
    import tomllib

    return tomllib.loads(EXAMPLE.read_text("utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": None}, r"has no 'email'; add email ="),
        ({"colour": "blue"}, r"unknown key 'colour'"),
        ({"explicit": "no"}, r"'explicit' .* must be true or false"),
        ({"locked": "yes"}, r"'locked' .* must be true or false"),
        ({"category": "Newz"}, r"'category' .* 'Newz', not an Apple Podcasts category; use one of: Arts"),
        ({"subcategory": "Astronomy"}, r"'subcategory' .* under News use: Business News"),
        ({"base_url": "media/episodes/"}, r"'base_url' .* absolute http\(s\) URL"),
        ({"feed_url": "https://médias.example/feed.xml"}, r"'feed_url' .* ASCII"),
        ({"email": "nobody"}, r"'email' .* such as"),
        ({"language": "English"}, r"'language' .* such as en or en-GB"),
        ({"max_episodes": 0}, r"'max_episodes' .* at least 1"),
        ({"type": "daily"}, r"'type' .* \"episodic\" or \"serial\""),
        ({"title": ""}, r"'title' .* non-empty string"),
        ({"description": "é" * 2001}, r"'description' .* 4002 bytes; shorten it to 4000"),
        ({"image": "cover.gif"}, r"'image' .*use a .jpg or .png"),
        ({"guid": "podnews"}, r"'guid' .* not a UUID"),
    ],
)
def test_config_mistakes_name_the_key_and_the_fix(change: dict[str, Any], message: str) -> None:
    data = _example()
    for key, value in change.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    with pytest.raises(FeedError, match=message) as caught:
        config_from_mapping(data, where="feed.toml")
    assert "\n" not in str(caught.value)


def test_config_file_errors(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "unterminated\n', "utf-8")
    with pytest.raises(FeedError, match="not valid TOML"):
        load_config(bad)


def test_base_url_gets_its_final_slash() -> None:
    data = {**_example(), "base_url": "https://media.example/eps"}
    assert config_from_mapping(data).base_url == "https://media.example/eps/"


@pytest.mark.parametrize(
    "url",
    ["https://podnews.net/rss", "http://podnews.net/rss", "podnews.net/rss", "https://podnews.net/rss/"],
)
def test_podcast_guid_matches_the_specification_vector(url: str) -> None:
    assert podcast_guid(url) == "9b024349-ccf0-5f69-a609-6b82873eab3c"


# The built feed ---------------------------------------------------------------------------


def test_built_feed_has_every_required_tag(feed: Path, episodes: Path, config: FeedConfig) -> None:
    root = etree.parse(str(feed)).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert {k: v for k, v in root.nsmap.items() if k} == NS
    assert feed.read_bytes().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    channel = one(root, "/rss/channel")
    assert one(channel, "title/text()") == config.title
    assert one(channel, "description/text()") == config.description
    assert one(channel, "link/text()") == config.link
    assert one(channel, "language/text()") == "en-GB"
    assert one(channel, "itunes:image/@href") == config.base_url + "cover.png"
    assert one(channel, "image/url/text()") == config.base_url + "cover.png"
    assert one(channel, "itunes:category/@text") == "News"
    assert one(channel, "itunes:category/itunes:category/@text") == "Daily News"
    assert one(channel, "itunes:explicit/text()") == "false"
    assert one(channel, "itunes:author/text()") == "Harbour Town Gazette"
    assert one(channel, "itunes:owner/itunes:email/text()") == "podcast@news.example"
    assert one(channel, "itunes:owner/itunes:name/text()") == "Harbour Town Gazette audio desk"
    assert one(channel, "atom:link[@rel='self']/@href") == config.feed_url
    assert one(channel, "atom:link[@rel='self']/@type") == "application/rss+xml"
    assert one(channel, "podcast:guid/text()") == str(
        uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "media.news.example/harbour/feed.xml")
    )
    assert one(channel, "copyright/text()") == "© 2026 Harbour Town Gazette"
    assert one(channel, "itunes:type/text()") == "episodic"
    assert xp(channel, "podcast:locked") == []
    assert one(channel, "lastBuildDate/text()") == "Sun, 01 Mar 2026 00:00:00 +0000"

    items = xp(channel, "item")
    assert [one(i, "title/text()") for i in items] == [
        "Light house",
        "Fish & chips <live> “prices”",
        "Ferry",
    ], "newest first; markup characters survive escaping"
    by_stem = {"Light house": "2026/light house", "Fish & chips <live> “prices”": "fish", "Ferry": "ferry"}
    for item in items:
        stem = by_stem[one(item, "title/text()")]
        manifest = load_manifest(episodes / f"{stem}.episode.json")
        mp3 = episodes / f"{stem}.mp3"
        quoted = stem.replace(" ", "%20")
        assert one(item, "guid/text()") == manifest.guid
        assert one(item, "guid/@isPermaLink") == "false"
        assert one(item, "enclosure/@url") == f"{config.base_url}{quoted}.mp3"
        assert one(item, "enclosure/@length") == str(mp3.stat().st_size)
        assert one(item, "enclosure/@type") == "audio/mpeg"
        assert one(item, "itunes:duration/text()") == "62"
        assert one(item, "itunes:explicit/text()") == "false"
        assert one(item, "itunes:episodeType/text()") == "full"
        assert one(item, "description/text()") == manifest.description
        assert one(item, "itunes:author/text()") == "Ann Lee, Tom Rees"
        assert one(item, "podcast:chapters/@url") == f"{config.base_url}{quoted}.chapters.json"
        assert one(item, "podcast:chapters/@type") == "application/json+chapters"
        transcripts = {t.get("type"): t for t in xp(item, "podcast:transcript")}
        assert sorted(transcripts) == ["application/json", "application/x-subrip", "text/vtt"]
        assert transcripts["text/vtt"].get("url") == f"{config.base_url}{quoted}.vtt"
        assert transcripts["text/vtt"].get("rel") == "captions"
        assert transcripts["application/x-subrip"].get("url") == f"{config.base_url}{quoted}.srt"
        assert transcripts["application/json"].get("url") == f"{config.base_url}{quoted}.transcript.json"
        assert {t.get("language") for t in transcripts.values()} == {"en-GB"}
    fish = items[1]
    assert one(fish, "pubDate/text()") == "Sat, 14 Feb 2026 09:30:00 +0100"
    assert one(fish, "link/text()") == "https://news.example/fish?ref=rss&x=1"
    assert b"Fish &amp; chips &lt;live&gt;" in feed.read_bytes()
    assert xp(items[0], "link") == [], "no web address, no link"
    assert check(feed, episodes_dir=episodes, base_url=config.base_url) == []
    assert check(feed, episodes_dir=episodes) == [], "files found without the base URL too"
    assert check(feed) == []


def test_feedparser_reads_the_feed_cleanly(feed: Path) -> None:
    parsed = feedparser.parse(str(feed))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == "Harbour Town Audio"
    assert [e.title for e in parsed.entries] == ["Light house", "Fish & chips <live> “prices”", "Ferry"]
    assert all(e.enclosures[0].type == "audio/mpeg" for e in parsed.entries)
    assert parsed.entries[2].published_parsed[:3] == (2026, 1, 10)


def test_build_is_reproducible_and_respects_max_episodes(
    tmp_path: Path, episodes: Path, config: FeedConfig, feed: Path
) -> None:
    again = tmp_path / "again.xml"
    build(episodes, config, again)
    assert again.read_bytes() == feed.read_bytes()
    result = build(episodes, replace(config, max_episodes=2), tmp_path / "two.xml")
    assert result.dropped == 1 and len(result.guids) == 2
    titles = xp(etree.parse(str(tmp_path / "two.xml")), "//item/title/text()")
    assert titles == ["Light house", "Fish & chips <live> “prices”"]


def test_same_date_orders_by_guid_and_manifest_overrides(tmp_path: Path, config: FeedConfig) -> None:
    folder = tmp_path / "eps"
    fake_episode(folder, "a", published="2026-05-01", guid="urn:uuid:aaaaaaaa-0000-5000-8000-000000000000")
    fake_episode(
        folder,
        "b",
        published="2026-05-01",
        guid="urn:uuid:bbbbbbbb-0000-5000-8000-000000000000",
        extra={"explicit": True, "episode_type": "bonus"},
    )
    build(folder, config, tmp_path / "feed.xml")
    items = xp(etree.parse(str(tmp_path / "feed.xml")), "//item")
    assert [one(i, "title/text()") for i in items] == ["B", "A"]
    assert one(items[0], "itunes:explicit/text()") == "true"
    assert one(items[0], "itunes:episodeType/text()") == "bonus"
    assert one(items[1], "itunes:explicit/text()") == "false"


def test_enclosure_length_is_the_file_size_not_the_manifests(tmp_path: Path, config: FeedConfig) -> None:
    folder = tmp_path / "eps"
    fake_episode(folder, "a", published="2026-05-01")
    (folder / "a.mp3").write_bytes(b"\xff" * 12345)
    build(folder, config, tmp_path / "feed.xml")
    assert one(etree.parse(str(tmp_path / "feed.xml")), "//enclosure/@length") == "12345"


def test_podcast_guid_override_and_lock(tmp_path: Path, episodes: Path, config: FeedConfig) -> None:
    result = build(
        episodes,
        replace(config, feed_url="https://podnews.net/rss", locked=True, explicit=True),
        tmp_path / "f.xml",
    )
    channel = one(etree.parse(str(tmp_path / "f.xml")), "/rss/channel")
    assert (
        one(channel, "podcast:guid/text()") == result.podcast_guid == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    )
    assert one(channel, "podcast:locked/text()") == "yes"
    assert one(channel, "podcast:locked/@owner") == config.email
    assert one(channel, "itunes:explicit/text()") == "true"
    assert set(xp(channel, "item/itunes:explicit/text()")) == {"true"}
    moved = replace(
        config, feed_url="https://new.example/feed.xml", guid="9b024349-ccf0-5f69-a609-6b82873eab3c"
    )
    build(episodes, moved, tmp_path / "g.xml")
    assert xp(etree.parse(str(tmp_path / "g.xml")), "//podcast:guid/text()") == [result.podcast_guid]


def test_artwork_from_the_config(tmp_path: Path, episodes: Path, config: FeedConfig) -> None:
    art = tmp_path / "art"
    art.mkdir()
    Image.new("RGB", (1500, 1500), "navy").save(art / "show.jpg", format="JPEG")
    result = build(episodes, replace(config, image="art/show.jpg", folder=tmp_path), tmp_path / "f.xml")
    assert result.image_url == config.base_url + "show.jpg"
    assert (episodes / "show.jpg").read_bytes() == (art / "show.jpg").read_bytes()
    assert not (episodes / "cover.png").exists()

    remote = "https://cdn.example/show.png"
    assert build(episodes, replace(config, image=remote), tmp_path / "g.xml").image_url == remote

    Image.new("RGB", (800, 800), "navy").save(art / "small.png", format="PNG")
    with pytest.raises(FeedError, match=r"800x800 px; use 1400 to 3000"):
        build(episodes, replace(config, image="art/small.png", folder=tmp_path), tmp_path / "h.xml")
    assert not (tmp_path / "h.xml").exists()


def test_generated_cover_is_valid_artwork(feed: Path, episodes: Path, config: FeedConfig) -> None:
    with Image.open(episodes / "cover.png") as image:
        assert image.format == "PNG" and image.size == (1400, 1400)
    assert artwork_bytes(config) == (episodes / "cover.png").read_bytes(), "the MP3 gets the feed's cover"
    assert artwork_bytes(replace(config, image="https://cdn.example/a.png")) is None


def test_characters_xml_cannot_hold_are_dropped(tmp_path: Path, config: FeedConfig) -> None:
    folder = tmp_path / "eps"
    fake_episode(
        folder, "bell", published="2026-05-01", title="Bell\x07 rings\x00", description="Ding\x0b dong"
    )
    build(folder, config, tmp_path / "feed.xml")
    item = one(etree.parse(str(tmp_path / "feed.xml")), "//item")
    assert (one(item, "title/text()"), one(item, "description/text()")) == ("Bell rings", "Ding dong")


def test_a_failing_check_keeps_the_previous_feed(tmp_path: Path, episodes: Path, config: FeedConfig) -> None:
    out = tmp_path / "feed.xml"
    build(episodes, config, out)
    before = out.read_bytes()
    fake_episode(episodes, "ferry-again", published="2026-04-01", url="https://news.example/ferry")
    with pytest.raises(
        FeedError, match=r"not written, it has 1 problem\(s\): channel: 2 items share the guid"
    ):
        build(episodes, config, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_build_reports_missing_inputs(tmp_path: Path, config: FeedConfig) -> None:
    with pytest.raises(FeedError, match="does not exist"):
        build(tmp_path / "nowhere", config, tmp_path / "f.xml")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FeedError, match="no \\*.episode.json manifests"):
        build(tmp_path / "empty", config, tmp_path / "f.xml")
    fake_episode(tmp_path / "eps", "gone", published="2026-01-01")
    (tmp_path / "eps" / "gone.mp3").unlink()
    with pytest.raises(FeedError, match="gone.mp3, which is missing"):
        build(tmp_path / "eps", config, tmp_path / "f.xml")


# feed check: one real fault per rejection -----------------------------------------------------


Mutation = Callable[[Any, Path, FeedConfig], None]


def _text(path: str, value: str) -> Mutation:
    def apply(root: Any, folder: Path, config: FeedConfig) -> None:
        one(root, path).text = value

    return apply


def _attr(path: str, name: str, value: str) -> Mutation:
    def apply(root: Any, folder: Path, config: FeedConfig) -> None:
        one(root, path).set(name, value)

    return apply


def _cover(size: tuple[int, int], fmt: str, name: str = "cover.png", mode: str = "RGB") -> Mutation:
    def apply(root: Any, folder: Path, config: FeedConfig) -> None:
        Image.new(mode, size).save(folder / name, format=fmt)
        one(root, "/rss/channel/itunes:image").set("href", config.base_url + name)

    return apply


def _junk_cover(root: Any, folder: Path, config: FeedConfig) -> None:
    (folder / "cover.png").write_bytes(b"<html>not found</html>")


def _delete_mp3(root: Any, folder: Path, config: FeedConfig) -> None:
    (folder / "ferry.mp3").unlink()


def _duplicate_guid(root: Any, folder: Path, config: FeedConfig) -> None:
    one(root, "//item[2]/guid").text = one(root, "//item[1]/guid/text()")


def _duplicate_enclosure(root: Any, folder: Path, config: FeedConfig) -> None:
    first = one(root, "//item[1]/enclosure")
    second = one(root, "//item[2]/enclosure")
    for name in ("url", "length"):
        second.set(name, first.get(name))


def _no_items(root: Any, folder: Path, config: FeedConfig) -> None:
    for item in xp(root, "//item"):
        item.getparent().remove(item)


REJECTIONS: dict[str, tuple[str, Mutation]] = {
    "explicit yes": ("explicit-value", _text("/rss/channel/itunes:explicit", "yes")),
    "item explicit clean": ("explicit-value", _text("//item[2]/itunes:explicit", "clean")),
    "unknown category": ("category-unknown", _attr("/rss/channel/itunes:category", "text", "Newz")),
    "foreign subcategory": (
        "category-unknown",
        _attr("/rss/channel/itunes:category/itunes:category", "text", "Astronomy"),
    ),
    "artwork too small": ("artwork-size", _cover((1000, 1000), "PNG")),
    "artwork too large": ("artwork-size", _cover((3200, 3200), "PNG")),
    "artwork not square": ("artwork-size", _cover((1400, 1600), "PNG")),
    "artwork is a GIF": ("artwork-format", _cover((1400, 1400), "GIF", "cover.gif", "P")),
    "JPEG named .png": ("artwork-extension", _cover((1400, 1400), "JPEG")),
    "remote artwork .webp": (
        "artwork-extension",
        _attr("/rss/channel/itunes:image", "href", "https://cdn.example/a.webp"),
    ),
    "artwork not an image": ("artwork-unreadable", _junk_cover),
    "CMYK artwork": ("artwork-colour", _cover((1400, 1400), "JPEG", "cover.jpg", "CMYK")),
    "length off by one": ("enclosure-length", _attr("//item[3]/enclosure", "length", "48001")),
    "length not a number": ("enclosure-length", _attr("//item[1]/enclosure", "length", "48 kB")),
    "audio file missing": ("enclosure-missing", _delete_mp3),
    "enclosure not audio": ("enclosure-type", _attr("//item[1]/enclosure", "type", "text/html")),
    "duplicate guid": ("duplicate-guid", _duplicate_guid),
    "duplicate enclosure": ("duplicate-enclosure", _duplicate_enclosure),
    "non-ASCII link": ("non-ascii-url", _text("//item[2]/link", "https://news.example/café")),
    "non-ASCII transcript URL": (
        "non-ascii-url",
        _attr("//item[1]/podcast:transcript[1]", "url", "https://media.example/é.vtt"),
    ),
    "relative chapters URL": ("bad-url", _attr("//item[1]/podcast:chapters", "url", "fish.chapters.json")),
    "channel description 4002 bytes": ("description-too-long", _text("/rss/channel/description", "é" * 2001)),
    "item description 4001 bytes": ("description-too-long", _text("//item[1]/description", "a" * 4001)),
    "ISO pubDate": ("pubdate-invalid", _text("//item[1]/pubDate", "2026-03-01T00:00:00Z")),
    "duration in words": ("duration-invalid", _text("//item[1]/itunes:duration", "one minute")),
    "podcast:guid not a UUID": (
        "podcast-guid-invalid",
        _text("/rss/channel/podcast:guid", "podnews.net/rss"),
    ),
    "no items": ("no-items", _no_items),
}


def mutated(feed: Path, change: Mutation, folder: Path, config: FeedConfig) -> Path:
    tree = etree.parse(str(feed))
    change(tree.getroot(), folder, config)
    out = feed.with_name("faulty.xml")
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    return out


@pytest.mark.parametrize(("code", "change"), list(REJECTIONS.values()), ids=list(REJECTIONS))
def test_check_rejects(feed: Path, episodes: Path, config: FeedConfig, code: str, change: Mutation) -> None:
    assert codes(feed, episodes, config) == set()
    faulty = mutated(feed, change, episodes, config)
    problems = check(faulty, episodes_dir=episodes, base_url=config.base_url)
    assert {p.code for p in problems} == {code}, [str(p) for p in problems]
    assert all(p.message and p.where for p in problems)


CHANNEL_REQUIRED = [
    "/rss/channel/title",
    "/rss/channel/description",
    "/rss/channel/link",
    "/rss/channel/language",
    "/rss/channel/itunes:image",
    "/rss/channel/itunes:category",
    "/rss/channel/itunes:explicit",
    "/rss/channel/itunes:author",
    "/rss/channel/itunes:owner/itunes:email",
    "/rss/channel/atom:link",
    "/rss/channel/podcast:guid",
]
ITEM_REQUIRED = [
    "//item[2]/title",
    "//item[2]/guid",
    "//item[2]/pubDate",
    "//item[2]/enclosure",
    "//item[2]/itunes:duration",
]


@pytest.mark.parametrize("path", CHANNEL_REQUIRED + ITEM_REQUIRED)
def test_check_rejects_a_missing_required_tag(
    feed: Path, episodes: Path, config: FeedConfig, path: str
) -> None:
    def remove(root: Any, folder: Path, config: FeedConfig) -> None:
        element = one(root, path)
        element.getparent().remove(element)

    problems = check(mutated(feed, remove, episodes, config), episodes_dir=episodes, base_url=config.base_url)
    assert [p.code for p in problems] == ["missing-tag"], [str(p) for p in problems]
    assert path.rsplit("/", 1)[1] in problems[0].message
    assert problems[0].where.startswith("item 2" if path.startswith("//item") else "channel")


@pytest.mark.parametrize("attribute", ["url", "length", "type"])
def test_check_rejects_an_enclosure_without_an_attribute(
    feed: Path, episodes: Path, config: FeedConfig, attribute: str
) -> None:
    def strip(root: Any, folder: Path, config: FeedConfig) -> None:
        del one(root, "//item[1]/enclosure").attrib[attribute]

    problems = check(mutated(feed, strip, episodes, config), episodes_dir=episodes, base_url=config.base_url)
    assert [p.code for p in problems] == ["missing-tag"] and repr(attribute) in problems[0].message


def test_check_rejects_broken_xml_and_other_formats(tmp_path: Path, feed: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(feed.read_bytes()[:-40])
    assert [p.code for p in check(broken)] == ["xml"]
    atom = tmp_path / "atom.xml"
    atom.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>', "utf-8")
    assert [p.code for p in check(atom)] == ["not-rss"]
    with pytest.raises(FeedError, match="cannot read feed"):
        check(tmp_path / "missing.xml")


def test_every_claimed_rejection_has_a_test() -> None:
    tested = {code for code, _ in REJECTIONS.values()} | {"missing-tag", "xml", "not-rss"}
    assert tested == set(PROBLEM_CODES)


# End to end: real narrations, build, add one, rebuild ---------------------------------------


def _items(feed_path: Path) -> dict[str, bytes]:
    """Each item's exact bytes in the feed file, by GUID."""
    items = re.findall(rb"<item>.*?</item>", feed_path.read_bytes(), re.S)
    return {re.search(rb"<guid[^>]*>(.*?)</guid>", item).group(1).decode(): item for item in items}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NARRATOR_VOICES", str(home / "voices"))
        mp.setenv("NARRATOR_CACHE", str(home / "cache"))
        yield tmp_path_factory.mktemp("station")


@pytest.mark.slow
def test_narrate_build_add_rebuild(station: Path, config: FeedConfig) -> None:
    episodes = station / "episodes"
    episodes.mkdir()
    out = station / "feed.xml"
    for name in ("ferry-timetable", "fish-and-chips", "lighthouse-open-day"):
        write_sidecars(narrated([FEED_DATA / f"{name}.md"], episodes / f"{name}.mp3"))
    first = build(episodes, config, out)
    assert check(out, episodes_dir=episodes, base_url=config.base_url) == []
    assert feedparser.parse(str(out)).bozo == 0

    root = etree.parse(str(out)).getroot()
    items = xp(root, "//item")
    assert [one(i, "title/text()") for i in items] == [
        "Lighthouse opens its doors for a day",
        "Fish & chips prices rise at the quay",
        "Ferry timetable changes for the winter",
    ]
    for item in items:
        stem = one(item, "enclosure/@url").rsplit("/", 1)[1].removesuffix(".mp3")
        manifest = load_manifest(episodes / f"{stem}.episode.json")
        assert one(item, "guid/text()") == manifest.guid
        assert int(one(item, "enclosure/@length")) == (episodes / f"{stem}.mp3").stat().st_size
        assert int(one(item, "itunes:duration/text()")) == round(manifest.audio.duration)
        assert one(item, "podcast:chapters/@url") == f"{config.base_url}{stem}.chapters.json"
        assert len(xp(item, "podcast:transcript")) == 3
    fish = load_manifest(episodes / "fish-and-chips.episode.json")
    assert (
        fish.guid
        == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'https://news.example/harbour/fish-and-chips?ref=rss')}"
    )

    before = _items(out)
    write_sidecars(narrated([FEED_DATA / "harbour-lights.md"], episodes / "harbour-lights.mp3"))
    second = build(episodes, config, out)
    after = _items(out)
    assert list(after) == [second.guids[0], *first.guids]
    assert one(etree.parse(str(out)), "//item[1]/title/text()") == "Harbour lights return to the quay"
    for guid, item in before.items():
        assert after[guid] == item, "an old item changed"
    assert check(out, episodes_dir=episodes, base_url=config.base_url) == []

    # Re-rendering a published episode changes its enclosure, never its GUID.
    lighthouse = load_manifest(episodes / "lighthouse-open-day.episode.json")
    again = narrated(
        [FEED_DATA / "lighthouse-open-day.md"],
        episodes / "lighthouse-open-day.mp3",
        Settings(device="cpu", byline=False),
    )
    write_sidecars(again)
    build(episodes, config, out)
    rebuilt = _items(out)
    assert list(rebuilt) == list(after)
    assert rebuilt[lighthouse.guid] != after[lighthouse.guid]
    assert {g: i for g, i in rebuilt.items() if g != lighthouse.guid} == {
        g: i for g, i in after.items() if g != lighthouse.guid
    }


def test_check_finds_files_without_the_base_url(feed: Path, episodes: Path, config: FeedConfig) -> None:
    faulty = mutated(feed, _attr("//item[1]/enclosure", "length", "1"), episodes, config)
    problems = check(faulty, episodes_dir=episodes)
    assert [p.code for p in problems] == ["enclosure-length"]
    assert "light house.mp3's 48000 bytes" in problems[0].message
