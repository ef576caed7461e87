"""The Great Expectations project in expectations/: opening it, and wiring a new dataset into it.

expectations/ is a GX 1.x file context (great_expectations.yml at its root). Per dataset in
`denials.quality.datasets.DATASETS` it holds, under the dataset's name (`staging.balancing`...):

- a dataframe asset of the pandas datasource `warehouse`, with one batch definition `whole_dataframe`;
- the expectation suite, expectations/expectations/<layer>/<name>.json: the reviewed rules and thresholds;
- a validation definition (asset + suite) and a checkpoint (validation definition + result format).

`python -m denials.quality.project` adds what a new dataset lacks (an empty suite to fill in by hand,
the asset, the validation definition, the checkpoint) and never changes an existing suite.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from denials.paths import PROJECT_ROOT
from denials.quality.datasets import DATASETS, Dataset

if TYPE_CHECKING:
    from great_expectations.data_context import FileDataContext

# Read by GX when it is imported and when a context starts; great_expectations.yml says the same.
os.environ["GX_ANALYTICS_ENABLED"] = "false"

GX_ROOT_ENV = "DENIALS_GX_ROOT"
DEFAULT_GX_ROOT = PROJECT_ROOT / "expectations"
DATASOURCE = "warehouse"
BATCH_DEFINITION = "whole_dataframe"
PARTIAL_UNEXPECTED_COUNT = 20


def gx_root(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return Path(explicit)
    from_env = os.environ.get(GX_ROOT_ENV)
    return Path(from_env) if from_env else DEFAULT_GX_ROOT


def open_context(root: Path | None = None) -> FileDataContext:
    """The file context rooted at `root` (default expectations/). Analytics stay off."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    root = gx_root(root)
    if not (root / "great_expectations.yml").is_file():
        raise FileNotFoundError(f"no Great Expectations project at {root} (great_expectations.yml missing)")
    context = gx.get_context(mode="file", context_root_dir=str(root))
    if context.config.analytics_enabled is not False:
        raise RuntimeError(f"{root}/great_expectations.yml must say `analytics_enabled: false`")
    return context


def result_format(dataset: Dataset) -> dict[str, object]:
    """SUMMARY with the failing rows named by the dataset's index columns (file, table, payer...).

    The frames carry no identifier column (datasets.assert_identifier_free), so the partial unexpected
    lists hold counts, shares, codes and years only.
    """
    return {
        "result_format": "SUMMARY",
        "partial_unexpected_count": PARTIAL_UNEXPECTED_COUNT,
        "unexpected_index_column_names": list(dataset.index_columns),
    }


def sync_project(root: Path | None = None) -> list[str]:
    """Add the GX objects a dataset lacks; return what was added (empty when the project is in sync)."""
    import great_expectations as gx

    context = open_context(root)
    added: list[str] = []
    try:
        datasource = context.data_sources.get(DATASOURCE)
    except (KeyError, ValueError):
        datasource = context.data_sources.add_pandas(DATASOURCE)
        added.append(f"datasource {DATASOURCE}")
    for dataset in DATASETS:
        try:
            asset = datasource.get_asset(dataset.name)
        except LookupError:
            asset = datasource.add_dataframe_asset(dataset.name)
            added.append(f"asset {dataset.name}")
        try:
            batch_definition = asset.get_batch_definition(BATCH_DEFINITION)
        except KeyError:
            batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
            added.append(f"batch definition {dataset.name}/{BATCH_DEFINITION}")
        try:
            suite = context.suites.get(dataset.suite)
        except Exception:  # noqa: BLE001 - GX raises DataContextError subclasses for a missing suite
            suite = context.suites.add(gx.ExpectationSuite(name=dataset.suite, meta={"grain": dataset.grain}))
            added.append(f"suite {dataset.suite} (empty: add its expectations)")
        try:
            validation = context.validation_definitions.get(dataset.name)
        except Exception:  # noqa: BLE001
            validation = context.validation_definitions.add(
                gx.ValidationDefinition(name=dataset.name, data=batch_definition, suite=suite))
            added.append(f"validation definition {dataset.name}")
        try:
            checkpoint = context.checkpoints.get(dataset.name)
        except Exception:  # noqa: BLE001
            checkpoint = None
        if checkpoint is None:
            context.checkpoints.add(gx.Checkpoint(
                name=dataset.name, validation_definitions=[validation], actions=[],
                result_format=result_format(dataset)))
            added.append(f"checkpoint {dataset.name}")
    return added


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    added = sync_project(root)
    print("\n".join(added) if added else f"{gx_root(root)} is in sync with the datasets")


if __name__ == "__main__":
    main()
