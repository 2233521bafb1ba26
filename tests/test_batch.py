"""narrate batch: planning, safe names, incremental re-runs, failure isolation, reports, shards, resume.

The end-to-end tests narrate the short Markdown articles of ``tests/data/batch`` with the
real voice. The first batch (:func:`reference_run`) runs once per session and its outputs
are the yardstick the other runs — re-runs, edits, shards, a killed and resumed batch, the
Ray executor — are compared with.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result
from lxml import etree  # type: ignore[import-untyped]

from narrator import NarratorError
from narrator.batch import (
    STATE_NAME,
    BatchReport,
    Item,
    ItemResult,
    LocalExecutor,
    PlanError,
    Task,
    make_plan,
    output_path,
    parse_shard,
    slugify,
)
from narrator.cli.batch import batch_command
from narrator.pipeline import Settings

from .conftest import DATA

BATCH = DATA / "batch"
FEED_TOML = DATA / "feed" / "feed.toml"
STEM = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
GOOD = [
    "allotment-waiting-list",
    "bus-route-returns",
    "library-late-opening",
    "market-hall",
    "river-clean-up",
]
IDS = [
    "allotment-waiting-list.md",
    "bus-route-returns.md",
    "empty-draft.md",
    "library-late-opening.md",
    "market-hall",
    "river-again",
    "river-clean-up.md",
]
ITEM_SUFFIXES = (".mp3", ".vtt", ".chapters.json", ".episode.json")


# Helpers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """The first, clean batch over ``tests/data/batch``: its inputs, outputs and reports."""

    inputs: Path
    out: Path
    env: dict[str, str]
    exit_code: int
    stderr: str
    report: dict[str, Any]
    junit: bytes
    files: dict[str, bytes]


def batch_args(inputs: Path, out: Path, *extra: str) -> list[str]:
    """The batch every end-to-end test runs: the articles folder (drafts left out) and the manifest."""
    return [
        str(inputs / "articles"),
        str(inputs / "batch.toml"),
        "--out",
        str(out),
        "--exclude",
        "drafts/*",
        "--device",
        "cpu",
        *extra,
    ]


def invoke(args: list[str], env: dict[str, str]) -> Result:
    return CliRunner().invoke(batch_command, args, env=env, catch_exceptions=False)


def item_files(out: Path) -> dict[str, bytes]:
    """Every episode file in ``out`` (MP3s and sidecars), by name."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name.endswith(ITEM_SUFFIXES)}


def comparable(name: str, data: bytes) -> Any:
    """A file's content, with the manifest's write time left out."""
    if name.endswith(".episode.json"):
        manifest = json.loads(data)
        manifest.pop("created")
        return manifest
    return data


