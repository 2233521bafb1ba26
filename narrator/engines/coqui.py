"""Coqui TTS: VITS, XTTS and the rest of Coqui's catalogue, on CUDA torch or the CPU.

Needs the ``coqui`` extra (``pip install 'narrator[coqui]'``). A preset names its model
by Coqui catalogue name (downloaded by Coqui's own model manager, into ``$TTS_HOME`` or
the platform data folder, on a machine with internet) or by local files::

    engine = "coqui"
    language = "en"

    [model]
    name = "tts_models/en/vctk/vits"          # or: model_path + config_path

    [options]
    speaker = "p225"                          # multi-speaker models
    # speaker_wav = "my-voice.wav"            # XTTS voice cloning, with language below
    # language = "en"

Each sentence is synthesised with the torch generator seeded from the sentence and the
voice, so the same sentence always sounds the same.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._exceptions import EngineError
from ..types import PCM
from .base import Device, Engine, file_digest, resolve_device

if TYPE_CHECKING:
    from ..voices import Voice

__all__ = ["CoquiEngine"]

log = logging.getLogger(__name__)

_EXTRA = "install the Coqui extra: pip install 'narrator[coqui]'"
_GPU_HINT = "install a CUDA build of torch on a machine with an NVIDIA driver, or use --device cpu."


class CoquiEngine(Engine):
    """Models of the maintained ``coqui-tts`` package through its ``TTS.api.TTS`` class."""

    name = "coqui"
    max_chars = 250
    concurrent = False  # the model and the seeded torch generator are shared state

    def __init__(self, voice: Voice, device: Device = "auto", *, threads: int | None = None) -> None:
        super().__init__(voice, device, threads=threads)
        try:
            import torch
        except ImportError as exc:
            raise EngineError(f"voice {voice.name!r} uses Coqui TTS, which needs torch; {_EXTRA}.") from exc
        self.device = resolve_device(
            device, cuda_available=torch.cuda.is_available(), how_to_enable=_GPU_HINT
        )
        self._threads = threads
        self._model_name = voice.model.get("name")
        self._model_path: Path | None = None
        self._config_path: Path | None = None
        if self._model_name is None:
            if "model_path" not in voice.model:
                raise EngineError(
                    f"voice {voice.name!r} names no Coqui model; set [model] name (a catalogue name "
                    "such as tts_models/en/ljspeech/vits) or model_path and config_path."
                )
            self._model_path = voice.resolve(voice.model["model_path"])
            config = voice.model.get("config_path")
            self._config_path = voice.resolve(config) if config else self._model_path.with_name("config.json")
            for path, what in ((self._model_path, "model"), (self._config_path, "config")):
                if not path.is_file():
                    raise EngineError(
                        f"Coqui {what} file {path} of voice {voice.name!r} is missing; check the path "
                        "in the preset or download the model."
                    )
        options = voice.options
        self._speaker = options.get("speaker")
        self._speaker_wav = [str(voice.resolve(p)) for p in _as_list(options.get("speaker_wav"))]
        for wav in self._speaker_wav:
            if not Path(wav).is_file():
                raise EngineError(f"speaker sample {wav} of voice {voice.name!r} is missing; check the path.")
        self._language = options.get("language")
        self._lock = threading.Lock()
        self._tts: Any = None
        self._rate = 0
        self._seed_prefix = b""

    def load(self) -> None:
        with self._lock:
            if self._tts is not None:
                return
            try:
                import torch
                from TTS.api import TTS
            except ImportError as exc:
                raise EngineError(f"Coqui TTS is not installed; {_EXTRA}.") from exc
            if self._threads:
                torch.set_num_threads(self._threads)
            try:
                if self._model_name:
                    tts = TTS(model_name=self._model_name, progress_bar=False)
                else:
                    tts = TTS(
                        model_path=str(self._model_path),
                        config_path=str(self._config_path),
                        progress_bar=False,
                    )
                tts = tts.to(self.device)
            except (OSError, ValueError, KeyError, RuntimeError) as exc:
                where = self._model_name or self._model_path
                raise EngineError(
                    f"Coqui model {where} could not be loaded ({type(exc).__name__}: {exc}); a catalogue "
                    "model is downloaded on first use and needs internet once, a local one needs its "
                    "model and config files."
                ) from exc
            model = tts.synthesizer.tts_model
            if self.voice.speed != 1.0 and hasattr(model, "length_scale"):
                model.length_scale = float(model.length_scale) / self.voice.speed
            if tts.is_multi_speaker and not (self._speaker or self._speaker_wav):
                known = ", ".join(list(tts.speakers or [])[:10])
                raise EngineError(
                    f"Coqui model of voice {self.voice.name!r} has several speakers; set [options] "
                    f"speaker (for example one of: {known})."
                )
            if self._speaker and tts.speakers and self._speaker not in tts.speakers:
                raise EngineError(
                    f"this Coqui model has no speaker {self._speaker!r}; known: {tts.speakers}."
                )
            self._rate = int(tts.synthesizer.output_sample_rate)
            self._tts = tts

    @property
    def sample_rate(self) -> int:
        self.load()
        return self._rate

    def model_digest(self) -> str:
        if self._model_path is not None and self._config_path is not None:
            return file_digest(self._model_path) + file_digest(self._config_path)[:16]
        return hashlib.sha256(f"coqui catalogue:{self._model_name}".encode()).hexdigest()

    def synthesize(self, text: str) -> PCM:
        self.load()
        import torch

        if not self._seed_prefix:
            self._seed_prefix = self.cache_key().encode()
        seed = int.from_bytes(hashlib.sha256(self._seed_prefix + text.encode()).digest()[:8], "little")
        kwargs: dict[str, Any] = {"split_sentences": False}
        if self._speaker:
            kwargs["speaker"] = self._speaker
        if self._speaker_wav:
            kwargs["speaker_wav"] = self._speaker_wav
        if self._language and self._tts.is_multi_lingual:
            kwargs["language"] = self._language
        # One sentence at a time: the model and the seeded generator are shared state.
        with self._lock, torch.inference_mode():
            torch.manual_seed(seed)
            wav = self._tts.tts(text=text, **kwargs)
        samples = np.asarray(wav, dtype=np.float32).reshape(-1)
        if not np.all(np.isfinite(samples)):
            raise EngineError(f"Coqui produced invalid audio for {text[:60]!r}; check the model.")
        return PCM(samples=np.clip(samples, -1.0, 1.0), sample_rate=self._rate)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
