"""Master the assembled waveform into a podcast-ready MP3.

Loudness is normalised with one constant gain, after a true-peak limiter when the gain
alone would push the peaks over the target:

1. Measure the episode: integrated loudness and the true-peak envelope (BS.1770-4, in
   :mod:`narrator.loudness`, on the samples in memory).
2. If the gain that reaches the loudness target keeps the true peak under the peak
   target, apply it: that is all (``linear``). Synthetic speech usually has plosive peaks
   too high for that (about 21 dB over its loudness where 15 are allowed), so otherwise
   the signal is driven into a look-ahead limiter a little past the target, the limited
   signal is measured again, and a final gain of at most the limiter's headroom brings it
   to the target (``limited+linear``).
3. Encode a constant-bitrate MP3 while ffmpeg's own ``ebur128`` meter measures the MP3's
   frames as they are written. The encoder overshoots peaks a little and its low-pass
   filter takes a little loudness: if the finished file misses either target, aim again
   and encode again; a file that still misses is refused, never written.

Measuring, then applying one constant gain is what ffmpeg's two-pass ``loudnorm`` does in
linear mode (the same BS.1770 measurement); here a true-peak limiter may run first, there
is no silent fall-back to dynamic mode, and it costs a fraction: no WAV is written, and
the episode goes through ffmpeg once.

The MP3 is constant bitrate (players seek in it exactly), 44.1 kHz, and its ID3v2.3 tag
carries the metadata, CHAP frames with a title each, and one ordered top-level CTOC.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import ffmpeg
from ._exceptions import AudioError
from ._files import atomic_path
from .ffmpeg import Loudness
from .loudness import integrated_loudness, limiter_gain, peak_envelope
from .types import Timeline

__all__ = ["MasterOptions", "Mastered", "Tags", "master", "write_tags"]

log = logging.getLogger(__name__)

_TOLERANCE = 1.0
"""How far, in LU, the finished file's integrated loudness may be from the target."""


@dataclass(frozen=True)
class MasterOptions:
    """Loudness and encoding targets."""

    loudness: float = -16.0
    """Integrated loudness target in LUFS (-16 for podcasts, -23 for EBU R128 broadcast)."""
    true_peak: float = -1.0
    """Highest true peak allowed in the finished MP3, in dBTP."""
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


_SILENT = "the synthesised audio is silent; check the voice (narrate voices)."


def _db(value: float) -> float:
    return float(10 ** (value / 20))


def _level(
    samples: np.ndarray, envelope: np.ndarray, rate: int, loudness: float, target_i: float, target_tp: float
) -> tuple[np.ndarray, bool, float]:
    """``samples`` brought to ``target_i`` LUFS with true peaks at most ``target_tp`` dBTP.

    ``loudness`` and ``envelope`` are the unprocessed signal's integrated loudness and
    :func:`~narrator.loudness.peak_envelope`. Returns the signal, whether it was limited,
    and how many LU it falls short of the target (0 unless the limiter saturated).

    The limiter's ceiling sits 1 dB under the peak target, leaving a final gain of up to
    1 dB. The signal is driven into it (at first 3 dB past the target: limiting synthetic
    speech costs about that much loudness) until the limited signal is within that 1 dB
    of the target; each try corrects the drive by the loudness still missing, divided by
    how much loudness the drive bought. A signal that stops getting louder however hard it
    is driven (dense noise does) comes out as loud as its peaks allow.
    """
    peak = 20 * math.log10(float(envelope.max()))
    gain = target_i - loudness
    if peak + gain <= target_tp:
        return samples * np.float32(_db(gain)), False, 0.0
    headroom = 1.0
    ceiling = target_tp - headroom
    drive = gain + 3.0
    previous = loudness
    for attempt in range(6):
        log.debug("limiting peaks at %.2f dBTP after %+.2f dB drive (try %d)", ceiling, drive, attempt + 1)
        # The limiter sees the signal driven by ``drive``: its ceiling, relative to the
        # undriven envelope, is that much lower.
        limited = limiter_gain(envelope, rate, ceiling - drive)
        limited *= samples
        limited *= np.float32(_db(drive))
        measured = integrated_loudness(limited, rate)
        makeup = target_i - measured
        if makeup <= headroom:
            limited *= np.float32(_db(makeup))
            return limited, True, 0.0
        if attempt and measured - previous < 0.3:
            break
        previous = measured
        slope = min(max((measured - loudness) / drive, 0.2), 1.0)
        drive += (makeup - headroom + 0.5) / slope
    # Dense signals stop getting louder however hard they are driven: as loud as the peaks
    # allow, then (whether that is close enough is the caller's check).
    log.debug("limiter saturated; %.2f LU under the target", makeup - headroom)
    limited *= np.float32(_db(headroom))
    return limited, True, makeup - headroom


