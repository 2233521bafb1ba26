"""The engine protocol: text in, mono PCM out."""

from __future__ import annotations

import functools
import hashlib
import json
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from .._exceptions import EngineError

if TYPE_CHECKING:
    from ..types import PCM
    from ..voices import Voice

__all__ = ["Device", "Engine", "file_digest", "resolve_device"]

Device = Literal["auto", "cpu", "cuda"]


class Engine(ABC):
    """A text-to-speech engine loaded with one voice on one device.

    Subclasses set :attr:`name`, implement :meth:`synthesize` and register under the
    ``narrator.engines`` entry-point group. Import heavy runtimes inside ``__init__``,
    never at module level. :meth:`synthesize` may be called from several threads at once.
    """

    name: ClassVar[str]
    """Key in voice presets (``engine = "piper"``) and in the registry."""
    max_chars: ClassVar[int | None] = None
    """Longest text :meth:`synthesize` accepts; the script splits longer sentences."""
    concurrent: ClassVar[bool] = True
    """Whether calls to :meth:`synthesize` from several threads run at the same time; an
    engine that serialises them gets one worker and all of the runtime's threads instead."""

    def __init__(self, voice: Voice, device: Device = "auto", *, threads: int | None = None) -> None:
        """Load ``voice`` on ``device``; ``threads`` caps the runtime's threads per call."""
        self.voice = voice
        self.device: str = "cpu"
        """The device actually used: ``cpu`` or ``cuda``."""
        self.prepared_dir: Path | None = None
        """A folder where the engine may keep its model prepared for this machine, to load
        faster next time (``narrate`` sets it inside the cache); ``None`` keeps nothing."""

    def load(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Load the model now. Engines may defer loading until the first :meth:`synthesize`,
        so that a narration served wholly from the clip cache loads no model (unless it is
        one that :meth:`needs_preparing`)."""

    def needs_preparing(self) -> bool:
        """Whether :meth:`load` has slow work to do once that it keeps for later loads
        (preparing the model for this machine): worth starting before the model is needed,
        since it pays off whether or not this narration needs the model."""
        return False

    def release(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Hand scratch memory the runtime kept from the last calls back to the system.

        Called after a script's sentences are synthesised; the model stays loaded.
        """

    @property
    @abstractmethod
    def sample_rate(self) -> int:
        """Rate of the PCM :meth:`synthesize` returns."""

    @abstractmethod
    def synthesize(self, text: str) -> PCM:
        """Speak ``text`` (one sentence) and return its audio."""

    def model_digest(self) -> str:
        """Digest of the model's files; part of :meth:`cache_key`."""
        return ""

    def cache_key(self, model: str | None = None) -> str:
        """Digest of everything besides the text that changes the audio (with ``model`` in
        place of :meth:`model_digest`, when given)."""
        payload = {
            "engine": self.name,
            "model": self.model_digest() if model is None else model,
            "voice": self.voice.audio_settings(),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def describe(self) -> str:
        """One line naming the engine, voice and device, for logs and tags."""
        return f"{self.name} voice {self.voice.name} on {self.device}"


def resolve_device(requested: Device, *, cuda_available: bool, how_to_enable: str) -> str:
    """Pick ``cpu`` or ``cuda`` for a request of ``auto``, ``cpu`` or ``cuda``."""
    if requested == "cpu":
        return "cpu"
    if requested == "cuda":
        if not cuda_available:
            raise EngineError(f"--device cuda was asked for, but no usable GPU was found; {how_to_enable}")
        return "cuda"
    if requested == "auto":
        return "cuda" if cuda_available else "cpu"
    raise EngineError(f"unknown device {requested!r}; use auto, cpu or cuda.")


@functools.cache
def _digest(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's content, remembered per (path, size, mtime) for the process."""
    st = os.stat(path)
    return _digest(str(path), st.st_size, st.st_mtime_ns)
