"""Sidecars and the episode manifest: format rules, timings against the MP3, stable GUIDs."""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from mutagen.mp3 import MP3

from narrator import Episode, Settings, narrate
from narrator._exceptions import FeedError
from narrator.publish import (
    LINE_CHARS,
    Manifest,
    cues,
    episode_guid,
    load_manifest,
    manifest_path,
    split_caption,
    srt,
    text_digest,
    webvtt,
    write_sidecars,
)
from narrator.types import Article, Block, Chapter, ChapterTime, Script, Sentence, SentenceTime, Timeline

from .conftest import DATA, chapters

FEED_DATA = DATA / "feed"
TOLERANCE = 0.050
"""Seconds by which a sidecar time may differ from the MP3's CHAP frames and the Timeline."""


def narrated(sources: Sequence[str | Path], out: Path, settings: Settings | None = None) -> Episode:
    """Narrate ``sources`` into ``out`` with the real voice on the CPU."""
    return narrate(sources, out, settings or Settings(device="cpu"))


@pytest.fixture(scope="module")
def isolated_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NARRATOR_VOICES", str(home / "voices"))
        mp.setenv("NARRATOR_CACHE", str(home / "cache"))
        yield


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> tuple[Episode, Manifest]:
    out = tmp_path_factory.mktemp("published") / "harbour-lights.mp3"
    episode = narrated([FEED_DATA / "harbour-lights.md"], out)
    return episode, write_sidecars(episode)


# Independent readers of the caption formats -------------------------------------------------

_TS = r"(\d{2}):([0-5]\d):([0-5]\d)SEP(\d{3})"


def _seconds(match: tuple[str, ...]) -> float:
    h, m, s, ms = (int(x) for x in match)
    return h * 3600 + m * 60 + s + ms / 1000


def parse_vtt(text: str) -> list[tuple[float, float, list[str]]]:
    """Cues of a WebVTT file, asserting the format rules on the way."""
    assert text.startswith("WEBVTT\n\n"), "first line WEBVTT, then a blank line"
    timing = re.compile(_TS.replace("SEP", r"\.") + " --> " + _TS.replace("SEP", r"\."))
    out = []
    for block in text.rstrip("\n").split("\n\n")[1:]:
        lines = block.split("\n")
        match = timing.fullmatch(lines[0])
        assert match, f"bad cue timing line {lines[0]!r}"
        start, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
        assert lines[1:] and all(lines[1:]), "a cue has text"
        assert not any("-->" in line for line in lines[1:])
        out.append((start, end, lines[1:]))
    check_times(out)
    return out


def parse_srt(text: str) -> list[tuple[float, float, list[str]]]:
    """Cues of an SRT file, asserting numbering from 1 and the comma in timestamps."""
    timing = re.compile(_TS.replace("SEP", ",") + " --> " + _TS.replace("SEP", ","))
    out = []
    for number, block in enumerate(text.rstrip("\n").split("\n\n"), start=1):
        lines = block.split("\n")
        assert lines[0] == str(number), f"cue {number} is numbered {lines[0]!r}"
        match = timing.fullmatch(lines[1])
        assert match, f"bad SRT timing line {lines[1]!r}"
        assert lines[2:] and all(lines[2:])
        out.append((_seconds(match.groups()[:4]), _seconds(match.groups()[4:]), lines[2:]))
    check_times(out)
    return out


def check_times(cues_: list[tuple[float, float, list[str]]]) -> None:
    assert cues_
    for i, (start, end, _) in enumerate(cues_):
        assert end > start
        if i:
            assert start >= cues_[i - 1][0], "cue starts never go back"


def sentence_spans(
    script: Script, cues_: list[tuple[float, float, list[str]]], unescape: bool = False
) -> list[tuple[float, float]]:
    """Regroup cues into sentences (their words concatenate to the sentence's); (start, end) each."""
    spans = []
    queue = list(cues_)
    for sentence in script.sentences:
        want = sentence.text.split()
        got: list[str] = []
        start = queue[0][0]
        while got != want:
            assert queue, f"cues ran out in {sentence.text!r}"
            _, end, lines = queue.pop(0)
            text = " ".join(lines)
            if unescape:
                text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
            got.extend(text.split())
            assert got == want[: len(got)], f"cue text {got} strays from {want}"
        spans.append((start, end))
    assert not queue
    return spans


