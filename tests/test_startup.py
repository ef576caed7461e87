"""A process that builds or checks does not compile rfc3987-syntax's grammar on import (about 3 s each)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_dbt_through_denials_leaves_the_iri_grammar_out() -> None:
    probe = ("import sys, denials.transform, dbt.cli.main, jsonschema; "
             "print(sys.modules.get('rfc3987_syntax', 'absent'))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in ("None", "absent")
