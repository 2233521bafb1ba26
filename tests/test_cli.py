"""The command line: help, usage errors, one-line errors, and never a clobbered output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrator.cli import main

from .conftest import SAMPLES

SHORT_ARTICLE = """# Short test article

The first sentence of the story is here. The second one follows it.
"""


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "narrator", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_help_names_every_option_and_command() -> None:
    result = CliRunner().invoke(main, ["--help"], prog_name="narrate")
    assert result.exit_code == 0
    assert "Usage: narrate [OPTIONS] SOURCE..." in result.output
    for option in ("--output", "--voice", "--device", "--script", "--loudness", "--quiet", "--debug"):
        assert option in result.output
    for name in main.commands:
        if name != "narrate":
            assert name in result.output


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert main.commands[name].help, f"{name} has no help text"


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "narrator" in result.output


def test_importing_narrator_loads_no_speech_runtime() -> None:
    code = (
        "import sys, narrator, narrator.cli\n"
        "try:\n    narrator.cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in ('onnxruntime', 'torch', 'TTS', 'piper', 'ray', 'onnx') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["samples/harbour-ferry-fares.html"],  # no -o
        ["--device", "gpu", "a.html", "-o", "a.mp3"],
        ["-o", "a.mp3"],  # no source
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output


def _bad_inputs(tmp: Path) -> dict[str, Path]:
    binary = bytes(range(256)) * 64
    (tmp / "empty.html").write_bytes(b"")
    (tmp / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + binary)
    (tmp / "data.bin").write_bytes(binary)
    (tmp / "nav-only.html").write_text(
        "<html><head><title>Section | Site</title></head><body>"
        "<a href='#main'>Skip to content</a><nav><a href='/'>Home</a><a href='/news'>News</a></nav>"
        "<div class='cookie-banner'>We use cookies to improve your experience. Accept all</div>"
        "<footer><p>© 2026 The Example Times. All rights reserved.</p></footer></body></html>",
        "utf-8",
    )
    return {
        "missing": tmp / "does-not-exist.html",
        "empty": tmp / "empty.html",
        "binary-html": tmp / "photo.html",
        "binary": tmp / "data.bin",
        "no-article": tmp / "nav-only.html",
        "folder": tmp,
    }


@pytest.mark.parametrize("case", ["missing", "empty", "binary-html", "binary", "no-article", "folder"])
def test_bad_input_is_one_line_error_and_leaves_output_alone(tmp_path: Path, case: str) -> None:
    source = _bad_inputs(tmp_path)[case]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    fresh = out_dir / "fresh.mp3"
    result = CliRunner().invoke(main, [str(source), "-o", str(fresh)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert not fresh.exists()
    existing = out_dir / "existing.mp3"
    existing.write_bytes(b"previous good episode")
    result = CliRunner().invoke(main, [str(source), "-o", str(existing)])
    assert result.exit_code == 1
    assert existing.read_bytes() == b"previous good episode"
    assert sorted(p.name for p in out_dir.iterdir()) == ["existing.mp3"]


def test_missing_output_folder_is_reported_before_any_work(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, [str(SAMPLES / "community-garden.md"), "-o", str(tmp_path / "no" / "x.mp3")]
    )
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


@pytest.mark.slow
def test_failure_while_mastering_keeps_previous_file(tmp_path: Path) -> None:
    """A run that fails at the last stage leaves the old MP3 and no partial file."""
    article = tmp_path / "short.md"
    article.write_text(SHORT_ARTICLE, "utf-8")
    broken = tmp_path / "ffmpeg"
    broken.write_text("#!/bin/sh\necho 'simulated encoder crash' >&2\nexit 3\n")
    broken.chmod(0o755)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    existing = out_dir / "episode.mp3"
    existing.write_bytes(b"previous good episode")
    proc = run_cli(str(article), "-o", str(existing), env={"NARRATOR_FFMPEG": str(broken)})
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1 and "ffmpeg failed" in proc.stderr
    assert existing.read_bytes() == b"previous good episode"
    assert [p.name for p in out_dir.iterdir()] == ["episode.mp3"]


@pytest.mark.slow
def test_stdin_markdown_narrates(tmp_path: Path) -> None:
    out = tmp_path / "stdin.mp3"
    proc = subprocess.run(
        [sys.executable, "-m", "narrator", "-", "-o", str(out), "-q"],
        input=SHORT_ARTICLE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    assert out.stat().st_size > 10_000


@pytest.mark.slow
def test_plain_text_and_markdown_sources(tmp_path: Path) -> None:
    text = tmp_path / "note.txt"
    text.write_text("A plain headline\n\nThe story has one paragraph. It has two sentences.\n", "utf-8")
    for source in (text, SAMPLES / "community-garden.md"):
        out = tmp_path / f"{source.stem}.mp3"
        result = CliRunner().invoke(main, [str(source), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert str(out) in result.output
        assert out.stat().st_size > 10_000


@pytest.mark.slow
def test_killed_run_leaves_previous_output_and_no_partial_file(tmp_path: Path) -> None:
    """SIGTERM (a CI runner's kill) unwinds cleanly: old file intact, no temporary left."""
    import signal
    import time

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    existing = out_dir / "episode.mp3"
    existing.write_bytes(b"previous good episode")
    cache = tmp_path / "cache"
    proc = subprocess.Popen(
        [sys.executable, "-m", "narrator", str(SAMPLES / "heat-pumps-explained.html"), "-o", str(existing)],
        env={**os.environ, "NARRATOR_CACHE": str(cache)},
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while len(list(cache.glob("clips/*/*.clip"))) < 3:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert existing.read_bytes() == b"previous good episode"
    assert [p.name for p in out_dir.iterdir()] == ["episode.mp3"]


@pytest.mark.slow
def test_verbose_says_which_device_was_chosen(tmp_path: Path) -> None:
    article = tmp_path / "short.md"
    article.write_text(SHORT_ARTICLE, "utf-8")
    proc = run_cli(
        str(article),
        "-o",
        str(tmp_path / "a.mp3"),
        "-v",
        "--device",
        "auto",
        env={"NARRATOR_CACHE": str(tmp_path / "c")},
    )
    assert proc.returncode == 0, proc.stderr
    assert "speaking with piper voice joe on cpu" in proc.stderr
