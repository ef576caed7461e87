"""Ingestion: X12 835/837 files, zip archives and drug-administration CSVs into the raw layer."""

from denials.ingest.rebuild import rebuild_file
from denials.ingest.runner import FileOutcome, IngestReport, ingest_paths

__all__ = ["FileOutcome", "IngestReport", "ingest_paths", "rebuild_file"]
