"""Master the assembled waveform into a podcast-ready MP3.

Loudness is normalised with FFmpeg's ``loudnorm`` in two passes, linear mode: pass one
measures, pass two applies one constant gain. Linear mode is only possible when that
gain would not push the true peak over the target; speech synthesis often has peaks too
high for that, so when pass one predicts it, a brick-wall limiter (at four times the
sample rate, so it catches inter-sample peaks) first brings the peak-to-loudness ratio
down, and the limited signal is measured again. Pass two must report ``linear``.

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
    options: MasterOptions, target_tp: float, lra: float, measured: dict[str, str] | None
) -> dict[str, object]:
    args: dict[str, object] = {
        "I": options.loudness,
        "TP": round(target_tp, 2),
        "LRA": round(lra, 1),
        "print_format": "json",
    }
    if measured:
        args.update(
            measured_I=measured["input_i"],
            measured_TP=measured["input_tp"],
            # loudnorm refuses linear mode for a measured range of exactly 0 (a steady
            # tone); the range plays no part in the linear gain, so report a hair above.
            measured_LRA=max(float(measured["input_lra"]), 0.1),
            measured_thresh=measured["input_thresh"],
            offset=measured["target_offset"],
            linear="true",
        )
    return args


def _pre_chain(
    stream: ffmpeg_python.nodes.FilterableStream, rate: int, limit_db: float | None, gain_db: float
) -> ffmpeg_python.nodes.FilterableStream:
    if limit_db is None:
        return stream
    return stream.filter("aresample", rate * 4).filter(
        "alimiter",
        level_in=round(10 ** (gain_db / 20), 6),
        limit=round(max(10 ** (limit_db / 20), 0.0625), 6),
        attack=5,
        release=80,
        level="disabled",
    )


def _measure_pass(
    wav: Path,
    rate: int,
    options: MasterOptions,
    target_tp: float,
    limit: tuple[float, float] | None,
) -> dict[str, str]:
    stream = ffmpeg_python.input(str(wav)).audio
    stream = _pre_chain(stream, rate, *(limit or (None, 0.0)))
    stream = stream.filter("loudnorm", **_loudnorm(options, target_tp, options.lra, None))
    args = ffmpeg_python.output(stream, "-", f="null").get_args()
    return ffmpeg.last_json(ffmpeg.run(args).stderr)


def _linear_excess(measured: dict[str, str], options: MasterOptions, target_tp: float) -> float:
    """How many dB the peak would overshoot with one linear gain (<= 0 means fine)."""
    gain = options.loudness - float(measured["input_i"])
    return float(measured["input_tp"]) + gain - target_tp


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

        limit: tuple[float, float] | None = None
        measured = _measure_pass(wav, rate, options, target_tp, None)
        log.debug("measured %s", measured)
        for attempt in range(4):
            if measured["input_i"] in ("-inf", "inf"):
                raise AudioError("the synthesised audio is silent; check the voice (narrate voices).")
            excess = _linear_excess(measured, options, target_tp)
            if excess <= 0:
                break
            # One linear gain would push the peaks over the target. Apply that gain,
            # and a little more, before a limiter whose ceiling sits below the peak
            # target: loudnorm then only turns it down. Measure again; while peaks
            # still stand out too far, drive the limiter harder.
            if limit is None:
                limit = (target_tp - 0.5, options.loudness - float(measured["input_i"]) + 1.0)
            else:
                limit = (limit[0], limit[1] + 2 * excess + 0.5)
            log.debug("limiting peaks at %.2f dB after %+.2f dB gain (try %d)", *limit, attempt + 1)
            measured = _measure_pass(wav, rate, options, target_tp, limit)
            log.debug("measured %s", measured)
        else:
            raise AudioError("could not bring the true peak under the target; lower the loudness target.")

        lra = min(max(options.lra, float(measured["input_lra"]) + 0.1), _MAX_LRA)
        stream = ffmpeg_python.input(str(wav)).audio
        stream = _pre_chain(stream, rate, *(limit or (None, 0.0)))
        stream = stream.filter("loudnorm", **_loudnorm(options, target_tp, lra, measured))
        with atomic_path(out) as partial:
            args = ffmpeg_python.output(
                stream,
                str(partial),
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
            write_tags(partial, tags, timeline)
            loudness = ffmpeg.measure(partial)
            if loudness.true_peak > options.true_peak or abs(loudness.integrated - options.loudness) > 1.0:
                raise AudioError(
                    f"mastered loudness {loudness.integrated:.1f} LUFS / {loudness.true_peak:.1f} dBTP "
                    f"misses the target {options.loudness:g} LUFS / {options.true_peak:g} dBTP; "
                    "try a larger --true-peak headroom."
                )
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