# Captions, pure -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Short.",
        "A sentence of about eighty characters that still fits in one cue of two lines.",
        "The old harbour lights were switched on again last night, after a repair that took nine months "
        "and cost the town more than it had planned for the whole year, and nobody was surprised at all.",
        " ".join(["word"] * 200),
        "Antidisestablishmentarianismwithsomeextralettersaddedon is long, and so is this sentence here.",
    ],
)
def test_captions_are_at_most_two_lines_of_42_characters(text: str) -> None:
    parts = split_caption(text)
    assert [w for lines in parts for line in lines for w in line.split()] == text.split()
    for lines in parts:
        assert 1 <= len(lines) <= 2
        for line in lines:
            assert len(line) <= LINE_CHARS or " " not in line, line
    if len(text) > 2 * LINE_CHARS and all(len(word) <= LINE_CHARS for word in text.split()):
        assert len(parts) >= 2


def test_long_sentence_prefers_breaking_after_punctuation() -> None:
    text = (
        "When the ferry came back into service on Monday morning, the queue stretched past "
        "the fish market and up the hill to the church."
    )
    parts = split_caption(text)
    assert len(parts) == 2
    assert parts[0][-1].endswith("morning,")


def script_of(texts: Sequence[str]) -> Script:
    sentences = tuple(Sentence(i, t, t.lower(), paragraph=i, chapter=0) for i, t in enumerate(texts))
    article = Article(title="T", blocks=(Block("paragraph", " ".join(texts)),), source="t.txt")
    return Script(title="T", chapters=(Chapter(0, "T", sentences),), articles=(article,))


def timeline_of(spans: Sequence[tuple[int, int]], rate: int = 22050) -> Timeline:
    return Timeline(
        sample_rate=rate,
        length=spans[-1][1] + rate,
        sentences=tuple(SentenceTime(i, a, b) for i, (a, b) in enumerate(spans)),
        chapters=(ChapterTime(0, "T", 0, spans[-1][1] + rate),),
    )


def test_cue_times_share_the_sentence_in_proportion_to_characters() -> None:
    long = "one two three four five six seven eight nine ten, " * 3 + "and the end of it all."
    script = script_of(["First.", long])
    timeline = timeline_of([(1000, 20000), (30000, 250000)])
    made = cues(script, timeline)
    assert made[0].start == 1000 and made[0].end == 20000
    parts = [c for c in made if c.sentence == 1]
    assert len(parts) >= 2
    assert parts[0].start == 30000 and parts[-1].end == 250000
    chars = [len(" ".join(c.lines)) for c in parts]
    for cue, before in zip(parts, [sum(chars[:i]) for i in range(len(chars))], strict=True):
        assert abs(cue.start - (30000 + 220000 * before / sum(chars))) <= 1
    assert all(a.end == b.start for a, b in pairwise(parts))


def test_cue_text_is_escaped_for_webvtt_and_never_holds_an_arrow() -> None:
    script = script_of(["Fish & chips <cheap> --> dear."])
    timeline = timeline_of([(0, 22050)])
    vtt = webvtt(script, timeline)
    parsed = parse_vtt(vtt)
    assert parsed[0][2] == ["Fish &amp; chips &lt;cheap&gt; → dear."]
    assert parse_srt(srt(script, timeline))[0][2] == ["Fish & chips <cheap> → dear."]


def test_text_digest_is_sha256_of_the_spoken_lines() -> None:
    script = script_of(["One.", "Two 2."])
    assert text_digest(script) == hashlib.sha256(b"one.\ntwo 2.").hexdigest()
    assert text_digest(script_of(["One.", "Two."])) != text_digest(script)


def test_guid_from_canonical_url_else_source_and_title(tmp_path: Path) -> None:
    def with_article(**kw: Any) -> Script:
        base = script_of(["A."])
        return replace(base, articles=(replace(base.articles[0], **kw),))

    url = "https://news.example/harbour/lights"
    expected = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}"
    assert episode_guid(with_article(url=url)) == expected
    assert episode_guid(with_article(url="HTTPS://News.Example/harbour/lights#comments")) == expected
    source = tmp_path / "a.md"
    source.write_text("x")
    no_url = episode_guid(with_article(url=None, source=str(source)))
    assert no_url.startswith("urn:uuid:") and no_url != expected
    assert no_url == episode_guid(with_article(url="file:///elsewhere", source=str(source)))
    assert no_url != episode_guid(with_article(url=None, source=str(tmp_path / "b.md")))


# Sidecars of a real narration ---------------------------------------------------------------


