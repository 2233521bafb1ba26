"""The ``narrate`` command: options in, a call to the library, results out.

``narrate SOURCE... -o OUT.mp3`` is the default command; ``narrate voices`` and the other
subcommands sit beside it. Errors become one line on stderr and exit status 1; usage
errors exit 2; ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from ._exceptions import NarratorError

__all__ = ["main"]

NARRATE = "narrate"


class _DefaultContext(click.Context):
    """Context of the default command: its usage reads ``narrate …``, not ``narrate narrate …``."""

    @property
    def command_path(self) -> str:
        return self.parent.command_path if self.parent else super().command_path


class _DefaultCommand(click.Command):
    context_class = _DefaultContext


class _Group(click.Group):
    """A group whose default command narrates: ``narrate a.html -o a.mp3``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = [NARRATE, *args]
        elif not args:
            args = [NARRATE]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        command = self.commands[NARRATE]
        with click.Context(command, info_name=ctx.info_name, parent=ctx.parent) as sub:
            command.format_help(sub, formatter)
        rows = [
            (name, cmd.get_short_help_str(limit=70))
            for name, cmd in self.commands.items()
            if name != NARRATE and not cmd.hidden
        ]
        with formatter.section("Other commands"):
            formatter.write_dl(rows)
        formatter.write_paragraph()
        formatter.write_text("Run 'narrate COMMAND --help' for a command's options.")


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet or not verbose else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s" if verbose > 1 else "%(message)s")
    )
    root = logging.getLogger("narrator")
    root.handlers[:] = [handler]
    root.setLevel(level)


@contextmanager
def _errors(debug: bool) -> Iterator[None]:
    """Turn narrator's errors into one line and exit status 1."""
    try:
        yield
    except NarratorError as exc:
        if debug:
            raise
        message = str(exc).strip().splitlines()
        raise click.ClickException(message[0] if message else type(exc).__name__) from exc
    except KeyboardInterrupt:
        click.echo("Interrupted; no output was written.", err=True)
        sys.exit(130)


