"""Every ffmpeg call goes through here: locating the binary, running it, reading its reports.

The binary is, in order: ``$NARRATOR_FFMPEG``; ``ffmpeg`` on ``PATH``; the static build
shipped inside the ``imageio-ffmpeg`` wheel (it has libmp3lame and ebur128).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._exceptions import AudioError

__all__ = ["Loudness", "encode_mp3", "ffmpeg_exe", "read_summary", "run"]

log = logging.getLogger(__name__)

_STDERR_TAIL = 1500


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary to use."""
    override = os.environ.get("NARRATOR_FFMPEG")
    if override:
        if shutil.which(override) is None:
            raise AudioError(
                f"NARRATOR_FFMPEG points to {override!r}, which is not an executable; "
                "fix the variable or unset it."
            )
        return override
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - a dependency of narrator
        raise AudioError(
            "ffmpeg was not found; install it (apt install ffmpeg) or pip install imageio-ffmpeg."
        ) from exc
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:
        raise AudioError(
            "ffmpeg was not found; install it (apt install ffmpeg) or set NARRATOR_FFMPEG."
        ) from exc


def run(args: Sequence[str], *, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg with ``args`` (without the binary) and return the finished process.

    Raises :class:`AudioError` carrying the command and the tail of stderr when it fails.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y", *args]
    log.debug("running %s", shlex.join(cmd))
    try:
        proc = subprocess.run(cmd, input=input, capture_output=True, check=False)
    except OSError as exc:
        raise AudioError(f"could not start ffmpeg ({cmd[0]}): {exc}") from exc
    if proc.returncode != 0:
        raise _failure(cmd, proc.returncode, proc.stderr)
    return proc


def _failure(cmd: Sequence[str], code: int, stderr: bytes) -> AudioError:
    """The error for an ffmpeg run that failed: its most telling line, command and stderr."""
    tail = stderr.decode("utf-8", "replace")[-_STDERR_TAIL:].strip()
    log.debug("ffmpeg stderr:\n%s", tail)
    return AudioError(
        f"ffmpeg failed ({_reason(tail) or f'exit code {code}'}); if this ffmpeg lacks "
        "libmp3lame or ebur128, install a full build or set NARRATOR_FFMPEG.\n"
        f"command: {shlex.join(cmd)}\n{tail}"
    )


_GENERIC = re.compile(r"^(?:conversion failed|error opening (?:output|input) files?|exiting)", re.I)


def _reason(stderr: str) -> str:
    """The most telling line of ffmpeg's complaint: the last that is not a generic sign-off."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if not _GENERIC.match(line):
            return re.sub(r"^\[[^\]]+\]\s*", "", line)[:200]
    return ""


@dataclass(frozen=True)
class Loudness:
    """Loudness of a finished file, as ffmpeg's EBU R128 meter reports it."""

    integrated: float
    """Integrated loudness in LUFS."""
    true_peak: float
    """Maximum true peak in dBTP."""
    lra: float
    """Loudness range in LU."""
    threshold: float
    """Relative gating threshold of the integrated measurement, in LUFS."""


_SUMMARY = re.compile(
    r"Integrated loudness:\s*I:\s*(?P<i>-?[\d.]+|-inf) LUFS\s*Threshold:\s*(?P<thresh>-?[\d.]+|-inf) LUFS.*?"
    r"Loudness range:\s*LRA:\s*(?P<lra>-?[\d.]+) LU.*?"
    r"True peak:\s*Peak:\s*(?P<tp>-?[\d.]+|-inf) dBFS",
    re.S,
)


def read_summary(stderr: bytes, what: str) -> Loudness:
    """The EBU R128 summary that ffmpeg's ``ebur128`` filter prints at the end."""
    text = stderr.decode("utf-8", "replace")
    match = _SUMMARY.search(text[text.rfind("Summary:") :])
    if match is None:
        raise AudioError(f"could not read ffmpeg's loudness summary for {what}")
    return Loudness(
        integrated=float(match["i"]),
        true_peak=float(match["tp"]),
        lra=float(match["lra"]),
        threshold=float(match["thresh"]),
    )


def encode_mp3(
    samples: np.ndarray,
    rate: int,
    out: Path,
    *,
    bitrate: int,
    sample_rate: int,
    channels: int = 1,
) -> Loudness:
    """Encode a mono float signal to a constant-bitrate MP3 at ``out``, and measure the MP3.

    One ffmpeg resamples and encodes; its ``tee`` muxer writes the frames to ``out`` (which
    gets the CBR ``Info`` header) and to a pipe, where a second ffmpeg decodes them and runs
    the ``ebur128`` meter. Measuring the finished file so costs no time of its own when two
    cores are free. ``out`` (a temporary file) must not contain any of ``|[]\\'``.
    """
    target = out.as_posix()
    if any(c in target for c in "|[]\\'"):
        raise AudioError(f"cannot encode to {out}: ffmpeg's tee output needs a path without |[]\\'.")
    import ffmpeg as ffmpeg_python

    tee = f"[f=mp3:id3v2_version=3:write_xing=1]file:{target}|[f=mp3:id3v2_version=0:write_xing=0]pipe:1"
    encode_args = (
        ffmpeg_python.input("pipe:0", f="f32le", ar=rate, ac=1)
        .audio.output(
            tee,
            f="tee",
            acodec="libmp3lame",
            audio_bitrate=f"{bitrate}k",
            ar=sample_rate,
            ac=channels,
            map_metadata=-1,
        )
        .get_args()
    )
    meter_args = (
        ffmpeg_python.input("pipe:0", f="mp3")
        .audio.filter("ebur128", peak="true", framelog="verbose")
        .output("-", f="null")
    ).get_args()
    encode, meter = (
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y", *args]
        for args in (encode_args, meter_args)
    )
    log.debug("running %s | %s", shlex.join(encode), shlex.join(meter))
    data = np.ascontiguousarray(samples, dtype="<f4")
    with tempfile.TemporaryFile() as encode_err, tempfile.TemporaryFile() as meter_err:
        try:
            encoder = subprocess.Popen(
                encode, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=encode_err
            )
        except OSError as exc:
            raise AudioError(f"could not start ffmpeg ({encode[0]}): {exc}") from exc
        assert encoder.stdin is not None and encoder.stdout is not None
        try:
            measurer = subprocess.Popen(
                meter, stdin=encoder.stdout, stdout=subprocess.DEVNULL, stderr=meter_err
            )
        except OSError as exc:
            encoder.kill()
            encoder.wait()
            raise AudioError(f"could not start ffmpeg ({meter[0]}): {exc}") from exc
        encoder.stdout.close()
        try:
            for start in range(0, len(data), 1 << 18):
                encoder.stdin.write(data[start : start + (1 << 18)].tobytes())
        except BrokenPipeError:
            pass  # the encoder stopped early; its exit status and stderr say why
        except BaseException:
            encoder.kill()
            measurer.kill()
            raise
        finally:
            with contextlib.suppress(OSError):
                encoder.stdin.close()
            encoder.wait()
            measurer.wait()
        encode_err.seek(0)
        meter_err.seek(0)
        encoded, metered = encode_err.read(), meter_err.read()
    # When one fails, the other usually fails with it: the encoder on a broken pipe when the
    # meter died, the meter on empty input when the encoder did. Report the cause.
    if measurer.returncode != 0 and (encoder.returncode == 0 or b"Broken pipe" in encoded):
        raise _failure(meter, measurer.returncode, metered)
    if encoder.returncode != 0:
        raise _failure(encode, encoder.returncode, encoded)
    return read_summary(metered, str(out))
