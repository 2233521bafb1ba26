"""Master the assembled waveform into a podcast-ready MP3.

Loudness is normalised in two passes, linear mode. Pass one measures integrated loudness,
loudness range, gating threshold and true peak with FFmpeg's ``ebur128`` meter (the same
BS.1770 measurement ``loudnorm`` makes in its first pass, about six times faster); pass two
hands those values to ``loudnorm`` with ``linear=true``, which applies one constant gain.

Linear mode is only possible when that gain would not push the true peak over the
target. Synthetic speech usually has plosive peaks too high for that, so when pass one
predicts it, a brick-wall limiter (at four times the sample rate, so it catches
inter-sample peaks) runs first: the signal is driven into it a little past the loudness
target, and the limited signal is measured again. Pass two must report ``linear``; the
finished MP3 is measured once more and rejected if it misses the target.

The MP3 is constant bitrate (players seek in it exactly), 44.1 kHz, and its ID3v2.3 tag
carries the metadata, CHAP frames with a title each, and one ordered top-level CTOC.
"""

from __future__ import annotations

import logging
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import ffmpeg as ffmpeg_python

from . import ffmpeg
from ._exceptions import AudioError
from ._files import atomic_path
from .ffmpeg import Loudness
from .types import Timeline

__all__ = ["MasterOptions", "Mastered", "Tags", "master", "write_tags"]

log = logging.getLogger(__name__)

_MAX_LRA = 50.0
_TOLERANCE = 1.0
"""How far, in LU, the finished file's integrated loudness may be from the target."""


@dataclass(frozen=True)
class MasterOptions:
    """Loudness and encoding targets."""

    loudness: float = -16.0
    """Integrated loudness target in LUFS (-16 for podcasts, -23 for EBU R128 broadcast)."""
    true_peak: float = -1.0
    """Highest true peak allowed in the finished MP3, in dBTP."""
    lra: float = 11.0
    """Loudness range target in LU; raised to the measured range so linear mode holds."""
    encoder_headroom: float = 1.0
    """Extra dB of peak headroom left before encoding, for the MP3 encoder's overshoot."""
    bitrate: int = 96
    """Constant bitrate in kbit/s."""
    sample_rate: int = 44100
    """Output sample rate."""
    channels: int = 1
    """1 for mono, 2 for stereo."""


@dataclass(frozen=True)
class Tags:
    """What the ID3 tag says about the episode."""

    title: str
    """TIT2."""
    artist: str | None = None
    """TPE1: the authors, or the publication."""
    album: str | None = None
    """TALB: the publication or show."""
    date: str | None = None
    """TDRC: ISO 8601 date (stored as TYER/TDAT in ID3v2.3)."""
    comment: str | None = None
    """COMM."""
    language: str | None = None
    """TLAN: ISO 639-2 code, e.g. ``eng``."""
    url: str | None = None
    """WOAS: the source article."""
    encoder: str | None = None
    """TSSE: the software that made the file."""
    extra: dict[str, str] = field(default_factory=dict)
    """TXXX frames: description → value."""
    cover: bytes | None = None
    """APIC: front cover image (JPEG or PNG)."""


@dataclass(frozen=True)
class Mastered:
    """What mastering produced."""

    path: Path
    """The finished MP3."""
    loudness: Loudness
    """Loudness of the finished MP3, as measured on it."""
    normalization: str
    """``linear``, or ``limited+linear`` when a limiter ran first."""
    duration: float
    """Length in seconds."""
    size: int
    """Size in bytes."""


def _loudnorm(
    options: MasterOptions, target_i: float, target_tp: float, measured: Loudness
) -> dict[str, object]:
    """Arguments of a linear ``loudnorm`` pass fed with the first pass's measurement."""
    return {
        "I": round(target_i, 2),
        "TP": round(target_tp, 2),
        # Linear mode needs the measured range within the target range; the range plays
        # no part in a linear gain, so the target is raised to it when needed.
        "LRA": round(min(max(options.lra, measured.lra + 0.1), _MAX_LRA), 1),
        "measured_I": measured.integrated,
        "measured_TP": measured.true_peak,
        # loudnorm refuses linear mode for a measured range of exactly 0 (a steady tone).
        "measured_LRA": max(measured.lra, 0.1),
        "measured_thresh": measured.threshold,
        "offset": 0.0,
        "linear": "true",
        "print_format": "json",
    }


def _pre_chain(
    stream: ffmpeg_python.nodes.FilterableStream, rate: int, limit: tuple[float, float] | None, out_rate: int
) -> ffmpeg_python.nodes.FilterableStream:
    """The limiter stage, when there is one: ``limit`` is (ceiling dB, drive dB).

    The limiter runs at four times the voice's rate, so that it catches inter-sample peaks;
    its output comes back at the MP3's rate, which is what loudnorm then measures and gains.
    """
    if limit is None:
        return stream
    ceiling, drive = limit
    return (
        stream.filter("aresample", rate * 4)
        .filter("volume", f"{drive:.3f}dB", precision="float")
        .filter(
            "alimiter",
            limit=round(max(10 ** (ceiling / 20), 0.0625), 6),
            attack=5,
            release=80,
            level="disabled",
        )
        .filter("aresample", out_rate)
    )


