"""Every ffmpeg call goes through here: locating the binary, running it, reading its reports.

The binary is, in order: ``$NARRATOR_FFMPEG``; ``ffmpeg`` on ``PATH``; the static build
shipped inside the ``imageio-ffmpeg`` wheel (it has libmp3lame, loudnorm and ebur128).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._exceptions import AudioError

__all__ = ["Loudness", "ffmpeg_exe", "last_json", "measure", "read_summary", "run"]

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
        tail = proc.stderr.decode("utf-8", "replace")[-_STDERR_TAIL:].strip()
        log.debug("ffmpeg stderr:\n%s", tail)
        raise AudioError(
            f"ffmpeg failed ({_reason(tail) or f'exit code {proc.returncode}'}); if this ffmpeg lacks "
            "libmp3lame, loudnorm or ebur128, install a full build or set NARRATOR_FFMPEG.\n"
            f"command: {shlex.join(cmd)}\n{tail}"
        )
    return proc


_GENERIC = re.compile(r"^(?:conversion failed|error opening (?:output|input) files?|exiting)", re.I)


def _reason(stderr: str) -> str:
    """The most telling line of ffmpeg's complaint: the last that is not a generic sign-off."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if not _GENERIC.match(line):
            return re.sub(r"^\[[^\]]+\]\s*", "", line)[:200]
    return ""


def last_json(stderr: bytes) -> dict[str, str]:
    """The last JSON object ffmpeg printed (loudnorm's report)."""
    text = stderr.decode("utf-8", "replace")
    end = text.rfind("}")
    start = text.rfind("{", 0, end)
    if start < 0 or end < 0:
        raise AudioError("ffmpeg printed no loudness report; is this ffmpeg built with loudnorm?")
    try:
        data = json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        raise AudioError(f"could not read ffmpeg's loudness report: {exc}") from exc
    return {str(k): str(v) for k, v in data.items()}


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


def measure(path: Path) -> Loudness:
    """Measure integrated loudness, loudness range and true peak of an audio file."""
    proc = run(["-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"])
    return read_summary(proc.stderr, str(path))
