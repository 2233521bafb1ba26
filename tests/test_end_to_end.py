"""Narrate the sample articles through the CLI and check the finished MP3s."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3, BitrateMode

from narrator.cli import main

from .conftest import SAMPLES, chapters, decode, expected, measure_loudness, rms_db

pytestmark = pytest.mark.slow

NAMES = ("harbour-ferry-fares", "heat-pumps-explained")


@pytest.fixture(scope="module")
def narrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    out = tmp_path_factory.mktemp("episodes")
    env = {"NARRATOR_VOICES": str(out / "voices"), "NARRATOR_CACHE": str(out / "cache")}
    results = {}
    for name in NAMES:
        mp3 = out / f"{name}.mp3"
        result = CliRunner().invoke(main, [str(SAMPLES / f"{name}.html"), "-o", str(mp3), "--json"], env=env)
        assert result.exit_code == 0, result.output
        results[name] = (mp3, json.loads(result.stdout))
    return results


@pytest.mark.parametrize("name", NAMES)
def test_mp3_is_cbr_44k_with_id3v23(narrated: dict[str, Any], name: str) -> None:
    mp3, _ = narrated[name]
    info = MP3(str(mp3)).info
    assert info.bitrate_mode == BitrateMode.CBR
    assert info.sample_rate == 44100
    assert info.bitrate == 96000
    with mp3.open("rb") as fh:
        header = fh.read(10)
    assert header[:3] == b"ID3" and header[3] == 3, "tag must be written as ID3v2.3"
    tag = ID3(str(mp3))
    assert str(tag["TIT2"]) == expected(name)["title"]
    assert str(tag["TPE1"]) == expected(name)["byline"]


@pytest.mark.parametrize("name", NAMES)
def test_loudness_meets_podcast_target(narrated: dict[str, Any], name: str) -> None:
    mp3, _ = narrated[name]
    measured = measure_loudness(mp3)
    assert abs(measured.integrated - -16.0) <= 1.0, measured
    assert measured.true_peak <= -1.0, measured


@pytest.mark.parametrize("name", NAMES)
def test_chapters_match_headings_and_timeline(narrated: dict[str, Any], name: str) -> None:
    mp3, report = narrated[name]
    chaps, toc = chapters(mp3)
    want = [expected(name)["title"]] + [b["text"] for b in expected(name)["blocks"] if b["kind"] == "heading"]
    assert [c["title"] for c in chaps] == want
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    assert len(ID3(str(mp3)).getall("CHAP")) == len(want)
    timeline = report["chapters"]
    assert len(timeline) == len(chaps)
    for chap, planned in zip(chaps, timeline, strict=True):
        assert abs(chap["start"] - planned["start"] * 1000) <= 50
        assert abs(chap["end"] - planned["end"] * 1000) <= 50
    # The chapters cover the whole episode without gaps.
    assert chaps[0]["start"] == 0
    for a, b in pairwise(chaps):
        assert a["end"] == b["start"]
    duration_ms = MP3(str(mp3)).info.length * 1000
    assert abs(chaps[-1]["end"] - duration_ms) <= 100


def test_chapter_marks_fall_just_before_speech(narrated: dict[str, Any]) -> None:
    """Jumping to a chapter lands in the pause right before its heading is spoken."""
    mp3, _ = narrated["heat-pumps-explained"]
    chaps, _ = chapters(mp3)
    rate = 16000
    audio = decode(mp3, rate)
    for chap in chaps[1:]:
        at = int(chap["start"] / 1000 * rate)
        before = audio[at - int(0.5 * rate) : at + int(0.2 * rate)]
        after = audio[at + int(0.35 * rate) : at + int(1.2 * rate)]
        assert rms_db(before) < -50, chap
        assert rms_db(after) > -35, chap


@pytest.mark.parametrize("name", NAMES)
def test_script_reads_every_story_sentence_once_and_no_boilerplate(name: str) -> None:
    result = CliRunner().invoke(main, ["--script", "--json", str(SAMPLES / f"{name}.html")])
    assert result.exit_code == 0, result.output
    script = json.loads(result.stdout)
    sentences = [s for c in script["chapters"] for s in c["sentences"]]
    paragraphs: dict[int, list[str]] = {}
    for s in sentences:
        paragraphs.setdefault(s["paragraph"], []).append(s["text"])
    read = [" ".join(parts) for _, parts in sorted(paragraphs.items())]
    truth = expected(name)
    assert read[0] == truth["title"] + ("" if truth["title"][-1] in ".?!" else ".")
    assert read[1].startswith("By " + truth["byline"])
    body = [b["text"] + "." if b["kind"] == "heading" else b["text"] for b in truth["blocks"]]
    assert read[2:] == body
    everything = " ".join(s["text"] for s in sentences)
    for phrase in truth["must_not_hear"]:
        assert phrase not in everything, phrase


def test_multi_article_episode_has_a_chapter_per_article(tmp_path: Path) -> None:
    mp3 = tmp_path / "briefing.mp3"
    env = {"NARRATOR_CACHE": str(tmp_path / "cache")}
    sources = [str(SAMPLES / "community-garden.md"), str(SAMPLES / "harbour-ferry-fares.html")]
    args = [*sources, "-o", str(mp3), "--json", "--disclose", "--disclose-at", "end", "--manifest"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    garden, ferry = expected("community-garden"), expected("harbour-ferry-fares")
    want = [garden["title"], "How it came together", "What grows there now", ferry["title"]]
    chaps, toc = chapters(mp3)
    assert [c["title"] for c in chaps] == want
    assert toc.flags & CTOCFlags.ORDERED
    for chap, planned in zip(chaps, report["chapters"], strict=True):
        assert abs(chap["start"] - planned["start"] * 1000) <= 50
    manifest = json.loads(mp3.with_suffix(".episode.json").read_text("utf-8"))
    spoken = [s["text"] for s in manifest["sentences"]]
    assert spoken[-1] == "This audio is created with AI assistance."
    assert "Next story." in spoken
    # The second article's chapter starts where its transition is said.
    transition = next(s for s in manifest["sentences"] if s["text"] == "Next story.")
    assert 0 < transition["start"] * 1000 - chaps[3]["start"] < 1000


def test_script_lists_every_article_in_order() -> None:
    sources = [str(SAMPLES / "community-garden.md"), str(SAMPLES / "heat-pumps-explained.html")]
    result = CliRunner().invoke(main, ["--script", *sources])
    assert result.exit_code == 0, result.output
    headings = [line[3:] for line in result.stdout.splitlines() if line.startswith("## ")]
    assert headings[0] == expected("community-garden")["title"]
    assert headings[3] == expected("heat-pumps-explained")["title"]
    assert len(headings) == 3 + 5


def test_options_reach_the_finished_file(tmp_path: Path) -> None:
    """Cover art, stereo, a broadcast loudness target, a tighter peak and provenance tags."""
    from PIL import Image

    cover = tmp_path / "cover.png"
    Image.new("RGB", (1400, 1400), (20, 90, 160)).save(cover)
    mp3 = tmp_path / "opts.mp3"
    args = [str(SAMPLES / "community-garden.md"), "-o", str(mp3), "--cover", str(cover), "--stereo"]
    args += ["--loudness", "-23", "--true-peak", "-3", "--no-byline", "--json"]
    result = CliRunner().invoke(main, args, env={"NARRATOR_CACHE": str(tmp_path / "cache")})
    assert result.exit_code == 0, result.output
    info = MP3(str(mp3)).info
    assert info.channels == 2 and info.bitrate_mode == BitrateMode.CBR
    measured = measure_loudness(mp3)
    assert abs(measured.integrated + 23) <= 1.0 and measured.true_peak <= -3.0
    tag = ID3(str(mp3))
    (apic,) = tag.getall("APIC")
    assert apic.type == 3 and apic.mime in ("image/jpeg", "image/png") and len(apic.data) > 1000
    provenance = {frame.desc: str(frame) for frame in tag.getall("TXXX")}
    assert provenance["narrator:engine"] == "piper" and provenance["narrator:voice"] == "joe"
    assert len(provenance["narrator:text_digest"]) == 64 and provenance["narrator:version"]
    script = CliRunner().invoke(
        main, ["--script", "--json", "--no-byline", str(SAMPLES / "community-garden.md")]
    )
    sentences = [s["text"] for c in json.loads(script.stdout)["chapters"] for s in c["sentences"]]
    assert not any(s.startswith("By ") for s in sentences[:3])
