"""The ``narrate batch`` command: many articles in, MP3s, reports and a feed out.

Registered on the main group of :mod:`narrator.cli`. The work is :func:`narrator.batch.run`.

Exit status: 0 when every item was done, skipped or a duplicate; 1 when any failed (or
the feed could not be built); 2 for usage errors and wrong inputs, before any work; 130
when interrupted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ..batch import DEFAULT_INCLUDE, DEFAULT_SIDECARS, JUNIT_NAME, REPORT_NAME
from ..publish import FORMATS
from . import _format_time, shared_options

__all__ = ["batch_command", "format_summary"]

_SUMMARY_FAILURES = 10


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    from ..batch import parse_shard

    try:
        return parse_shard(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the MP3s, sidecars, state and reports (created if missing).",
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help=f"Files of a folder input to narrate (repeat) [default: {' '.join(DEFAULT_INCLUDE)}].",
)
@click.option(
    "--exclude", multiple=True, metavar="GLOB", help="Files of a folder input to leave out (repeat)."
)
@click.option("--force", is_flag=True, help="Narrate every item again, even when unchanged.")
@click.option(
    "--keep-going/--fail-fast",
    default=True,
    show_default=True,
    help="After a failure, go on with the other items, or start no new one.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Items narrated at once on this machine (with --executor ray: tasks in flight).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Sentences synthesised at once per item [default: cores / jobs, at least 2].",
)
@click.option(
    "--shard",
    callback=_shard,
    metavar="K/N",
    help="Narrate only shard K of N (1 <= K <= N); N jobs with 1/N ... N/N cover every item once.",
)
@click.option(
    "--feed",
    "feed_config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="feed.toml: rebuild the feed from every manifest in --out at the end.",
)
@click.option(
    "--feed-output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the feed [default: OUT/feed.xml].",
)
@click.option(
    "--report-json",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"JSON report [default: OUT/{REPORT_NAME}].",
)
@click.option(
    "--junit",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"JUnit XML report, one test case per item [default: OUT/{JUNIT_NAME}].",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Run items on this machine, or as tasks on a Ray cluster (pip install 'narrator[ray]').",
)
@click.option(
    "--address",
    metavar="ADDRESS",
    help="Ray cluster to use (auto, ray://host:10001 or host:6379) [default: start a local one].",
)
@click.option(
    "--gpus-per-item",
    type=click.FloatRange(0, 8),
    default=1.0,
    show_default=True,
    help="GPUs a Ray task reserves with --device cuda (0.5 shares a GPU between two).",
)
@click.option("--voice", default="joe", show_default=True, help="Voice preset name or preset .toml file.")
@shared_options
@click.option(
    "--transcripts",
    multiple=True,
    type=click.Choice(["vtt", "srt", "json", "chapters", "all"]),
    help=f"Sidecars beside each MP3 (repeat, or 'all') [default: {' '.join(DEFAULT_SIDECARS)}]; "
    "the episode manifest is always written.",
)
@click.option(
    "--cover",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Square JPEG or PNG to embed in every MP3.",
)
@click.option("--no-cache", is_flag=True, help="Neither reuse nor keep synthesised clips and renders.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but failures.")
@click.option("-v", "--verbose", count=True, help="Say what happens (-vv for every command run).")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
def batch_command(
    inputs: tuple[str, ...],
    out: Path,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    force: bool,
    keep_going: bool,
    jobs: int,
    workers: int | None,
    shard: tuple[int, int] | None,
    feed_config: Path | None,
    feed_output: Path | None,
    report_json: Path | None,
    junit: Path | None,
    executor: str,
    address: str | None,
    gpus_per_item: float,
    voice: str,
    device: str,
    loudness: float,
    true_peak: float,
    bitrate: int,
    no_byline: bool,
    disclosure: str | None,
    transcripts: tuple[str, ...],
    cover: Path | None,
    no_cache: bool,
    as_json: bool,
    quiet: bool,
    verbose: int,
    debug: bool,
) -> None:
    """Narrate many articles into --out, redoing only what changed.

    INPUT is an article (file or http(s) URL), a folder of articles, or a batch manifest
    (.toml with [[item]] tables, or .json with {"items": [...]}) giving each item a
    source, an optional stable id and overrides (voice, title, byline, disclose, captions,
    pull_quotes, lists, corrections, explicit, episode_type).

    Each item becomes OUT/<stem>.mp3 with its sidecars and manifest; the stem is a safe
    slug of the item's id. An item whose source and settings are unchanged since its last
    good render is skipped; a failed item does not stop the others. A JSON and a JUnit
    report are written to --out, and a summary to stderr. Exit status: 0 when all
    succeeded, 1 when any failed, 2 for wrong options or inputs (nothing is narrated).

    --shard K/N keeps the items whose id's SHA-256 is K-1 modulo N, so N jobs with
    shards 1/N ... N/N narrate every item exactly once.

    \b
    Examples:
      narrate batch articles/ --out public/ --jobs 2 --feed feed.toml
      narrate batch list.toml --out public/ --shard 2/4
      narrate batch articles/ --out public/ --executor ray --address auto --device cuda
    """
    from ..batch import BatchOptions, LocalExecutor, PlanError, RayExecutor, run
    from ..cover import cover_for_id3
    from ..extract import ExtractOptions
    from ..master import MasterOptions
    from ..pipeline import Settings
    from ..synthesize import default_workers
    from . import _errors, _setup_logging

    _setup_logging(verbose + (2 if debug else 0), quiet)
    if address and executor != "ray":
        raise click.UsageError("--address is for --executor ray.")
    sidecars: tuple[str, ...] = DEFAULT_SIDECARS
    if transcripts:
        sidecars = FORMATS if "all" in transcripts else tuple(transcripts)
    with _errors(debug):
        artwork = cover_for_id3(cover) if cover is not None else None
    # Two sentence workers per item at least: on 2 cores, 1 item x 2 workers narrates the
    # test batch in 8.3 s, 2 x 2 in 8.5 s, 2 x 1 in 11.9 s (one worker leaves onnxruntime
    # to spread a sentence over the cores, which it does worse).
    if executor == "ray":
        per_item = workers or (default_workers("cuda") if device == "cuda" else 2)
    else:
        per_item = workers or max(2, default_workers("cpu") // jobs)
    settings = Settings(
        voice=voice,
        device=device,  # type: ignore[arg-type]
        byline=not no_byline,
        disclosure=disclosure,
        extract=ExtractOptions(),
        master=MasterOptions(loudness=loudness, true_peak=true_peak, bitrate=bitrate),
        workers=per_item,
        cache=not no_cache,
        sidecars=sidecars,
        cover=artwork,
    )
    options = BatchOptions(
        settings=settings,
        include=include,
        exclude=exclude,
        shard=shard,
        force=force,
        fail_fast=not keep_going,
        jobs=jobs,
        feed_config=feed_config,
        feed_output=feed_output,
        report_json=report_json,
        junit=junit,
    )
    progress = _Progress(quiet=quiet)
    with _errors(debug):
        runner: Any
        if executor == "ray":
            runner = RayExecutor(
                address,
                jobs=jobs if jobs > 1 else None,
                num_cpus=1 if device == "cuda" else per_item,
                num_gpus=gpus_per_item if device == "cuda" else 0,
            )
        else:
            runner = LocalExecutor(jobs)
        try:
            report = run(inputs, out, options, executor=runner, on_result=progress)
        except PlanError as exc:
            if debug:
                raise
            raise click.UsageError(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo("Interrupted; finished items are kept: run the batch again to resume.", err=True)
            sys.exit(130)
    data = report.to_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    reports = [report_json or out / REPORT_NAME, junit or out / JUNIT_NAME]
    summary = format_summary(data, failures_only=quiet, reports=reports)
    if summary:
        click.echo(summary, err=True)
    sys.exit(0 if report.ok else 1)


class _Progress:
    """One line on stderr per finished item."""

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.count = 0

    def __call__(self, result: Any) -> None:
        self.count += 1
        if result.status == "failed":
            click.echo(f"FAILED   {result.id}: {result.error}", err=True)
        elif not self.quiet:
            detail = ""
            if result.status == "done":
                detail = f"  {_format_time(result.duration)} audio, {result.seconds:.1f} s"
                detail += f" ({result.synthesized} synthesised, {result.cached} cached)"
            elif result.status == "duplicate":
                detail = f"  (duplicate of {result.duplicate_of})"
            target = f" -> {result.output}" if result.status == "done" else ""
            click.echo(f"{result.status:<8} {result.id}{target}{detail}", err=True)


def format_summary(
    report: dict[str, Any], *, failures_only: bool = False, reports: Sequence[Path] = ()
) -> str:
    """The end-of-batch summary for people, one screen at most, from a JSON report."""
    counts = report["counts"]
    failed = [i for i in report["items"] if i["status"] == "failed"]
    lines = []
    if not failures_only:
        shard = f" (shard {report['shard']} of {report['planned']} planned)" if report["shard"] else ""
        lines.append(
            f"narrator batch{shard}: {counts['total']} items: {counts['done']} done, "
            f"{counts['skipped']} skipped, {counts['failed']} failed, {counts['duplicate']} duplicate"
            + (f", {counts['cancelled']} cancelled" if counts["cancelled"] else "")
        )
        audio, new = report["audio_seconds"] / 60, report["new_audio_seconds"] / 60
        lines.append(
            f"  audio {audio:.1f} min ({new:.1f} min new), wall time {_format_time(report['seconds'])}"
        )
    for item in failed[:_SUMMARY_FAILURES]:
        lines.append(f"  failed: {item['id']}: {item['error']}")
    if len(failed) > _SUMMARY_FAILURES:
        lines.append(f"  … and {len(failed) - _SUMMARY_FAILURES} more failures: see the JSON report")
    feed = report.get("feed")
    if feed and "error" in feed:
        lines.append(f"  feed not built: {feed['error']}")
    elif feed and not failures_only:
        lines.append(f"  feed {feed['path']}: {feed['episodes']} episodes")
    if report.get("interrupted"):
        lines.append("  interrupted: run the batch again to finish it")
    if reports and not failures_only:
        lines.append(f"  reports: {', '.join(str(p) for p in reports)}")
    return "\n".join(lines)