@pytest.mark.slow
def test_webvtt_and_srt_follow_their_formats_and_the_timeline(published: tuple[Episode, Manifest]) -> None:
    episode, manifest = published
    rate = episode.timeline.sample_rate
    vtt = parse_vtt((episode.path.with_suffix(".vtt")).read_text("utf-8"))
    subrip = parse_srt((episode.path.with_suffix(".srt")).read_text("utf-8"))
    assert [c[:2] for c in vtt] == [c[:2] for c in subrip]
    assert len(vtt) > len(episode.script.sentences), "the long sentence is split into several cues"
    for lines in (c[2] for c in vtt):
        assert len(lines) <= 2 and all(len(line) <= LINE_CHARS for line in lines)
    for cues_, unescape in ((vtt, True), (subrip, False)):
        spans = sentence_spans(episode.script, cues_, unescape)
        for (start, end), time in zip(spans, episode.timeline.sentences, strict=True):
            assert abs(start - time.start / rate) <= TOLERANCE
            assert abs(end - time.end / rate) <= TOLERANCE
    assert manifest.sidecars == {
        "vtt": "harbour-lights.vtt",
        "srt": "harbour-lights.srt",
        "json": "harbour-lights.transcript.json",
        "chapters": "harbour-lights.chapters.json",
    }


@pytest.mark.slow
def test_json_transcript_has_one_segment_a_sentence(published: tuple[Episode, Manifest]) -> None:
    episode, _ = published
    data = json.loads(episode.path.with_name("harbour-lights.transcript.json").read_text("utf-8"))
    assert data["version"] == "1.0.0"
    segments = data["segments"]
    assert [s["body"] for s in segments] == [s.text for s in episode.script.sentences]
    rate = episode.timeline.sample_rate
    for segment, time in zip(segments, episode.timeline.sentences, strict=True):
        assert set(segment) == {"speaker", "startTime", "endTime", "body"}
        assert segment["speaker"] == episode.voice
        assert isinstance(segment["startTime"], float) and segment["endTime"] > segment["startTime"]
        assert abs(segment["startTime"] - time.start / rate) <= TOLERANCE
        assert abs(segment["endTime"] - time.end / rate) <= TOLERANCE


@pytest.mark.slow
def test_chapters_json_matches_the_mp3_chapters(published: tuple[Episode, Manifest]) -> None:
    episode, manifest = published
    data = json.loads(episode.path.with_name("harbour-lights.chapters.json").read_text("utf-8"))
    assert data["version"] == "1.2.0"
    listed = data["chapters"]
    chaps, _ = chapters(episode.path)
    assert (
        [c["title"] for c in listed]
        == [c["title"] for c in chaps]
        == ["Harbour lights return to the quay", "What changed"]
    )
    assert listed[0]["startTime"] == 0.0
    starts = [c["startTime"] for c in listed]
    assert starts == sorted(starts)
    rate = episode.timeline.sample_rate
    for entry, chap, time in zip(listed, chaps, episode.timeline.chapters, strict=True):
        assert abs(entry["startTime"] - chap["start"] / 1000) <= TOLERANCE
        assert abs(entry["endTime"] - chap["end"] / 1000) <= TOLERANCE
        assert abs(entry["startTime"] - time.start / rate) <= TOLERANCE
    assert [(c.title, c.start, c.end) for c in manifest.chapters] == [
        (c["title"], c["startTime"], c["endTime"]) for c in listed
    ]


