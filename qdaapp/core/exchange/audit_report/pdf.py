"""PDF from the Word report through LibreOffice, when it is installed (no Qt here).

The conversion runs LibreOffice headless with a profile of its own in a
temporary folder, so it neither disturbs nor waits for a LibreOffice the user
has open.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ...errors import InvalidInput

CONVERT_TIMEOUT = 600  # seconds


def office_program() -> str | None:
    """The LibreOffice program on PATH (``soffice`` or ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx_path: Path, pdf_path: Path, program: str | None = None) -> None:
    """Convert ``docx_path`` to ``pdf_path`` with LibreOffice; InvalidInput with its message if it fails."""
    program = program or office_program()
    if program is None:
        raise InvalidInput("LibreOffice is not installed (no 'soffice' or 'libreoffice' on PATH).")
    with tempfile.TemporaryDirectory(prefix="qdaapp-pdf-") as work:
        profile = Path(work, "profile").as_uri()
        out_dir = Path(work, "out")
        out_dir.mkdir()
        cmd = [program, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out_dir), str(docx_path)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=CONVERT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise InvalidInput(f"LibreOffice did not finish converting the report to PDF within "
                               f"{CONVERT_TIMEOUT // 60} minutes.") from None
        made = out_dir / (docx_path.stem + ".pdf")
        if done.returncode != 0 or not made.exists():
            said = (done.stderr or done.stdout or "").strip().splitlines()
            raise InvalidInput("LibreOffice could not convert the report to PDF"
                               + (f": {said[-1]}" if said else "."))
        shutil.copyfile(made, pdf_path)
