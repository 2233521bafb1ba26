"""The Ray executor: the reference batch run on a local Ray instance gives the same outputs and report.

The test starts Ray itself (two CPUs, no dashboard) and runs ``narrate batch --executor ray
--address ADDRESS`` as a separate driver process, as a CI job joining an existing cluster
would. Without Ray installed the test is skipped, unless ``NARRATOR_TEST_REQUIRE_RAY=1``
(``make test`` sets it, after installing the ``ray`` extra).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .test_batch import (
    FEED_TOML,
    Reference,
    batch_args,
    item_files,
    read_report,
    reference_run,
    same_outputs,
    statuses,
    without_times,
)

pytestmark = pytest.mark.slow

if importlib.util.find_spec("ray") is None:
    if os.environ.get("NARRATOR_TEST_REQUIRE_RAY") == "1":
        raise ImportError("NARRATOR_TEST_REQUIRE_RAY=1 but Ray is not installed: pip install -e '.[ray]'")
    pytest.skip("Ray is not installed (pip install -e '.[ray]')", allow_module_level=True)


@pytest.fixture(scope="module")
def ray_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A local Ray instance; the address a driver joins it at, and the environment to do so."""
    import ray

    env = {
        "NARRATOR_CACHE": str(tmp_path_factory.mktemp("ray-cache")),
        "NARRATOR_VOICES": str(tmp_path_factory.mktemp("ray-voices")),
        "RAY_AUTH_MODE": "disabled",
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            yield ray.get_runtime_context().gcs_address, env
        finally:
            ray.shutdown()


@pytest.fixture
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    return reference_run(tmp_path_factory)


def test_ray_executor_matches_the_local_executor(
    reference: Reference, ray_address: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    address, ray_env = ray_address
    out = tmp_path / "out"
    env = {**os.environ, **reference.env, **ray_env}  # a cache of its own: the workers synthesise
    command = [
        sys.executable,
        "-m",
        "narrator",
        "batch",
        *batch_args(reference.inputs, out, "--executor", "ray", "--address", address),
        "--feed",
        str(FEED_TOML),
        "--json",
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr  # the broken article fails on Ray too
    report: dict[str, Any] = json.loads(result.stdout)
    assert report == read_report(out)
    assert report["executor"] == "ray" and reference.report["executor"] == "local"
    assert statuses(report) == statuses(reference.report)
    assert without_times(report) == without_times(reference.report)
    assert all(i["synthesized"] > 0 for i in report["items"] if i["status"] == "done")
    assert report["feed"]["episodes"] == 5
    same_outputs(item_files(out), reference.files)

    # The Ray run is incremental too: a second run skips every finished item on the driver.
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 1
    assert sorted(i["status"] for i in json.loads(again.stdout)["items"]) == [
        "duplicate",
        "failed",
        *["skipped"] * 5,
    ]