def same_outputs(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    assert sorted(a) == sorted(b)
    for name in a:
        assert comparable(name, a[name]) == comparable(name, b[name]), name


def without_times(report: dict[str, Any]) -> dict[str, Any]:
    """The parts of a report that must not depend on where or how fast the batch ran."""
    drop = ("seconds", "started", "out", "executor", "feed")
    items = [{k: v for k, v in item.items() if k != "seconds"} for item in report["items"]]
    return {**{k: v for k, v in report.items() if k not in drop}, "items": items}


_REFERENCE: dict[str, Reference] = {}


def reference_run(factory: pytest.TempPathFactory) -> Reference:
    """Run the reference batch once per session (test_batch_ray uses it too)."""
    if "ref" not in _REFERENCE:
        root = factory.mktemp("batch-reference")
        inputs = root / "inputs"
        shutil.copytree(BATCH, inputs)
        env = {"NARRATOR_CACHE": str(root / "cache"), "NARRATOR_VOICES": str(root / "voices")}
        out = root / "out"
        result = invoke(batch_args(inputs, out, "--jobs", "2", "--feed", str(FEED_TOML)), env)
        _REFERENCE["ref"] = Reference(
            inputs=inputs,
            out=out,
            env=env,
            exit_code=result.exit_code,
            stderr=result.stderr,
            report=json.loads((out / "narrator-report.json").read_text("utf-8")),
            junit=(out / "narrator-junit.xml").read_bytes(),
            files=item_files(out),
        )
    return _REFERENCE["ref"]


@pytest.fixture
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    return reference_run(tmp_path_factory)


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {item["id"]: item["status"] for item in report["items"]}


def read_report(out: Path) -> dict[str, Any]:
    return json.loads((out / "narrator-report.json").read_text("utf-8"))  # type: ignore[no-any-return]


def copy_batch(reference: Reference, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the reference inputs and outputs, to change without disturbing other tests."""
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    shutil.copytree(reference.inputs, inputs)
    shutil.copytree(reference.out, out)
    return inputs, out


# Planning -----------------------------------------------------------------------------------


def test_folder_expansion_follows_include_and_exclude_globs(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(BATCH / "articles", folder)
    (folder / ".hidden.md").write_text("# Hidden\n\nNot this one.\n", "utf-8")
    (folder / "notes.rst").write_text("Not an article type.\n", "utf-8")
    ids = [item.id for item in make_plan([folder]).items]
    assert ids == sorted(
        [*(f"{n}.md" for n in GOOD if n != "market-hall"), "empty-draft.md", "drafts/unfinished-notes.md"]
    )
    assert "drafts/unfinished-notes.md" not in [i.id for i in make_plan([folder], exclude=["drafts/*"]).items]
    only = make_plan([folder], include=["river-*"]).items
    assert [i.id for i in only] == ["river-clean-up.md"]
    with pytest.raises(PlanError, match=r"has no files matching \*\.txt"):
        make_plan([folder], include=["*.txt"])
    # The output folder is never read as input, even inside an input folder.
    (folder / "out").mkdir()
    (folder / "out" / "x.md").write_text("# X\n\nText.\n", "utf-8")
    assert "out/x.md" not in [i.id for i in make_plan([folder], folder / "out").items]


def test_toml_and_json_manifests_plan_the_same_items(tmp_path: Path) -> None:
    import tomllib

    inputs = tmp_path / "inputs"
    shutil.copytree(BATCH, inputs)
    data = tomllib.loads((inputs / "batch.toml").read_text("utf-8"))
    (inputs / "batch.json").write_text(json.dumps({"items": data["item"]}), "utf-8")
    from_toml = make_plan([inputs / "batch.toml"]).items
    from_json = make_plan([inputs / "batch.json"]).items
    assert [replace(i, origin="") for i in from_toml] == [replace(i, origin="") for i in from_json]
    market, river = from_toml
    assert market.id == "market-hall" and market.stem == "market-hall"
    assert market.overrides == {"title": "Market hall: the verdict", "voice": "joe", "episode_type": "full"}
    assert market.source == str((inputs / "extra" / "market-hall.md").resolve())
    assert river.id == "river-again" and river.duplicate_of is None  # a duplicate only with the folder


def test_every_manifest_mistake_is_reported_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nText.\n", "utf-8")
    manifest = tmp_path / "list.toml"
    manifest.write_text(
        """
[[item]]
source = "a.md"
id = "same"
colour = "blue"

[[item]]
source = "missing.md"

[[item]]
id = "no-source"

[[item]]
source = "a.md"
id = "same"
byline = "yes"
episode_type = "daily"

[[item]]
source = "ftp://example.org/story"
""",
        "utf-8",
    )
    with pytest.raises(PlanError) as caught:
        make_plan([manifest])
    message = str(caught.value)
    for part in (
        "item 1: unknown key 'colour'",
        "item 2: source missing.md does not exist",
        "item 3 has no source",
        "item 4: 'byline' must be true or false",
        "item 4: 'episode_type' must be one of",
        "item 5: ftp://example.org/story is not an http(s) URL",
    ):
        assert part in message
    assert "\n" not in message

    out = tmp_path / "out"
    result = invoke([str(manifest), "--out", str(out)], {})
    assert result.exit_code == 2
    assert "unknown key 'colour'" in result.stderr
    assert not out.exists()  # nothing was done, not even the folder


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not = [valid", "not valid TOML"),
        ("[[things]]\nsource = 'a.md'", "unknown top-level key 'things'"),
        ("title = 'no items'", "unknown top-level key 'title'"),
    ],
)
def test_malformed_manifests(tmp_path: Path, text: str, message: str) -> None:
    manifest = tmp_path / "list.toml"
    manifest.write_text(text, "utf-8")
    with pytest.raises(PlanError, match=message):
        make_plan([manifest])


def test_duplicates_and_id_collisions(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a.md", "b.md"):
        (folder / name).write_text(f"# {name}\n\nText.\n", "utf-8")
    # The same file through the folder and by name: narrated once.
    items = make_plan([folder, folder / "a.md"]).items
    assert [(i.id, i.duplicate_of) for i in items] == [("a.md", None), ("a.md~2", "a.md"), ("b.md", None)]
    assert [i.stem for i in items] == ["a", "a", "b"]  # the duplicate names the file it duplicates
    # The same file with other overrides is another episode; it needs an id of its own.
    manifest = tmp_path / "list.json"
    manifest.write_text(
        json.dumps({"items": [{"source": "articles/a.md"}, {"source": "articles/a.md", "byline": False}]}),
        "utf-8",
    )
    with pytest.raises(
        PlanError, match=r"id 'articles/a.md' is used twice .* give them ids in a batch manifest"
    ):
        make_plan([manifest])
    manifest.write_text(
        json.dumps(
            {"items": [{"source": "articles/a.md"}, {"source": "articles/a.md", "byline": False, "id": "a2"}]}
        ),
        "utf-8",
    )
    assert [i.duplicate_of for i in make_plan([manifest]).items] == [None, None]
    # Two folders holding the same relative name.
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_text("# Other\n\nText.\n", "utf-8")
    with pytest.raises(PlanError, match="id 'a.md' is used twice"):
        make_plan([folder, other])


HOSTILE_IDS = [
    "../../etc/passwd",
    "/etc/passwd",
    "..",
    ".",
    "...",
    "-",
    "CON",
    "nul.md",
    "a/../../b",
    "..\\..\\windows\\system32",
    "ünïcødé Straße",
    "日本語の記事",
    "x" * 200,
    "~/.ssh/authorized_keys",
    "https://evil.example/../../../etc/passwd",
    "http://evil.example/%2e%2e%2f%2e%2e%2fboot?next=../../x#../../y",
    "https://evil.example/",
]


def test_hostile_ids_and_urls_get_safe_unique_stems(tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text("# A\n\nText.\n", "utf-8")
    manifest = tmp_path / "list.json"
    entries = [
        {"source": "a.md", "id": item_id, "title": f"../../{n}/<script>"}
        for n, item_id in enumerate(HOSTILE_IDS)
    ]
    manifest.write_text(json.dumps({"items": entries}), "utf-8")
    items = make_plan([manifest]).items
    assert len(items) == len(HOSTILE_IDS)
    stems = [i.stem for i in items]
    assert len(set(stems)) == len(stems)
    out = tmp_path / "out"
    out.mkdir()
    for stem in stems:
        assert STEM.match(stem), stem
        assert ".." not in stem and "/" not in stem
        assert output_path(out, stem).resolve().parent == out.resolve()
    by_id = {i.id: i.stem for i in items}
    assert by_id["CON"].startswith("con-") and by_id["nul.md"].startswith("nul-")
    assert by_id["日本語の記事"].startswith("item-")
    assert by_id["ünïcødé Straße"] == "unicode-strasse"
    assert by_id["x" * 200] == "x" * 71 + "-" + by_id["x" * 200][-8:]
    assert by_id["https://evil.example/../../../etc/passwd"] == "evil-example-etc-passwd"
    for bad in ("../x", "a/b", "", "UPPER", "-x", "x" * 81):
        with pytest.raises(PlanError):
            output_path(out, bad)


def test_stems_do_not_depend_on_order_and_collisions_get_hashes() -> None:
    items = make_plan([BATCH / "articles" / "river-clean-up.md"]).items
    assert items[0].stem == "river-clean-up"
    from narrator.batch import _assign_stems

    ids = ["news/a.md", "news-a.md", "b.md", "News A"]
    forward = dict(zip(ids, _assign_stems(ids), strict=True))
    backward = dict(zip(ids[::-1], _assign_stems(ids[::-1]), strict=True))
    assert forward == backward
    assert forward["b.md"] == "b"
    clashing = [forward[i] for i in ("news/a.md", "news-a.md", "News A")]
    assert len(set(clashing)) == 3 and all(re.fullmatch(r"news-a-[0-9a-f]{8}", s) for s in clashing)
    assert slugify("  Héllo, Wörld! — 2026  ") == "hello-world-2026"


def test_an_item_keeps_its_published_name_when_a_clashing_one_arrives(tmp_path: Path) -> None:
    from narrator.batch import _keep_published_stems

    folder = tmp_path / "articles"
    (folder / "news").mkdir(parents=True)
    (folder / "news" / "a.md").write_text("# A\n\nText.\n", "utf-8")
    first = make_plan([folder])
    assert [i.stem for i in first.items] == ["news-a"]
    state = {"news/a.md": {"stem": "news-a"}}
    (folder / "news-a.md").write_text("# Another A\n\nText.\n", "utf-8")
    grown = make_plan([folder])
    assert all(re.fullmatch(r"news-a-[0-9a-f]{8}", i.stem) for i in grown.items)  # both clash
    kept = {i.id: i.stem for i in _keep_published_stems(grown, grown, state).items}
    assert kept["news/a.md"] == "news-a" and kept["news-a.md"].startswith("news-a-")
    # A recorded stem that another item is planned under now, or that is unsafe, is not reused.
    taken = {"news/a.md": {"stem": kept["news-a.md"]}, "news-a.md": {"stem": "../../x"}}
    assert _keep_published_stems(grown, grown, taken) == grown
    # A duplicate names nothing: it cannot make an item's stem clash.
    assert [i.stem for i in make_plan([folder / "news" / "a.md", folder / "news" / "a.md"]).items] == [
        "a",
        "a",
    ]


def test_shards_cover_every_item_exactly_once(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(60):
        (folder / f"story-{n:02d}.md").write_text(f"# Story {n}\n\nText.\n", "utf-8")
    plan = make_plan([folder])
    seen: list[str] = []
    sizes = []
    for k in (1, 2, 3):
        shard = plan.shard(k, 3)
        sizes.append(len(shard.items))
        seen += [i.id for i in shard.items]
        assert shard.items == make_plan([folder]).shard(k, 3).items  # deterministic
    assert sorted(seen) == [i.id for i in plan.items]
    assert min(sizes) > 0
    # Adding an item moves no other item to another shard.
    (folder / "story-new.md").write_text("# New\n\nText.\n", "utf-8")
    grown = make_plan([folder])
    for k in (1, 2, 3):
        before = {i.id for i in plan.shard(k, 3).items}
        assert before <= {i.id for i in grown.shard(k, 3).items}


@pytest.mark.parametrize("spec", ["0/3", "4/3", "1/0", "x", "1/3/5", "-1/3"])
def test_bad_shard_is_a_usage_error(tmp_path: Path, spec: str) -> None:
    with pytest.raises(ValueError):
        parse_shard(spec)
    result = invoke([str(BATCH / "articles"), "--out", str(tmp_path / "out"), "--shard", spec], {})
    assert result.exit_code == 2
    assert "--shard" in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke(["--out", str(tmp_path)], {}).exit_code == 2
    missing = invoke([str(tmp_path / "missing"), "--out", str(tmp_path / "out")], {})
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    stdin = invoke(["-", "--out", str(tmp_path / "out")], {})
    assert stdin.exit_code == 2 and "stdin" in stdin.stderr
    address = invoke([str(BATCH / "articles"), "--out", str(tmp_path / "o"), "--address", "auto"], {})
    assert address.exit_code == 2 and "--executor ray" in address.stderr
    voice = invoke([str(BATCH / "articles"), "--out", str(tmp_path / "o"), "--voice", "nobody"], {})
    assert voice.exit_code == 2 and "no voice named 'nobody'" in voice.stderr


def test_help_lists_the_options() -> None:
    result = CliRunner().invoke(batch_command, ["--help"])
    assert result.exit_code == 0
    for option in (
        "--out",
        "--include",
        "--exclude",
        "--force",
        "--fail-fast",
        "--jobs",
        "--shard",
        "--feed",
    ):
        assert option in result.output
    for option in ("--report-json", "--junit", "--executor", "--address", "--json", "--quiet"):
        assert option in result.output


# Reports and executors ------------------------------------------------------------------------


def _result(item_id: str, status: str, **kw: Any) -> ItemResult:
    return ItemResult(id=item_id, source=f"/src/{item_id}", status=status, **kw)  # type: ignore[arg-type]


def test_junit_report_counts_and_escapes(tmp_path: Path) -> None:
    report = BatchReport(
        out=tmp_path,
        items=(
            _result("a", "done", output="a.mp3", duration=61.5, seconds=2.0),
            _result("b <&>\x01", "failed", error="no article text in b", error_type="narrator.ArticleError"),
            _result("c", "failed", error="division by zero", error_type="ZeroDivisionError"),
            _result("d", "skipped", output="d.mp3", duration=30.0),
            _result("e", "duplicate", duplicate_of="a"),
            _result("f", "cancelled"),
        ),
        started="2026-03-01T10:00:00+00:00",
        seconds=12.5,
        executor="local",
    )
    root = etree.fromstring(report.to_junit())
    suite = root.find("testsuite")
    assert suite is not None
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "6",
        "failures": "1",
        "errors": "1",
        "skipped": "3",
    }
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["a", "b <&>", "c", "d", "e", "f"]
    assert all(c.get("classname") == "narrator.batch" for c in cases)
    assert cases[1].find("failure").get("message") == "no article text in b"
    assert cases[2].find("error").get("type") == "ZeroDivisionError"
    assert [len(c.findall("skipped")) for c in cases] == [0, 0, 0, 1, 1, 1]
    data = report.to_dict()
    assert data["ok"] is False and data["counts"]["total"] == 6
    assert data["audio_seconds"] == 91.5 and data["new_audio_seconds"] == 61.5


def _task(n: int) -> Task:
    item = Item(id=f"item-{n}", source=f"/nowhere/{n}.md", stem=f"item-{n}")
    return Task(item=item, out="/nowhere", settings=Settings(), settings_digest="x")


def test_local_executor_takes_tasks_lazily_and_turns_exceptions_into_failures() -> None:
    started: list[str] = []
    lock = threading.Lock()

    def work(task: Task) -> ItemResult:
        with lock:
            started.append(task.item.id)
        if task.item.id == "item-1":
            raise RuntimeError("boom\nsecond line")
        time.sleep(0.05)
        return _result(task.item.id, "done")

    for jobs in (1, 2):
        started.clear()
        results: list[ItemResult] = []

        def tasks(results: list[ItemResult] = results) -> Iterator[Task]:
            for n in range(6):
                if any(r.status == "failed" for r in results):
                    return  # what --fail-fast does
                yield _task(n)

        for result in LocalExecutor(jobs).map(work, tasks()):
            results.append(result)
        failed = [r for r in results if r.status == "failed"]
        assert len(failed) == 1 and failed[0].error == "boom" and failed[0].error_type == "RuntimeError"
        assert len(started) <= 1 + jobs + 1  # no task taken once the failure was seen
        assert sorted(r.id for r in results) == sorted(started)


def test_ray_executor_without_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from narrator.batch import RayExecutor

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(NarratorError, match=r"pip install 'narrator\[ray\]'"):
        RayExecutor()
    result = invoke([str(BATCH / "articles"), "--out", str(tmp_path / "o"), "--executor", "ray"], {})
    assert result.exit_code == 1 and "narrator[ray]" in result.stderr


# End to end -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_batch_narrates_reports_and_isolates_the_broken_article(reference: Reference) -> None:
    assert reference.exit_code == 1
    report = reference.report
    assert statuses(report) == {
        "allotment-waiting-list.md": "done",
        "bus-route-returns.md": "done",
        "empty-draft.md": "failed",
        "library-late-opening.md": "done",
        "market-hall": "done",
        "river-again": "duplicate",
        "river-clean-up.md": "done",
    }
    assert report["ok"] is False
    assert report["counts"] == {
        "done": 5,
        "skipped": 0,
        "failed": 1,
        "duplicate": 1,
        "cancelled": 0,
        "total": 7,
    }
    items = {i["id"]: i for i in report["items"]}
    assert "no article text found" in items["empty-draft.md"]["error"]
    assert items["empty-draft.md"]["error_type"] == "narrator.ArticleError"
    assert items["river-again"]["duplicate_of"] == "river-clean-up.md"
    assert items["river-again"]["output"] is None

    from mutagen.id3 import ID3
    from mutagen.mp3 import MP3

    out = reference.out
    for stem in GOOD:
        for suffix in ITEM_SUFFIXES:
            assert (out / f"{stem}{suffix}").is_file(), stem + suffix
        item = next(i for i in report["items"] if i["output"] == f"{stem}.mp3")
        assert item["synthesized"] > 0 and item["cached"] == 0
        assert MP3(str(out / f"{stem}.mp3")).info.length == pytest.approx(item["duration"], abs=0.1)
    assert sorted(p.name for p in out.glob("*.mp3")) == [f"{s}.mp3" for s in GOOD]
    assert not list(out.glob("empty-draft*")) and not list(out.glob("river-again*"))
    assert report["audio_seconds"] == pytest.approx(sum(i["duration"] for i in report["items"]), abs=0.01)

    # The title override reaches the MP3's tags and the manifest the feed is built from.
    manifest = json.loads((out / "market-hall.episode.json").read_text("utf-8"))
    assert manifest["title"] == "Market hall: the verdict"
    assert manifest["audio"]["bytes"] == (out / "market-hall.mp3").stat().st_size
    assert manifest["extra"] == {"episode_type": "full"}
    assert str(ID3(str(out / "market-hall.mp3"))["TIT2"]) == "Market hall: the verdict"

    # JUnit, read by an XML parser as a CI system would.
    suite = etree.fromstring(reference.junit).find("testsuite")
    assert {k: suite.get(k) for k in ("name", "tests", "failures", "errors", "skipped")} == {
        "name": "narrator",
        "tests": "7",
        "failures": "1",
        "errors": "0",
        "skipped": "1",
    }
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert sorted(cases) == IDS
    assert cases["empty-draft.md"].find("failure") is not None
    assert cases["river-again"].find("skipped") is not None
    assert float(suite.get("time")) == pytest.approx(report["seconds"], abs=0.01)

    # The feed, built at the end from the manifests in --out.
    assert report["feed"]["episodes"] == 5
    feed = etree.parse(str(out / "feed.xml"))
    assert sorted(feed.xpath("//item/title/text()")) == sorted(
        [
            "Allotment waiting list halves after new plots open",
            "Central library to stay open until nine on Thursdays",
            "Market hall: the verdict",
            "Route 12 bus returns to the hospital loop",
            "Volunteers pull three tonnes of rubbish from the river",
        ]
    )

    state = json.loads((out / STATE_NAME).read_text("utf-8"))
    assert sorted(state["items"]) == sorted(IDS[i] for i in (0, 1, 3, 4, 6))

    summary = reference.stderr[reference.stderr.index("narrator batch:") :]
    assert "7 items: 5 done, 0 skipped, 1 failed, 1 duplicate" in summary
    assert re.search(r"audio 1\.\d min \(1\.\d min new\), wall time 0:\d\d", summary)
    assert "failed: empty-draft.md: no article text found" in summary
    assert len(summary.splitlines()) <= 24


@pytest.mark.slow
def test_second_run_skips_unchanged_items_and_synthesises_nothing(reference: Reference) -> None:
    out = reference.out
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.glob("*.mp3")}
    clips = sorted(Path(reference.env["NARRATOR_CACHE"]).rglob("*.clip"))
    started = time.perf_counter()
    result = invoke(batch_args(reference.inputs, out, "--jobs", "2", "--json"), reference.env)
    elapsed = time.perf_counter() - started
    assert result.exit_code == 1  # the broken article is tried again, and fails again
    report = json.loads(result.stdout)
    assert report == read_report(out)
    good = [IDS[i] for i in (0, 1, 3, 4, 6)]
    assert statuses(report) == {**statuses(reference.report), **dict.fromkeys(good, "skipped")}
    for item in report["items"]:
        assert item["synthesized"] == 0
        if item["status"] == "skipped":
            assert item["seconds"] < 0.2
            assert item["duration"] == next(
                i["duration"] for i in reference.report["items"] if i["id"] == item["id"]
            )
    assert elapsed < 5
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.glob("*.mp3")} == before
    assert sorted(Path(reference.env["NARRATOR_CACHE"]).rglob("*.clip")) == clips
    assert "0 done, 5 skipped, 1 failed, 1 duplicate" in result.stderr


@pytest.mark.slow
def test_editing_one_article_re_renders_only_it(reference: Reference, tmp_path: Path) -> None:
    inputs, out = copy_batch(reference, tmp_path)
    article = inputs / "articles" / "bus-route-returns.md"
    text = article.read_text("utf-8")
    old = "Journeys should be about six minutes shorter."
    assert old in text
    article.write_text(text.replace(old, "Journeys should be about seven minutes shorter."), "utf-8")
    guid = json.loads((out / "bus-route-returns.episode.json").read_text("utf-8"))["guid"]

    result = invoke(batch_args(inputs, out), reference.env)
    assert result.exit_code == 1
    report = read_report(out)
    changed = {i["id"]: i for i in report["items"]}["bus-route-returns.md"]
    assert changed["status"] == "done"
    assert changed["synthesized"] == 1 and changed["cached"] >= 4  # only the edited sentence
    assert [i["id"] for i in report["items"] if i["status"] == "skipped"] == [
        "allotment-waiting-list.md",
        "library-late-opening.md",
        "market-hall",
        "river-clean-up.md",
    ]
    files = item_files(out)
    assert files["bus-route-returns.mp3"] != reference.files["bus-route-returns.mp3"]
    assert b"seven minutes" in files["bus-route-returns.vtt"]
    for name, data in reference.files.items():
        if not name.startswith("bus-route-returns"):
            assert files[name] == data, name
    assert json.loads(files["bus-route-returns.episode.json"])["guid"] == guid

    # --force redoes every item; the finished renders come from the render cache.
    forced = invoke(batch_args(inputs, out, "--force", "-q"), reference.env)
    assert forced.exit_code == 1 and "FAILED" in forced.stderr and "skipped" not in forced.stderr
    assert {i["id"]: i["status"] for i in read_report(out)["items"]}["river-clean-up.md"] == "done"
    assert all(i["synthesized"] == 0 for i in read_report(out)["items"])


@pytest.mark.slow
def test_shards_together_narrate_every_item_once(reference: Reference, tmp_path: Path) -> None:
    seen: list[str] = []
    files: dict[str, bytes] = {}
    for k in (1, 2, 3):
        out = tmp_path / f"shard-{k}"
        result = invoke(batch_args(reference.inputs, out, "--shard", f"{k}/3", "-q"), reference.env)
        report = read_report(out)
        assert report["shard"] == f"{k}/3" and report["planned"] == 7
        assert result.exit_code == (1 if "empty-draft.md" in statuses(report) else 0)
        seen += [i["id"] for i in report["items"]]
        for name, data in item_files(out).items():
            assert name not in files
            files[name] = data
        junit = etree.fromstring((out / "narrator-junit.xml").read_bytes()).find("testsuite")
        assert int(junit.get("tests")) == len(report["items"])
    assert sorted(seen) == IDS
    same_outputs(files, reference.files)


@pytest.mark.slow
def test_fail_fast_starts_nothing_after_a_failure(reference: Reference, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(batch_args(reference.inputs, out, "--fail-fast"), reference.env)
    assert result.exit_code == 1
    report = read_report(out)
    assert statuses(report) == {
        "allotment-waiting-list.md": "done",
        "bus-route-returns.md": "done",
        "empty-draft.md": "failed",
        "library-late-opening.md": "cancelled",
        "market-hall": "cancelled",
        "river-again": "duplicate",
        "river-clean-up.md": "cancelled",
    }
    suite = etree.fromstring((out / "narrator-junit.xml").read_bytes()).find("testsuite")
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "4")
    assert sorted(p.name for p in out.glob("*.mp3")) == [
        "allotment-waiting-list.mp3",
        "bus-route-returns.mp3",
    ]
    assert "3 cancelled" in result.stderr


@pytest.mark.slow
def test_killed_batch_resumes_and_ends_with_identical_outputs(reference: Reference, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, **reference.env, "NARRATOR_CACHE": str(tmp_path / "fresh-cache")}
    command = [sys.executable, "-m", "narrator", "batch", *batch_args(reference.inputs, out, "-q")]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    state = out / STATE_NAME
    deadline = time.monotonic() + 120
    done_before: list[str] = []
    while not done_before:
        assert proc.poll() is None, "the batch finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
        if state.exists():
            done_before = sorted(json.loads(state.read_text("utf-8"))["items"])
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = sorted(json.loads(state.read_text("utf-8"))["items"])
    assert 1 <= len(done_before) < 5
    assert not (out / "narrator-report.json").exists()  # it never got to the end

    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    report = read_report(out)
    resumed = statuses(report)
    assert sorted(i for i, s in resumed.items() if s == "skipped") == done_before
    assert sorted(i for i, s in resumed.items() if s == "done") == sorted(
        set(IDS[i] for i in (0, 1, 3, 4, 6)) - set(done_before)
    )
    assert resumed["empty-draft.md"] == "failed" and resumed["river-again"] == "duplicate"
    same_outputs(item_files(out), reference.files)
    # A kill can leave a hidden temporary file behind, never a partial MP3 or sidecar.
    visible = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    assert visible == {*reference.files, "narrator-report.json", "narrator-junit.xml"}


class _ArticleServer(http.server.BaseHTTPRequestHandler):
    """Serves one article whose title and heading try to climb out of the output folder."""

    requests: ClassVar[list[str]] = []
    page = (
        b"<!doctype html><html><head><title>../../../etc/passwd &lt;script&gt;</title>"
        b'<meta property="article:published_time" content="2026-03-21T09:00:00Z"></head><body><article>'
        b"<h1>../../escape/..\\..\\windows</h1>"
        b"<p>The harbour master says the new pontoon will be ready before the summer regatta.</p>"
        b"<p>Boat owners can book a berth from April.</p>"
        b"</article></body></html>"
    )

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def article_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ArticleServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _ArticleServer.requests = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.slow
def test_hostile_titles_and_urls_cannot_write_outside_out(
    reference: Reference, tmp_path: Path, article_server: str
) -> None:
    work = tmp_path / "work"
    out = work / "deep" / "out"
    manifest = work / "list.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(
        json.dumps(
            {
                "items": [
                    {"source": f"{article_server}/../../etc/passwd", "id": "../../../outside"},
                    {
                        "source": f"{article_server}/a%2F..%2F..%2Fb/..?x=../../y#../z",
                        "title": "../../../../tmp/evil\n<script>alert(1)</script>",
                    },
                ]
            }
        ),
        "utf-8",
    )
    before = _tree(tmp_path)
    result = invoke([str(manifest), "--out", str(out), "--device", "cpu"], reference.env)
    assert result.exit_code == 0, result.stderr
    report = read_report(out)
    assert [i["status"] for i in report["items"]] == ["done", "done"]
    created = _tree(tmp_path) - before
    assert created and all(name == "work/deep" or name.startswith("work/deep/out") for name in created)
    for item in report["items"]:
        assert STEM.match(item["output"].removesuffix(".mp3"))
    titles = [i["title"] for i in report["items"]]
    assert "../../../../tmp/evil <script>alert(1)</script>" in titles
    assert len(_ArticleServer.requests) == 2  # one fetch each: the bytes fingerprinted are narrated

    # A second run fetches each URL once, finds it unchanged, and skips it.
    _ArticleServer.requests.clear()
    again = invoke([str(manifest), "--out", str(out), "--device", "cpu"], reference.env)
    assert again.exit_code == 0
    assert [i["status"] for i in read_report(out)["items"]] == ["skipped", "skipped"]
    assert len(_ArticleServer.requests) == 2


def test_settings_digest_changes_with_what_shapes_the_audio() -> None:
    from narrator.batch import settings_digest
    from narrator.master import MasterOptions

    base = Settings(sidecars=("vtt",))
    digest = settings_digest(base)
    assert settings_digest(replace(base, workers=7, device="cpu", cache=False)) == digest
    for changed in (
        replace(base, byline=False),
        replace(base, master=MasterOptions(bitrate=128)),
        replace(base, sidecars=("vtt", "srt")),
        replace(base, disclosure="Read by a machine."),
    ):
        assert settings_digest(changed) != digest
    assert settings_digest(base, title="Another title") != digest


def test_the_ci_workflow_runs_commands_narrator_accepts(tmp_path: Path) -> None:
    """The README's GitHub Actions workflow: shards over a matrix, caches, uploads, builds the feed."""
    import shlex

    yaml = pytest.importorskip("yaml")
    from narrator.cli import feed_build, feed_check

    workflow = yaml.safe_load((BATCH / "github-actions.yml").read_text("utf-8"))
    narrate_job, feed_job = workflow["jobs"]["narrate"], workflow["jobs"]["feed"]
    shards = narrate_job["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and narrate_job["strategy"]["fail-fast"] is False
    steps = {step["name"]: step for step in narrate_job["steps"] if "name" in step}
    restore = steps["Restore this shard's episodes and the clip cache"]
    assert restore["uses"].startswith("actions/cache/restore@")
    assert restore["with"]["path"].split() == [".narrator-cache", "public"]
    assert workflow["env"]["NARRATOR_CACHE"].endswith("/.narrator-cache")
    save = steps["Save this shard's episodes and the clip cache"]
    assert save["if"] == "${{ !cancelled() }}" and save["with"]["key"] == restore["with"]["key"]
    upload = steps["Upload the episodes"]
    assert upload["uses"].startswith("actions/upload-artifact@") and "public/*.mp3" in upload["with"]["path"]

    def words(command: str, **values: str) -> list[str]:
        for name, value in values.items():
            command = command.replace("${{ " + name + " }}", value)
        assert "${{" not in command, command
        return shlex.split(command)

    (run,) = [s["run"] for s in narrate_job["steps"] if "narrate batch" in s.get("run", "")]
    for shard in shards:
        args = words(run, **{"matrix.shard": str(shard), "strategy.job-total": str(len(shards))})
        assert args[:2] == ["narrate", "batch"]
        ctx = batch_command.make_context("batch", args[2:])
        assert ctx.params["shard"] == (shard, len(shards)) and ctx.params["out"] == Path("public")

    assert feed_job["needs"] == "narrate" and feed_job["if"] == "${{ !cancelled() }}"
    download = next(s for s in feed_job["steps"] if s.get("uses", "").startswith("actions/download-artifact"))
    assert download["with"]["pattern"] == "episodes-*" and download["with"]["merge-multiple"] is True
    commands = [words(s["run"]) for s in feed_job["steps"] if s.get("run", "").startswith("narrate feed")]
    assert [c[:3] for c in commands] == [["narrate", "feed", "build"], ["narrate", "feed", "check"]]
    # click checks that the folders and files named exist: lay them out as the job has them.
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "feed.xml").write_text("<rss/>", "utf-8")
    shutil.copy(FEED_TOML, tmp_path / "feed.toml")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        for command, cli in zip(commands, (feed_build, feed_check), strict=True):
            cli.make_context(command[2], command[3:])
