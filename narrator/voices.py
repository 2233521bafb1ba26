"""Voice presets: which engine speaks, with which model, speaker and speed.

A preset is a TOML file. Built-in presets ship in the ``voices/`` folder of the source
tree (installed as the ``narrator.builtin_voices`` package); a user's own live in the user voices
folder (``$NARRATOR_VOICES``, else the platform's data folder). A user preset of the same
name overrides a built-in one. Example::

    engine = "piper"
    language = "en-GB"
    description = "British English, female"
    speed = 1.05

    [model]
    model_path = "en_GB-alba-medium.onnx"      # relative to the preset file
    config_path = "en_GB-alba-medium.onnx.json"

    [options]                                  # engine parameters
    speaker = 0
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from ._exceptions import VoiceError

__all__ = ["DEFAULT_VOICE", "Voice", "add_piper_voice", "get_voice", "list_voices", "user_voices_dir"]

log = logging.getLogger(__name__)

DEFAULT_VOICE = "joe"


@dataclass(frozen=True)
class Voice:
    """A voice preset."""

    name: str
    """What ``--voice`` takes."""
    engine: str
    """Registered engine that speaks it, e.g. ``piper`` or ``coqui``."""
    language: str = "en"
    """BCP 47 tag of the language it speaks."""
    description: str = ""
    """One line for ``narrate voices``."""
    speed: float = 1.0
    """Speaking rate; 1.0 is the model's own, 1.1 is ten per cent faster."""
    model: dict[str, str] = field(default_factory=dict)
    """Where the model is: engine-specific keys (``package``, ``model_path``, ``name``…)."""
    options: dict[str, Any] = field(default_factory=dict)
    """Further engine parameters (``speaker``, ``speaker_wav``, noise scales…)."""
    path: Path | None = None
    """The preset file; relative model paths are resolved against its folder."""
    builtin: bool = False
    """Shipped with narrator."""

    def resolve(self, value: str) -> Path:
        """A path from the preset, made absolute relative to the preset's folder."""
        p = Path(value).expanduser()
        if not p.is_absolute() and self.path is not None:
            p = self.path.parent / p
        return p

    def audio_settings(self) -> dict[str, Any]:
        """Everything in the preset that changes the audio."""
        return {
            "engine": self.engine,
            "language": self.language,
            "speed": self.speed,
            "model": dict(sorted(self.model.items())),
            "options": dict(sorted(self.options.items())),
        }


def user_voices_dir() -> Path:
    """Folder of the user's own voice presets and models."""
    env = os.environ.get("NARRATOR_VOICES")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("narrator") / "voices"


def _parse(path: Path, text: str, *, builtin: bool) -> Voice:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise VoiceError(f"voice preset {path} is not valid TOML: {exc}; fix the file.") from exc
    engine = data.get("engine")
    if not isinstance(engine, str) or not engine:
        raise VoiceError(f'voice preset {path} has no engine; add e.g. engine = "piper".')
    model = data.get("model", {})
    options = data.get("options", {})
    if not isinstance(model, dict) or not isinstance(options, dict):
        raise VoiceError(f"voice preset {path}: [model] and [options] must be tables.")
    try:
        speed = float(data.get("speed", 1.0))
    except (TypeError, ValueError) as exc:
        raise VoiceError(f"voice preset {path}: speed must be a number such as 1.0.") from exc
    if not 0.25 <= speed <= 4:
        raise VoiceError(f"voice preset {path}: speed {speed} is out of range; use 0.25 to 4.")
    return Voice(
        name=str(data.get("name") or path.stem),
        engine=engine,
        language=str(data.get("language", "en")),
        description=str(data.get("description", "")),
        speed=speed,
        model={str(k): str(v) for k, v in model.items()},
        options=dict(options),
        path=None if builtin else path,
        builtin=builtin,
    )


def _is_preset(name: str) -> bool:
    """Voice folders hold presets and pronunciation lexicons (``lexicon.toml``, ``*.lexicon.toml``)."""
    return name.endswith(".toml") and not name.endswith("lexicon.toml")


def _read(path: Path, *, builtin: bool = False) -> Voice:
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise VoiceError(f"voice preset {path} is not UTF-8 text; save it as UTF-8.") from exc
    except OSError as exc:
        raise VoiceError(f"voice preset {path} cannot be read ({exc.strerror}).") from exc
    return _parse(path, text, builtin=builtin)


def _user_presets() -> tuple[dict[str, Voice], dict[str, VoiceError]]:
    """The user's presets by name, and the errors of those that cannot be read, by file stem."""
    found: dict[str, Voice] = {}
    broken: dict[str, VoiceError] = {}
    folder = user_voices_dir()
    if folder.is_dir():
        for path in sorted(p for p in folder.glob("*.toml") if _is_preset(p.name)):
            try:
                voice = _read(path)
            except VoiceError as exc:
                broken[path.stem] = exc
                continue
            found[voice.name] = voice
    return found, broken


def list_voices() -> list[Voice]:
    """Every preset: built-in ones, overridden by the user's of the same name.

    A user preset that cannot be read is left out with a warning (it fails only when asked for).
    """
    found: dict[str, Voice] = {}
    for entry in sorted(files("narrator.builtin_voices").iterdir(), key=lambda e: e.name):
        if _is_preset(entry.name):
            voice = _parse(Path(entry.name), entry.read_text("utf-8"), builtin=True)
            found[voice.name] = voice
    user, broken = _user_presets()
    for error in broken.values():
        log.warning("skipping a voice preset: %s", error)
    found.update(user)
    return sorted(found.values(), key=lambda v: v.name)


