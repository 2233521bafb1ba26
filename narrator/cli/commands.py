"""``narrate voices``, ``cache``, ``feed`` and ``lexicon``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import _errors


@click.group("voices", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def voices_command(ctx: click.Context, as_json: bool) -> None:
    """List voice presets: engine, language and whether each is ready here."""
    if ctx.invoked_subcommand is not None:
        return
    from ..voices import list_voices, user_voices_dir

    rows = []
    with _errors(False):
        for voice in list_voices():
            ready, where = _voice_status(voice)
            rows.append(
                {
                    "name": voice.name,
                    "engine": voice.engine,
                    "language": voice.language,
                    "ready": ready,
                    "model": where,
                    "description": voice.description,
                }
            )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        mark = "ready" if row["ready"] else "missing"
        click.echo(
            f"{row['name']:<16} {row['engine']:<7} {row['language']:<6} {mark:<8} {row['description']}"
        )
        click.echo(f"{'':<16} model: {row['model']}")
    click.echo(f"\nUser voices folder: {user_voices_dir()}")


@voices_command.command("add")
@click.argument("source", metavar="PATH_OR_URL")
@click.option("--name", help="Name of the new voice [default: the model's file name].")
def voices_add(source: str, name: str | None) -> None:
    """Install a Piper voice (.onnx with its .onnx.json) into the user voices folder.

    PATH_OR_URL is the model's path or http(s) URL, or a folder with one model. The pair
    is checked to be complete and to speak before anything is installed.
    """
    from ..voices import add_piper_voice

    with _errors(False):
        voice = add_piper_voice(source, name=name)
    click.echo(f"installed voice {voice.name} ({voice.language}): narrate --voice {voice.name} ...")


def _voice_status(voice: Any) -> tuple[bool, str]:
    """Whether a voice's model is on this machine, and where."""
    import importlib.util

    from ..engines import engine_names

    if voice.engine not in engine_names():
        return False, f"engine {voice.engine!r} not installed"
    model = voice.model
    if "package" in model:
        spec = importlib.util.find_spec(model["package"])
        return spec is not None, f"Python package {model['package']}"
    for key in ("model_path", "path"):
        if key in model:
            path = voice.resolve(model[key])
            return path.exists(), str(path)
    if "name" in model:
        return True, f"{voice.engine} catalogue: {model['name']}"
    return False, "no model configured"


@click.group("cache")
def cache_group() -> None:
    """Inspect or empty the clip cache ($NARRATOR_CACHE or the platform cache folder)."""


@cache_group.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def cache_info(as_json: bool) -> None:
    """Show where the cache is, how many files it holds and its size."""
    from ..cache import ClipCache

    info = ClipCache().info()
    if as_json:
        data = {
            "path": str(info.path),
            "entries": info.entries,
            "size": info.size,
            "max_bytes": info.max_bytes,
        }
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(
        f"{info.path}\n{info.entries} files, {info.size / 2**20:.1f} MiB of {info.max_bytes / 2**30:.1f} GiB"
    )


@cache_group.command("clear")
def cache_clear() -> None:
    """Delete every cached clip and render."""
    from ..cache import ClipCache

    removed = ClipCache().clear()
    click.echo(f"removed {removed} files")


@click.group("feed")
def feed_group() -> None:
    """Build and check the podcast RSS feed of narrated episodes."""


@feed_group.command("build")
@click.argument("episodes", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Feed configuration (TOML).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="feed.xml to write.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def feed_build(episodes: Path, config_path: Path, output: Path, as_json: bool) -> None:
    """Build an RSS feed (Apple Podcasts + Podcasting 2.0) from the manifests in EPISODES.

    The new feed is checked as 'narrate feed check' does before it replaces the old one.
    """
    from ..feed import build, load_config

    with _errors(False):
        result = build(episodes, load_config(config_path), output)
    if as_json:
        data = {k: str(v) if isinstance(v, Path) else v for k, v in vars(result).items()}
        click.echo(json.dumps(data, indent=2))
        return
    dropped = f" ({result.dropped} older left out)" if result.dropped else ""
    click.echo(f"{result.path}: {len(result.guids)} episodes{dropped}, podcast:guid {result.podcast_guid}")


@feed_group.command("check")
@click.argument("feed_path", metavar="FEED", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--episodes",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Local folder of the episodes, to check enclosure lengths and artwork against the files.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Feed configuration, for its base URL.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
def feed_check(feed_path: Path, episodes: Path | None, config_path: Path | None, as_json: bool) -> None:
    """Report everything in FEED a podcast directory would reject; exit 1 if anything is."""
    from ..feed import check, load_config

    with _errors(False):
        base_url = load_config(config_path).base_url if config_path else None
        problems = check(feed_path, episodes_dir=episodes, base_url=base_url)
    if as_json:
        click.echo(json.dumps([vars(p) for p in problems], indent=2))
    else:
        for problem in problems:
            click.echo(f"{problem.code}: {problem}")
        if not problems:
            click.echo(f"{feed_path}: no problems found")
    if problems:
        sys.exit(1)


@click.group("lexicon")
def lexicon_group() -> None:
    """Pronunciation lexicons: fix how names and words are said, once and for all."""


@lexicon_group.command("check")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--voice", default="joe", show_default=True, help="Check phonemes against this voice's symbols."
)
def lexicon_check(path: Path, voice: str) -> None:
    """Validate a lexicon FILE: TOML, keys, duplicates, and phonemes the voice can say."""
    from ..lexicon import check
    from ..voices import get_voice

    with _errors(False):
        preset = get_voice(voice)
        symbols = None
        if preset.engine == "piper":
            from ..engines.piper import phoneme_symbols

            symbols = phoneme_symbols(preset)
        problems = check(path, phonemes=symbols)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo(f"{path}: no problems found")
