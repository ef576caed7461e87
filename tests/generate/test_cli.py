"""The click command the lead registers as `denials generate`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from denials.generate import generate_command


def test_command_generates_with_rates_from_options(tmp_path: Path, reference_dir: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        generate_command,
        [
            "--claims",
            "60",
            "--seed",
            "4",
            "--out",
            str(out),
            "--end-date",
            "2024-12-31",
            "--reference-dir",
            str(reference_dir),
            "--denial-rate",
            "0.3",
            "--not-remitted-rate",
            "0.1",
            "--scenario-weight",
            "duplicate=0",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "60 claims" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["claims"] == 60 and manifest["seed"] == 4
    assert manifest["parameters"]["end_date"] == "2024-12-31"
    assert manifest["parameters"]["rates"]["denial_rate"] == 0.3
    assert manifest["scenarios"]["duplicate"]["claims"] == 0


def test_command_rejects_a_bad_scenario_weight(tmp_path: Path, reference_dir: Path) -> None:
    result = CliRunner().invoke(
        generate_command,
        [
            "--claims",
            "5",
            "--out",
            str(tmp_path),
            "--reference-dir",
            str(reference_dir),
            "--scenario-weight",
            "x",
        ],
    )
    assert result.exit_code != 0
    assert "NAME=WEIGHT" in result.output