def get_voice(name: str) -> Voice:
    """The preset called ``name``, or the preset file at path ``name``."""
    if name.endswith(".toml"):
        path = Path(name).expanduser()
        if not path.is_file():
            raise VoiceError(f"voice preset {path} does not exist; check the path.")
        return _read(path.resolve())
    _, broken = _user_presets()
    if name in broken:
        raise broken[name]
    voices = {v.name: v for v in list_voices()}
    if name not in voices:
        known = ", ".join(voices) or "none"
        raise VoiceError(f"no voice named {name!r}; choose one of: {known} (see 'narrate voices').")
    return voices[name]


def add_piper_voice(source: str, *, name: str | None = None, check: bool = True) -> Voice:
    """Install a Piper voice (``.onnx`` + ``.onnx.json``) into the user voices folder.

    ``source`` is the model's path or http(s) URL (its config is ``<model>.json`` beside
    it), or a folder holding one pair. The pair is checked to be complete and, with
    ``check``, loadable and able to speak, before anything is installed; then a preset
    ``NAME.toml`` is written beside the files. Returns the new preset.
    """
    import json
    import shutil
    import tempfile
    import urllib.parse

    from .load import download, is_http_url

    folder = user_voices_dir()
    folder.mkdir(parents=True, exist_ok=True)
    remote = is_http_url(source)
    model_name = Path(urllib.parse.urlsplit(source).path if remote else source).name
    with tempfile.TemporaryDirectory(prefix=".narrator-voice-", dir=folder) as tmp:
        staging = Path(tmp)
        if remote:
            model_url = source[: -len(".json")] if source.endswith(".onnx.json") else source
            model_name = Path(urllib.parse.urlsplit(model_url).path).name
            if not model_name.endswith(".onnx"):
                raise VoiceError(f"{source} is not a Piper model URL; give the URL of a .onnx file.")
            download(model_url, staging / model_name)
            download(model_url + ".json", staging / f"{model_name}.json")
        else:
            model = _local_model(Path(source).expanduser())
            model_name = model.name
            config = model.with_name(model.name + ".json")
            if not config.is_file():
                raise VoiceError(
                    f"{config} is missing; a Piper voice needs its .onnx.json config beside the model."
                )
            shutil.copyfile(model, staging / model.name)
            shutil.copyfile(config, staging / config.name)
        try:
            settings = json.loads((staging / f"{model_name}.json").read_text("utf-8"))
            language = str(settings.get("language", {}).get("code") or settings["espeak"]["voice"])
        except (OSError, ValueError, KeyError, AttributeError) as exc:
            raise VoiceError(f"the config of {model_name} is not a Piper voice config ({exc}).") from exc
        voice_name = name or model_name[: -len(".onnx")]
        if not re.fullmatch(r"[\w.-]+", voice_name):
            raise VoiceError(f"{voice_name!r} cannot name a voice; use letters, digits, '.', '-' and '_'.")
        preset_text = (
            'engine = "piper"\n'
            f'language = "{language.replace("_", "-")}"\n'
            f'description = "Piper voice {model_name[: -len(".onnx")]}"\n'
            "speed = 1.0\n\n[model]\n"
            f'model_path = "{voice_name}/{model_name}"\n'
            f'config_path = "{voice_name}/{model_name}.json"\n'
        )
        if check:
            staged = replace(
                _parse(staging / f"{voice_name}.toml", preset_text, builtin=False),
                model={"model_path": model_name, "config_path": f"{model_name}.json"},
            )
            _check_speaks(staged)
        target = folder / voice_name
        if target.exists() or (folder / f"{voice_name}.toml").exists():
            raise VoiceError(f"a voice named {voice_name!r} is already installed in {folder}; choose --name.")
        files = staging / "files"
        files.mkdir()
        for item in (model_name, f"{model_name}.json"):
            (staging / item).rename(files / item)
        files.rename(target)
        (staging / "preset.toml").write_text(preset_text, "utf-8")
        (staging / "preset.toml").rename(folder / f"{voice_name}.toml")
    return get_voice(voice_name)


def _local_model(path: Path) -> Path:
    if path.is_dir():
        models = sorted(path.glob("*.onnx"))
        if len(models) != 1:
            raise VoiceError(f"{path} holds {len(models)} .onnx models; give the path of one.")
        return models[0]
    if path.name.endswith(".onnx.json"):
        path = path.with_name(path.name[: -len(".json")])
    if not path.is_file():
        raise VoiceError(f"{path} does not exist; give the path of a Piper .onnx model.")
    if path.suffix != ".onnx":
        raise VoiceError(f"{path} is not a Piper model; give the path of a .onnx file.")
    return path


def _check_speaks(voice: Voice) -> None:
    """Load a voice and have it say a word, or raise VoiceError saying why it cannot."""
    from ._exceptions import EngineError
    from .engines import create_engine

    try:
        clip = create_engine(voice, "cpu").synthesize("Hello.")
    except EngineError as exc:
        raise VoiceError(f"the voice does not load: {exc}") from exc
    if clip.duration <= 0.05:
        raise VoiceError("the voice loads but produces no audio; is the model complete?")