def master(
    audio: object,
    out: Path,
    tags: Tags,
    timeline: Timeline,
    options: MasterOptions | None = None,
) -> Mastered:
    """Normalise, encode and tag ``audio`` (a mono pydub ``AudioSegment``) into ``out``.

    ``out`` is replaced atomically: a failure leaves any previous file untouched.
    """
    options = options or MasterOptions()
    samples, rate = _samples(audio)
    if not samples.size or not samples.any():
        raise AudioError(_SILENT)
    if len(samples) < 0.4 * rate:
        raise AudioError("the episode is shorter than 0.4 s, too short to measure its loudness.")
    with ThreadPoolExecutor(max_workers=1) as pool:  # side by side; numpy releases the GIL
        measuring = pool.submit(integrated_loudness, samples, rate)
        envelope = peak_envelope(samples, rate)
        loudness = measuring.result()
    if loudness < -70:
        raise AudioError(_SILENT)
    target_tp = options.true_peak - options.encoder_headroom
    # The mono episode is measured as one channel; copied into two (BS.1770 adds the
    # channels' powers) it reads 3 LU louder.
    target_i = options.loudness - 10 * math.log10(options.channels)
    with tempfile.TemporaryDirectory(prefix="narrator-") as tmp, atomic_path(out) as partial:
        encoded = Path(tmp) / "episode.mp3"
        for _ in range(3):
            signal, limited, shortfall = _level(samples, envelope, rate, loudness, target_i, target_tp)
            measured = ffmpeg.encode_mp3(
                signal,
                rate,
                encoded,
                bitrate=options.bitrate,
                sample_rate=options.sample_rate,
                channels=options.channels,
            )
            del signal
            if measured.true_peak > options.true_peak:
                target_tp -= measured.true_peak - options.true_peak + 0.3
                log.debug("encoder overshoot to %.2f dBTP; aiming at %.2f", measured.true_peak, target_tp)
                continue
            missing = options.loudness - measured.integrated
            if abs(missing) <= 0.5:
                break
            target_i += missing
            if missing > 0 and shortfall > 0.1:
                # The limiter gives no more: let the peaks rise with the loudness, as far
                # as the finished file's peaks allow.
                room = options.true_peak - 0.1 - measured.true_peak
                if room < 0.05:
                    break
                target_tp += min(missing, room)
            log.debug("loudness %.2f LUFS after encoding; aiming at %.2f", measured.integrated, target_i)
        if measured.true_peak > options.true_peak or abs(measured.integrated - options.loudness) > _TOLERANCE:
            raise AudioError(
                f"mastered loudness {measured.integrated:.1f} LUFS / {measured.true_peak:.1f} dBTP "
                f"misses the target {options.loudness:g} LUFS / {options.true_peak:g} dBTP; "
                "try a higher --bitrate or a lower --loudness."
            )
        shutil.move(encoded, partial)
        write_tags(partial, tags, timeline)
        size = partial.stat().st_size
    normalization = "limited+linear" if limited else "linear"
    log.info(
        "mastered %s: %.1f LUFS, %.1f dBTP (%s)", out, measured.integrated, measured.true_peak, normalization
    )
    return Mastered(
        path=out,
        loudness=measured,
        normalization=normalization,
        duration=timeline.duration,
        size=size,
    )


def _samples(audio: object) -> tuple[np.ndarray, int]:
    """The float32 samples and rate of a mono 16-bit pydub ``AudioSegment``."""
    if audio.channels != 1 or audio.sample_width != 2:  # type: ignore[attr-defined]
        raise AudioError("mastering takes mono 16-bit audio; assemble the episode first.")
    pcm = np.frombuffer(audio.raw_data, dtype="<i2")  # type: ignore[attr-defined]
    return pcm.astype(np.float32) / np.float32(32768), int(audio.frame_rate)  # type: ignore[attr-defined]


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
