"""Mastering: loudness on the finished MP3, CBR encoding, ID3v2.3 chapters, atomic writes."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode

from narrator import ffmpeg
from narrator._exceptions import AudioError
from narrator.master import MasterOptions, Tags, master
from narrator.types import ChapterTime, Timeline

from .conftest import chapters, measure_loudness

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pydub import AudioSegment

RATE = 22050


def speechlike(seconds: float, spiky: bool, seed: int = 1) -> AudioSegment:
    """A steady tone, or (``spiky``) noise syllables with sharp transients as TTS plosives have."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    if not spiky:
        # A steady vowel-like tone: low peak-to-loudness ratio, so one linear gain suffices.
        signal = 0.1 * np.sin(2 * np.pi * 180 * t) * (0.75 + 0.25 * np.sin(2 * np.pi * 2 * t))
    else:
        envelope = np.clip(np.sin(2 * np.pi * 3.0 * t), 0, None) ** 2
        signal = rng.normal(0, 0.05, n) * envelope
        for at in rng.integers(0, n - 100, size=int(seconds * 2)):
            signal[at : at + 40] += 0.6 * np.hanning(40) * rng.choice([-1, 1])
    pcm = np.clip(signal * 32767, -32768, 32767).astype("<i2")
    return AudioSegment(data=pcm.tobytes(), sample_width=2, frame_rate=RATE, channels=1)


def timeline_for(audio: AudioSegment, titles: list[str]) -> Timeline:
    length = len(audio.raw_data) // 2
    bounds = [round(i * length / len(titles)) for i in range(len(titles) + 1)]
    chapters = tuple(ChapterTime(i, title, bounds[i], bounds[i + 1]) for i, title in enumerate(titles))
    return Timeline(sample_rate=RATE, length=length, chapters=chapters)


@pytest.mark.parametrize("spiky", [False, True], ids=["smooth", "spiky"])
@pytest.mark.parametrize("target", [-16.0, -23.0])
def test_loudness_and_true_peak_measured_on_the_mp3(tmp_path: Path, spiky: bool, target: float) -> None:
    audio = speechlike(20, spiky)
    out = tmp_path / "out.mp3"
    result = master(audio, out, Tags(title="T"), timeline_for(audio, ["A"]), MasterOptions(loudness=target))
    measured = measure_loudness(out)
    assert abs(measured.integrated - target) <= 1.0
    assert measured.true_peak <= -1.0
    # What mastering reports is what the file measures.
    assert result.loudness.integrated == pytest.approx(measured.integrated, abs=0.15)
    assert result.loudness.true_peak == pytest.approx(measured.true_peak, abs=0.15)
    # A limiter runs only when one linear gain would push the peaks over the target:
    # never for the steady tone, always for transients 25 dB above the speech.
    assert result.normalization == ("limited+linear" if spiky else "linear")


def test_mp3_format_and_tags(tmp_path: Path) -> None:
    audio = speechlike(12, spiky=True)
    out = tmp_path / "out.mp3"
    tags = Tags(
        title="Ferry fares rise",
        artist="Maria Okafor",
        album="The Courier",
        date="2026-10-28T07:45:00-04:00",
        comment="This audio is created with AI assistance.",
        language="en-US",
        url="https://example.org/story",
        encoder="narrator test",
        extra={"narrator:voice": "joe"},
    )
    long_title = "A chapter title that is long enough to trip readers of ID3v2.4 chapter sub-frames " * 2
    master(
        audio,
        out,
        tags,
        timeline_for(audio, ["Intro", long_title.strip(), "Ünïcödé — end"]),
        MasterOptions(bitrate=64),
    )
    info = MP3(str(out)).info
    assert info.bitrate_mode == BitrateMode.CBR and info.bitrate == 64000 and info.sample_rate == 44100
    assert info.channels == 1
    assert out.read_bytes()[:4] == b"ID3\x03"
    tag = ID3(str(out))
    assert str(tag["TIT2"]) == "Ferry fares rise"
    assert str(tag["TPE1"]) == "Maria Okafor"
    assert str(tag["TDRC"]) == "2026-10-28"
    assert tag["WOAS"].url == "https://example.org/story"
    assert str(tag.getall("TXXX:narrator:voice")[0]) == "joe"
    assert "AI assistance" in str(tag.getall("COMM")[0])
    chaps, _ = chapters(out)
    assert [c["title"] for c in chaps] == ["Intro", long_title.strip(), "Ünïcödé — end"]
    assert chaps[0]["start"] == 0 and chaps[-1]["end"] == 12000


def test_ffmpeg_reads_the_chapters_back(tmp_path: Path) -> None:
    """ffmpeg's own ID3 reader (ffprobe, many players) sees every chapter."""
    audio = speechlike(9, spiky=False)
    out = tmp_path / "out.mp3"
    titles = ["One", "Two " * 30, "Three"]
    master(audio, out, Tags(title="T"), timeline_for(audio, titles))
    stderr = ffmpeg.run(["-i", str(out), "-f", "ffmetadata", "-"]).stdout.decode()
    assert stderr.count("[CHAPTER]") == 3