@pytest.mark.slow
def test_manifest_describes_the_episode(published: tuple[Episode, Manifest]) -> None:
    episode, manifest = published
    where = manifest_path(episode.path)
    assert where.name == "harbour-lights.episode.json"
    assert load_manifest(where) == manifest == load_manifest(episode.path)
    raw = json.loads(where.read_text("utf-8"))
    for key in (
        "guid",
        "title",
        "description",
        "published",
        "url",
        "authors",
        "language",
        "audio",
        "chapters",
        "sentences",
        "sidecars",
        "engine",
        "voice",
        "device",
        "model_digest",
        "text_digest",
        "narrator_version",
        "created",
    ):
        assert key in raw, key
    info = MP3(str(episode.path)).info
    assert info is not None
    audio = manifest.audio
    assert audio.file == "harbour-lights.mp3"
    assert audio.bytes == episode.path.stat().st_size
    assert audio.duration == pytest.approx(episode.duration, abs=0.001)
    assert abs(audio.duration - info.length) <= 0.1
    assert (audio.bitrate, audio.sample_rate, audio.channels) == (
        info.bitrate,
        info.sample_rate,
        info.channels,
    )
    assert audio.loudness == pytest.approx(episode.loudness.integrated, abs=0.01)
    assert audio.true_peak == pytest.approx(episode.loudness.true_peak, abs=0.01)
    assert manifest.title == "Harbour lights return to the quay"
    assert manifest.description.startswith("The old harbour lights were switched on again")
    assert manifest.url == "https://news.example/harbour/lights"
    assert manifest.guid == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, manifest.url)}"
    assert manifest.published == "2026-04-02T00:00:00+00:00"
    assert manifest.authors == ("Ann Lee",) and manifest.language == "en-GB"
    assert manifest.model_digest and manifest.voice == "joe" and manifest.engine == "piper"
    assert (manifest.engine, manifest.voice, manifest.device, manifest.model_digest) == (
        episode.engine_name,
        episode.voice,
        episode.device,
        episode.model_digest,
    )
    spoken = "\n".join(s.spoken for s in episode.script.sentences)
    assert manifest.text_digest == hashlib.sha256(spoken.encode()).hexdigest()
    assert [s.text for s in manifest.sentences] == [s.text for s in episode.script.sentences]
    rate = episode.timeline.sample_rate
    for entry, time in zip(manifest.sentences, episode.timeline.sentences, strict=True):
        assert (entry.start, entry.end) == (round(time.start / rate, 3), round(time.end / rate, 3))
    assert datetime.fromisoformat(manifest.created).tzinfo is not None


@pytest.mark.slow
def test_only_the_asked_formats_are_written(tmp_path: Path, published: tuple[Episode, Manifest]) -> None:
    episode, _ = published
    mp3 = tmp_path / "copy.mp3"
    mp3.write_bytes(episode.path.read_bytes())
    manifest = write_sidecars(replace(episode, path=mp3), ["vtt"], extra={"explicit": True})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.episode.json", "copy.mp3", "copy.vtt"]
    assert manifest.sidecars == {"vtt": "copy.vtt"}
    assert load_manifest(mp3).extra == {"explicit": True}
    with pytest.raises(FeedError, match="unknown transcript format 'txt'"):
        write_sidecars(replace(episode, path=mp3), ["txt"])


@pytest.mark.slow
def test_guid_and_date_survive_a_re_render(tmp_path: Path, isolated_env: None) -> None:
    out = tmp_path / "lighthouse.mp3"
    first = write_sidecars(narrated([FEED_DATA / "lighthouse-open-day.md"], out))
    before = out.read_bytes()
    again = narrated([FEED_DATA / "lighthouse-open-day.md"], out, Settings(device="cpu", byline=False))
    assert out.read_bytes() != before, "the audio was re-rendered"
    second = write_sidecars(again, guid="urn:uuid:00000000-0000-0000-0000-000000000000")
    assert second.guid == first.guid
    assert second.published == first.published == "2026-03-01T00:00:00+00:00"
    assert second.text_digest != first.text_digest
    assert second.audio.bytes == out.stat().st_size


@pytest.mark.slow
def test_published_falls_back_to_the_first_publication(tmp_path: Path, isolated_env: None) -> None:
    article = tmp_path / "notice.txt"
    article.write_text("Harbour notice\n\nThe slipway is closed for repairs until further notice.\n", "utf-8")
    out = tmp_path / "notice.mp3"
    episode = narrated([article], out)
    first = write_sidecars(episode, ["chapters"], guid="urn:uuid:11111111-2222-5333-8444-555555555555")
    mtime = datetime.fromtimestamp(out.stat().st_mtime, UTC).replace(microsecond=0)
    assert datetime.fromisoformat(first.published) == mtime
    assert first.guid == "urn:uuid:11111111-2222-5333-8444-555555555555"
    os.utime(out, (1_000_000_000, 1_000_000_000))
    second = write_sidecars(episode, ["chapters"])
    assert second.published == first.published and second.guid == first.guid


def test_broken_manifest_is_reported(tmp_path: Path) -> None:
    where = tmp_path / "x.episode.json"
    where.write_text("{", "utf-8")
    with pytest.raises(FeedError, match="not valid JSON"):
        load_manifest(where)
    where.write_text('{"title": "T"}', "utf-8")
    with pytest.raises(FeedError, match="has no 'audio'"):
        load_manifest(where)
