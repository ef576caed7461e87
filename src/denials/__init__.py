"""denials: a denial-analytics warehouse for X12 835/837 remittances, claims and drug administrations."""

import sys

__version__ = "0.1.0"

# jsonschema, which dbt and Great Expectations import, validates the "iri" format with rfc3987-syntax when
# that is installed (JupyterLab brings it), and rfc3987-syntax compiles its grammar on import: about 3 s of
# every process that builds or checks, on a small machine. Nothing here validates IRIs, so jsonschema is
# left to skip that format. A process that imported it already (a notebook kernel) keeps it.
sys.modules.setdefault("rfc3987_syntax", None)