def test_silence_is_refused(tmp_path: Path) -> None:
    audio = AudioSegment(data=bytes(RATE * 2), sample_width=2, frame_rate=RATE, channels=1)
    with pytest.raises(AudioError, match="silent"):
        master(audio, tmp_path / "x.mp3", Tags(title="T"), timeline_for(audio, ["A"]))
    assert not (tmp_path / "x.mp3").exists()


def test_failed_encode_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ffmpeg that fails (here one without an MP3 encoder) is a clear error, not a file."""
    audio = speechlike(5, spiky=False)
    out = tmp_path / "out.mp3"
    out.write_bytes(b"previous")
    fake = tmp_path / "bin" / "ffmpeg"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho \"Unknown encoder 'libmp3lame'\" >&2\nexit 1\n")
    fake.chmod(0o755)
    ffmpeg.ffmpeg_exe.cache_clear()
    monkeypatch.setenv("NARRATOR_FFMPEG", str(fake))
    try:
        with pytest.raises(AudioError, match="Unknown encoder 'libmp3lame'"):
            master(audio, out, Tags(title="T"), timeline_for(audio, ["A"]))
    finally:
        ffmpeg.ffmpeg_exe.cache_clear()
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "out.mp3"]


def test_failure_after_encoding_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    audio = speechlike(5, spiky=False)
    out = tmp_path / "out.mp3"
    out.write_bytes(b"previous")

    def failing(*args: object) -> None:
        raise AudioError("simulated tagging failure")

    monkeypatch.setattr("narrator.master.write_tags", failing)
    with pytest.raises(AudioError, match="simulated"):
        master(audio, out, Tags(title="T"), timeline_for(audio, ["A"]))
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp3"]


def test_missing_ffmpeg_override_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    ffmpeg.ffmpeg_exe.cache_clear()
    monkeypatch.setenv("NARRATOR_FFMPEG", "/nonexistent/ffmpeg")
    try:
        with pytest.raises(AudioError, match="NARRATOR_FFMPEG"):
            ffmpeg.ffmpeg_exe()
    finally:
        ffmpeg.ffmpeg_exe.cache_clear()


def test_dense_noise_reaches_the_target(tmp_path: Path) -> None:
    """Noise (what an untrained voice model says) stops getting louder under a limiter;
    the encoder also takes some of its loudness. It still ends within the tolerance."""
    rng = np.random.default_rng(7)
    noise = rng.normal(0, 0.01, RATE * 10)
    pcm = np.clip(noise * 32767, -32768, 32767).astype("<i2")
    audio = AudioSegment(data=pcm.tobytes(), sample_width=2, frame_rate=RATE, channels=1)
    out = tmp_path / "noise.mp3"
    master(audio, out, Tags(title="T"), timeline_for(audio, ["A"]))
    measured = measure_loudness(out)
    assert abs(measured.integrated + 16) <= 1.0 and measured.true_peak <= -1.0


def test_stereo_output_meets_the_target(tmp_path: Path) -> None:
    audio = speechlike(10, spiky=True)
    out = tmp_path / "stereo.mp3"
    result = master(audio, out, Tags(title="T"), timeline_for(audio, ["A"]), MasterOptions(channels=2))
    assert MP3(str(out)).info.channels == 2
    measured = measure_loudness(out)
    assert abs(measured.integrated + 16) <= 0.5 and measured.true_peak <= -1.0
    assert result.loudness.integrated == pytest.approx(measured.integrated, abs=0.15)


def test_a_target_out_of_reach_is_refused_and_nothing_written(tmp_path: Path) -> None:
    """-5 LUFS under a -1 dBTP ceiling needs a peak-to-loudness ratio of 4 dB: no limiter
    gets speech there, so mastering says so and writes nothing."""
    audio = speechlike(10, spiky=True)
    out = tmp_path / "loud.mp3"
    out.write_bytes(b"previous")
    with pytest.raises(AudioError, match="misses the target -5 LUFS"):
        master(audio, out, Tags(title="T"), timeline_for(audio, ["A"]), MasterOptions(loudness=-5.0))
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["loud.mp3"]


def test_too_short_to_measure_is_a_clear_error(tmp_path: Path) -> None:
    audio = speechlike(0.3, spiky=False)
    with pytest.raises(AudioError, match="shorter than 0.4 s"):
        master(audio, tmp_path / "x.mp3", Tags(title="T"), timeline_for(audio, ["A"]))
    assert not (tmp_path / "x.mp3").exists()


def test_a_failing_meter_is_the_error_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the ffmpeg measuring the MP3 dies, its reason is reported, not the encoder's
    broken pipe that follows."""
    real = ffmpeg.ffmpeg_exe()
    wrapper = tmp_path / "bin" / "ffmpeg"
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/bin/sh\n"
        'case "$*" in *ebur128*) echo "No such filter: ebur128" >&2; exit 1;; esac\n'
        f'exec "{real}" "$@"\n'
    )
    wrapper.chmod(0o755)
    ffmpeg.ffmpeg_exe.cache_clear()
    monkeypatch.setenv("NARRATOR_FFMPEG", str(wrapper))
    audio = speechlike(5, spiky=False)
    try:
        with pytest.raises(AudioError, match="No such filter: ebur128"):
            master(audio, tmp_path / "x.mp3", Tags(title="T"), timeline_for(audio, ["A"]))
    finally:
        ffmpeg.ffmpeg_exe.cache_clear()
    assert not (tmp_path / "x.mp3").exists()