def _progress(enabled: bool, label: str) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A progress callback drawing a bar on a terminal, and a function to close it."""
    if not enabled:
        return None, lambda: None
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - bar.pos)

    def close() -> None:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)

    return update, close


def _format_time(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="narrator")
def main() -> None:
    """Turn written articles into podcast-ready narrated MP3s."""


@main.command(NARRATE, cls=_DefaultCommand)
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="MP3 file to write.")
@click.option(
    "--voice",
    default="joe",
    show_default=True,
    help="Voice preset name or preset .toml file (see 'narrate voices').",
)
@click.option(
    "--device",
    type=click.Choice(["auto", "cpu", "cuda"]),
    default="auto",
    show_default=True,
    help="Where to synthesise; auto uses a GPU when the engine can.",
)
@click.option(
    "--script",
    "script_only",
    is_flag=True,
    help="Print what would be read, chapter by chapter, and stop.",
)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON on stdout.")
@click.option(
    "--loudness",
    type=click.FloatRange(-40, -5),
    default=-16.0,
    show_default=True,
    help="Integrated loudness target in LUFS (-23 for EBU R128 broadcast).",
)
@click.option(
    "--true-peak",
    type=click.FloatRange(-9, 0),
    default=-1.0,
    show_default=True,
    help="Highest true peak in dBTP.",
)
@click.option(
    "--bitrate",
    type=click.IntRange(32, 320),
    default=96,
    show_default=True,
    help="Constant MP3 bitrate in kbit/s.",
)
@click.option("--stereo", is_flag=True, help="Write two channels instead of mono.")
@click.option("--no-byline", is_flag=True, help="Do not read the authors and date after the headline.")
@click.option(
    "--disclose",
    "disclosure",
    is_flag=False,
    flag_value="This audio is created with AI assistance.",
    default=None,
    help="Read an AI-disclosure sentence after the intro (optionally give its text).",
)
@click.option("--captions", is_flag=True, help="Read photo captions (never their credits).")
@click.option("--pull-quotes", is_flag=True, help="Read pull quotes even when they repeat the body.")
@click.option("--no-lists", is_flag=True, help="Skip list items.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", count=True, help="Say what happens (-vv for every command run).")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
def narrate_command(
    sources: tuple[str, ...],
    output: Path | None,
    voice: str,
    device: str,
    script_only: bool,
    as_json: bool,
    loudness: float,
    true_peak: float,
    bitrate: int,
    stereo: bool,
    no_byline: bool,
    disclosure: str | None,
    captions: bool,
    pull_quotes: bool,
    no_lists: bool,
    quiet: bool,
    verbose: int,
    debug: bool,
) -> None:
    """Narrate SOURCE (an HTML page, Markdown or text file, an http(s) URL, or - for
    stdin) into a podcast-ready MP3 with chapters. Several sources make one episode,
    each article a chapter.

    \b
    Examples:
      narrate article.html -o article.mp3
      narrate a.html b.md -o briefing.mp3
      narrate --script article.html
    """
    from .extract import ExtractOptions
    from .master import MasterOptions
    from .pipeline import Settings, make_script, narrate

    _setup_logging(verbose + (2 if debug else 0), quiet)
    settings = Settings(
        voice=voice,
        device=device,  # type: ignore[arg-type]
        byline=not no_byline,
        disclosure=disclosure,
        extract=ExtractOptions(captions=captions, pull_quotes=pull_quotes, lists=not no_lists),
        master=MasterOptions(
            loudness=loudness, true_peak=true_peak, bitrate=bitrate, channels=2 if stereo else 1
        ),
    )
    if script_only:
        with _errors(debug):
            script = make_script(sources, settings)
        _print_script(script, as_json)
        return
    if output is None:
        raise click.UsageError("give the MP3 to write with -o/--output (or use --script).")
    if sources.count("-") > 1:
        raise click.UsageError("stdin (-) can be given only once.")
    show_bar = not quiet and not as_json and sys.stderr.isatty()
    progress, close = _progress(show_bar, "Synthesising")
    try:
        with _errors(debug):
            episode = narrate(sources, output, settings, progress=progress)
    finally:
        close()
    chapters = [
        {
            "title": c.title,
            "start": round(episode.timeline.seconds(c.start), 3),
            "end": round(episode.timeline.seconds(c.end), 3),
        }
        for c in episode.timeline.chapters
    ]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "path": str(episode.path),
                    "duration": round(episode.duration, 3),
                    "size": episode.size,
                    "loudness": episode.loudness.integrated,
                    "true_peak": episode.loudness.true_peak,
                    "engine": episode.engine,
                    "chapters": chapters,
                },
                indent=2,
            )
        )
    elif not quiet:
        click.echo(
            f"{episode.path}  {_format_time(episode.duration)}  {episode.size / 1e6:.1f} MB  "
            f"{episode.loudness.integrated:.1f} LUFS  {episode.loudness.true_peak:.1f} dBTP"
        )
        for c in episode.timeline.chapters:
            click.echo(f"  {_format_time(episode.timeline.seconds(c.start)):>7}  {c.title}")


def _print_script(script: Any, as_json: bool) -> None:
    if as_json:
        data = {
            "title": script.title,
            "language": script.language,
            "chapters": [
                {
                    "title": c.title,
                    "sentences": [
                        {
                            "index": s.index,
                            "text": s.text,
                            "spoken": s.spoken,
                            "paragraph": s.paragraph,
                        }
                        for s in c.sentences
                    ],
                }
                for c in script.chapters
            ],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for chapter in script.chapters:
        click.echo(f"## {chapter.title}")
        paragraph = None
        for sentence in chapter.sentences:
            if paragraph is not None and sentence.paragraph != paragraph:
                click.echo("")
            paragraph = sentence.paragraph
            click.echo(f"{sentence.index + 1:>4}  {sentence.text}")
            if sentence.spoken != sentence.text:
                click.echo(f"      ↳ {sentence.spoken}")
        click.echo("")


@main.command("voices")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def voices_command(as_json: bool) -> None:
    """List voice presets: engine, language and whether each is ready here."""
    from .voices import list_voices, user_voices_dir

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


def _voice_status(voice: Any) -> tuple[bool, str]:
    """Whether a voice's model is on this machine, and where."""
    import importlib.util

    from .engines import engine_names

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