def _measure(wav: Path, rate: int, limit: tuple[float, float] | None, out_rate: int) -> Loudness:
    stream = _pre_chain(ffmpeg_python.input(str(wav)).audio, rate, limit, out_rate).filter(
        "ebur128", peak="true"
    )
    args = ffmpeg_python.output(stream, "-", f="null").get_args()
    measured = ffmpeg.read_summary(ffmpeg.run(args).stderr, str(wav))
    log.debug("measured %s", measured)
    return measured


def _excess(measured: Loudness, options: MasterOptions, target_tp: float) -> float:
    """How many dB one linear gain would push the peak over the target (<= 0 is fine)."""
    return measured.true_peak + (options.loudness - measured.integrated) - target_tp


def _plan(
    wav: Path, rate: int, options: MasterOptions, target_tp: float, raw: Loudness
) -> tuple[tuple[float, float] | None, Loudness, float]:
    """Choose a limiter, if one linear gain cannot reach the target, and measure its output.

    Returns the limiter (``None`` or (ceiling dB, drive dB)), the measurement loudnorm's
    linear pass is fed, and the loudness to aim at.

    ``raw`` is pass one's measurement of the unprocessed signal. The limiter's ceiling
    sits 1 dB under the peak target; the signal is driven into it (at first 3 dB past the
    target: limiting synthetic speech costs about that much loudness) until its loudness
    is close enough to the target that loudnorm's linear gain keeps the peaks under it.
    Each try corrects the drive by the loudness still missing, divided by how much
    loudness the last drive actually bought. A signal that stops getting louder however
    hard it is driven (dense noise does) is aimed as close to the target as its peaks
    allow, provided that is within the tolerance.
    """
    if _excess(raw, options, target_tp) <= 0:
        return None, raw, options.loudness
    ceiling = target_tp - 1.0
    drive = options.loudness - raw.integrated + 3.0
    previous = raw
    for attempt in range(6):
        limit = (ceiling, drive)
        log.debug("limiting peaks at %.2f dB after %+.2f dB drive (try %d)", *limit, attempt + 1)
        measured = _measure(wav, rate, limit, options.sample_rate)
        excess = _excess(measured, options, target_tp)
        if excess <= 0:
            return limit, measured, options.loudness
        if attempt and measured.integrated - previous.integrated < 0.3 and excess < _TOLERANCE:
            log.debug("limiter saturated; aiming %.2f LU under the target", excess)
            return limit, measured, options.loudness - excess - 0.05
        previous = measured
        slope = min(max((measured.integrated - raw.integrated) / drive, 0.2), 1.0)
        drive += (excess + 0.5) / slope
    raise AudioError("could not bring the true peak under the target; lower the loudness target.")


def _encode(
    wav: Path,
    rate: int,
    out: Path,
    options: MasterOptions,
    target: tuple[float, float],
    limit: tuple[float, float] | None,
    measured: Loudness,
) -> None:
    """Pass two: the linear gain, resampling and CBR MP3 encoding in one ffmpeg run."""
    stream = _pre_chain(ffmpeg_python.input(str(wav)).audio, rate, limit, options.sample_rate)
    stream = stream.filter("loudnorm", **_loudnorm(options, *target, measured))
    args = ffmpeg_python.output(
        stream,
        str(out),
        format="mp3",
        acodec="libmp3lame",
        audio_bitrate=f"{options.bitrate}k",
        ar=options.sample_rate,
        ac=options.channels,
        map_metadata=-1,
        write_xing=1,
        id3v2_version=3,
    ).get_args()
    report = ffmpeg.last_json(ffmpeg.run(args).stderr)
    if report.get("normalization_type") != "linear":
        raise AudioError(
            f"loudnorm fell back to {report.get('normalization_type')} mode; "
            "report this with the article that caused it."
        )


