"""Same seed and options, same bytes; another seed, other bytes; worker count never matters."""

from __future__ import annotations

from pathlib import Path

from denials.generate import generate


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_seed_same_bytes(tmp_path: Path, reference_dir: Path) -> None:
    options = {"reference_dir": reference_dir, "claims_per_file": 70, "claims_per_batch": 40}
    generate(tmp_path / "a", 150, 42, **options)
    generate(tmp_path / "b", 150, 42, **options)
    first, second = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert len(first) == 3 + 3 + 2 + 1  # three 837s, three 835s, two CSVs, the manifest
    assert first == second


def test_other_seed_other_bytes(tmp_path: Path, reference_dir: Path) -> None:
    generate(tmp_path / "a", 120, 1, reference_dir=reference_dir)
    generate(tmp_path / "b", 120, 2, reference_dir=reference_dir)
    first, second = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] != second[name], name


def test_parallel_chunks_write_the_same_bytes(tmp_path: Path, reference_dir: Path) -> None:
    options = {"reference_dir": reference_dir, "claims_per_file": 60}
    generate(tmp_path / "serial", 180, 9, workers=1, **options)
    generate(tmp_path / "parallel", 180, 9, workers=2, **options)
    assert _snapshot(tmp_path / "serial") == _snapshot(tmp_path / "parallel")
