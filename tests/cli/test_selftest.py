"""`qdaapp --selftest` passes on a working installation, headless."""

from __future__ import annotations

import subprocess
import sys

from ..conftest import ROOT


def test_selftest_passes() -> None:
    proc = subprocess.run([sys.executable, "-m", "qdaapp", "--selftest"], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "selftest passed" in proc.stdout and "audit chain verified" in proc.stdout