def master(
    audio: object,
    out: Path,
    tags: Tags,
    timeline: Timeline,
    options: MasterOptions | None = None,
) -> Mastered:
    """Normalise, encode and tag ``audio`` (a pydub ``AudioSegment``) into ``out``.

    ``out`` is replaced atomically: a failure leaves any previous file untouched.
    """
    options = options or MasterOptions()
    raw: bytes = audio.raw_data  # type: ignore[attr-defined]
    rate: int = audio.frame_rate  # type: ignore[attr-defined]
    width: int = audio.sample_width  # type: ignore[attr-defined]
    channels: int = audio.channels  # type: ignore[attr-defined]
    if not raw or audio.max == 0:  # type: ignore[attr-defined]
        raise AudioError("the synthesised audio is silent; check the voice (narrate voices).")
    target_tp = options.true_peak - options.encoder_headroom

    with tempfile.TemporaryDirectory(prefix="narrator-") as tmp:
        wav = Path(tmp) / "episode.wav"
        with wave.open(str(wav), "wb") as fh:
            fh.setnchannels(channels)
            fh.setsampwidth(width)
            fh.setframerate(rate)
            fh.writeframes(raw)

        with atomic_path(out) as partial:
            unprocessed = _measure(wav, rate, None, options.sample_rate)
            if unprocessed.integrated < -70:
                raise AudioError("the synthesised audio is silent; check the voice (narrate voices).")
            # Encoding moves the measurement a little: the MP3 encoder overshoots the
            # peaks it is given (more at low bitrates) and its low-pass filter takes
            # some loudness from noisy signals. Check the finished file; if its peak is
            # over the target, aim lower; if its loudness is off while the peak has
            # room, correct the gain; then encode again.
            correction = 0.0
            plan = _plan(wav, rate, options, target_tp, unprocessed)
            for _ in range(3):
                limit, measured, target_i = plan
                aim = (target_i + correction, min(target_tp + max(correction, 0.0), 0.0))
                _encode(wav, rate, partial, options, aim, limit, measured)
                loudness = ffmpeg.measure(partial)
                if loudness.true_peak > options.true_peak:
                    target_tp -= loudness.true_peak - options.true_peak + 0.3
                    log.debug("encoder overshoot to %.2f dBTP; aiming at %.2f", loudness.true_peak, target_tp)
                    plan = _plan(wav, rate, options, target_tp, unprocessed)
                    continue
                missing = options.loudness - loudness.integrated
                if abs(missing) <= 0.5:
                    break
                correction += min(missing, options.true_peak - 0.1 - loudness.true_peak)
                log.debug(
                    "loudness %.2f LUFS after encoding; correcting by %+.2f", loudness.integrated, correction
                )
            if (
                loudness.true_peak > options.true_peak
                or abs(loudness.integrated - options.loudness) > _TOLERANCE
            ):
                raise AudioError(
                    f"mastered loudness {loudness.integrated:.1f} LUFS / {loudness.true_peak:.1f} dBTP "
                    f"misses the target {options.loudness:g} LUFS / {options.true_peak:g} dBTP; "
                    "try a higher --bitrate or a lower --loudness."
                )
            write_tags(partial, tags, timeline)
            size = partial.stat().st_size
    log.info(
        "mastered %s: %.1f LUFS, %.1f dBTP (%s)",
        out,
        loudness.integrated,
        loudness.true_peak,
        "limited+linear" if limit else "linear",
    )
    return Mastered(
        path=out,
        loudness=loudness,
        normalization="limited+linear" if limit else "linear",
        duration=timeline.duration,
        size=size,
    )


_LANGUAGES = {
    "en": "eng",
    "de": "deu",
    "fr": "fra",
    "es": "spa",
    "it": "ita",
    "nl": "nld",
    "pt": "por",
}


def iso639_2(tag: str | None) -> str | None:
    """ID3's three-letter language code for a BCP 47 tag."""
    if not tag:
        return None
    return _LANGUAGES.get(tag.split("-")[0].lower())


def write_tags(path: Path, tags: Tags, timeline: Timeline) -> None:
    """Write an ID3v2.3 tag with metadata and chapters (CHAP + ordered top-level CTOC)."""
    from mutagen.id3 import (
        APIC,
        CHAP,
        COMM,
        CTOC,
        ID3,
        TALB,
        TCON,
        TDRC,
        TIT2,
        TLAN,
        TPE1,
        TSSE,
        TXXX,
        WOAS,
        CTOCFlags,
    )

    id3 = ID3()
    id3.add(TIT2(encoding=3, text=[tags.title]))
    if tags.artist:
        id3.add(TPE1(encoding=3, text=[tags.artist]))
    if tags.album:
        id3.add(TALB(encoding=3, text=[tags.album]))
    if tags.date:
        id3.add(TDRC(encoding=3, text=[tags.date[:10]]))
    id3.add(TCON(encoding=3, text=["Podcast"]))
    if tags.comment:
        id3.add(COMM(encoding=3, lang=iso639_2(tags.language) or "eng", desc="", text=[tags.comment]))
    if tags.language and iso639_2(tags.language):
        id3.add(TLAN(encoding=3, text=[iso639_2(tags.language)]))
    if tags.url:
        id3.add(WOAS(url=tags.url))
    if tags.encoder:
        id3.add(TSSE(encoding=3, text=[tags.encoder]))
    for desc, value in tags.extra.items():
        id3.add(TXXX(encoding=3, desc=desc, text=[value]))
    if tags.cover:
        mime = "image/png" if tags.cover.startswith(b"\x89PNG") else "image/jpeg"
        id3.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=tags.cover))

    ids = [f"chp{c.index}" for c in timeline.chapters]
    if len(ids) > 255:
        raise AudioError(f"{len(ids)} chapters exceed the 255 a CTOC may list; use fewer headings.")
    for element_id, chapter in zip(ids, timeline.chapters, strict=True):
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=round(timeline.seconds(chapter.start) * 1000),
                end_time=round(timeline.seconds(chapter.end) * 1000),
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=3, text=[chapter.title])],
            )
        )
    if ids:
        id3.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text=[tags.title])],
            )
        )
    id3.save(str(path), v2_version=3)
