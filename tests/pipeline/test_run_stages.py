"""`scheduled_run` publishes only when every stage passed: a failed mart check or dbt build stops it
before the publish, and the run's checks of every layer go to its Data Docs (dbt and GX replaced by
stand-ins here; the end-to-end runs are in test_readers, test_kill and test_exit_codes)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest

import denials.pipeline as pipeline
import denials.publish as publish_module
import denials.transform as transform
from denials.errors import EXIT_BUILD_FAILED, EXIT_CHECK_FAILED, EXIT_OK
from denials.quality.results import CheckReport, ExpectationOutcome, SuiteOutcome
from tests.ingest.x12_builders import remittance


@dataclass
class Built:
    success: bool = True
    failed_nodes: list[str] = field(default_factory=list)
    warned_nodes: list[str] = field(default_factory=list)
    exception: BaseException | None = None
    retried_nodes: list[str] = field(default_factory=list)


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    calls: dict = {"dbt": [], "checks": [], "published": [], "docs": [], "fail_dbt": set(),
                   "fail_checks": set(), "manifests": [], "parsed": object()}

    def dbt(args: list[str], warehouse: Path, stage: str, manifest: object | None = None) -> Built:
        calls["dbt"].append(stage)
        calls["manifests"].append(manifest)
        failed = stage in calls["fail_dbt"]
        return Built(success=False, failed_nodes=["model.x: error"]) if failed else Built()

    class Checks:
        """Stands in for the checks' worker process."""

        def __init__(self) -> None:
            self.checked = False
            self.layers: list[str] = []

        def __enter__(self) -> Checks:
            return self

        def __exit__(self, *exc_info: object) -> None:
            pass

        def run_checks(self, warehouse: Path, suites: list[str], run_id: str,
                       after_suite: Callable[[SuiteOutcome], None] | None = None) -> CheckReport:
            layer = suites[0]
            calls["checks"].append(tuple(suites))
            self.checked = True
            self.layers.append(layer)
            report = CheckReport(run_id=run_id, run_time=datetime.now(timezone.utc), warehouse=warehouse)
            suite = SuiteOutcome(suite=f"{layer}.x", layer=layer, tables=("t",), status="passed")
            if layer in calls["fail_checks"]:
                suite.status = "failed"
                suite.expectations.append(ExpectationOutcome(
                    suite=suite.suite, expectation_id="1", expectation_type="t", column=None,
                    description="d", severity="critical", success=False))
            report.suites.append(suite)
            return report

        def build_docs(self) -> tuple[Path, list[str]]:
            calls["docs"].append(list(self.layers))
            return tmp_path / "i", []

    monkeypatch.setattr(pipeline, "dbt_build", dbt)
    monkeypatch.setattr(transform, "parse_project", lambda warehouse: calls["parsed"])
    monkeypatch.setattr(pipeline, "start_checks", Checks)

    def publish(warehouse: Path, run_id: str) -> publish_module.PublishResult:
        calls["published"].append(run_id)
        return publish_module.PublishResult(warehouse)

    monkeypatch.setattr(publish_module, "publish", publish)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "r.835").write_text(remittance(2))
    calls["inbox"] = inbox
    calls["warehouse"] = tmp_path / "w" / "denials.duckdb"
    return calls


def _run(calls: dict) -> pipeline.RunOutcome:
    return pipeline.scheduled_run([calls["inbox"]], calls["warehouse"], say=lambda line: None)


def test_every_stage_passes_then_publishes(stand_ins: dict) -> None:
    outcome = _run(stand_ins)
    assert outcome.exit_code == EXIT_OK and stand_ins["published"] == [outcome.run_id]
    assert stand_ins["checks"] == [("raw", "staging"), ("marts",)]
    assert stand_ins["manifests"] == [stand_ins["parsed"]] * 2, "both builds take the one parse"
    assert stand_ins["docs"] == [["raw", "marts"]], "one set of Data Docs for every layer of the run"


@pytest.mark.parametrize("fail_dbt, fail_checks, code, docs", [
    ("", "raw", EXIT_CHECK_FAILED, [["raw"]]),
    ("", "marts", EXIT_CHECK_FAILED, [["raw", "marts"]]),
    ("staging", "", EXIT_BUILD_FAILED, []),
    ("marts", "", EXIT_BUILD_FAILED, [["raw"]]),
])
def test_a_failed_stage_publishes_nothing(stand_ins: dict, fail_dbt: str, fail_checks: str, code: int,
                                          docs: list) -> None:
    stand_ins["fail_dbt"].add(fail_dbt)
    stand_ins["fail_checks"].add(fail_checks)
    outcome = _run(stand_ins)
    assert outcome.exit_code == code
    assert stand_ins["published"] == [], "nothing is published after a failed stage"
    assert outcome.published is None
    assert stand_ins["docs"] == docs, "a stopped run still writes the Data Docs of the checks it ran"


def test_background_import_loads_modules_only_once_started(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "warmed_by_test.py").write_text("LOADED = True\n")
    (tmp_path / "broken_by_test.py").write_text("raise RuntimeError('broken on purpose')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    background = pipeline._BackgroundImport("broken_by_test", "warmed_by_test")
    background.wait()  # not started: nothing to wait for, nothing imported
    assert "warmed_by_test" not in sys.modules
    background.start()
    background.start()  # a second start is a no-op
    background.wait()
    # a module that fails to import does not stop the ones after it, nor raise here
    assert sys.modules["warmed_by_test"].LOADED
    assert "broken_by_test" not in sys.modules


def test_dbt_is_imported_beside_the_ingest_and_loaded_before_the_parse(
        stand_ins: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    import denials.ingest as ingest

    order: list[tuple[str, ...]] = []

    class RecordedImport:
        def __init__(self, *modules: str) -> None:
            self.modules = modules

        def start(self) -> None:
            order.append(("start", *self.modules))

        def wait(self) -> None:
            order.append(("wait", *self.modules))

        def __enter__(self) -> RecordedImport:
            self.start()
            return self

        def __exit__(self, *exc_info: object) -> None:
            self.wait()

    real_ingest = ingest.ingest_paths

    def recorded_ingest(*args: object, **kwargs: object) -> object:
        order.append(("ingest",))
        return real_ingest(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_BackgroundImport", RecordedImport)
    monkeypatch.setattr(ingest, "ingest_paths", recorded_ingest)
    monkeypatch.setattr(transform, "parse_project",
                        lambda warehouse: order.append(("parse",)) or stand_ins["parsed"])
    assert _run(stand_ins).exit_code == EXIT_OK
    dbt_steps = [step for step in order if step[0] in ("ingest", "parse") or "dbt.cli.main" in step]
    assert dbt_steps == [("start", "dbt.cli.main"), ("ingest",), ("wait", "dbt.cli.main"), ("parse",)]


def test_a_failed_ingest_still_waits_for_dbt_s_import(stand_ins: dict,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The process must not end while the background thread is inside an import."""
    import denials.ingest as ingest

    waited: list[bool] = []
    real_wait = pipeline._BackgroundImport.wait

    def recorded_wait(self: pipeline._BackgroundImport) -> None:
        real_wait(self)
        waited.append(not self._thread.is_alive())

    def failed_ingest(*args: object, **kwargs: object) -> object:
        raise OSError("disk full")

    monkeypatch.setattr(pipeline._BackgroundImport, "wait", recorded_wait)
    monkeypatch.setattr(ingest, "ingest_paths", failed_ingest)
    with pytest.raises(OSError, match="disk full"):
        _run(stand_ins)
    assert waited == [True], "the import thread was joined before the error left the run"
