"""Plain text import, the importer registry, and the checks every format shares."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from qdaapp.core import importers
from qdaapp.core.errors import ImportFailure
from qdaapp.core.importers import (
    MAX_IMPORT_BYTES,
    ImportedDocument,
    importer_for,
    read_file,
    register_importer,
    supported_extensions,
)
from qdaapp.core.importers.txt import read_txt
from qdaapp.core.progress import Cancelled, CancelToken, Progress
from qdaapp.core.text import count_words, paragraph_starts

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def failure(path, reader=read_file) -> str:
    with pytest.raises(ImportFailure) as info:
        reader(path)
    message = str(info.value)
    assert Path(path).name in message
    assert info.value.path == str(path)
    return message


# --- registry -------------------------------------------------------------------


def test_builtin_importers_are_registered():
    assert supported_extensions()[:3] == (".txt", ".docx", ".pdf")
    assert importer_for("x/INTERVIEW.TXT") is read_txt
    assert importers.importer_name("a.Docx") == "Word document"


def test_unknown_extension(tmp_path):
    path = write(tmp_path, "notes.xyz", b"hello")
    message = failure(path)
    assert "files of type .xyz cannot be imported; supported: .txt, .docx, .pdf" in message
    assert "files without an extension" in failure(write(tmp_path, "README", b"hello"))


def test_plugin_importer_through_the_same_registry(tmp_path, monkeypatch):
    monkeypatch.setattr(importers, "_registry", dict(importers._registry))
    calls = []

    def read_md(path, progress=None, cancel=None):
        calls.append(path)
        return read_txt(path, progress=progress, cancel=cancel)

    register_importer(("md", ".MARKDOWN"), read_md, "Markdown")
    assert ".md" in supported_extensions() and ".markdown" in supported_extensions()
    doc = read_file(write(tmp_path, "a.md", b"Ana: # hi\n"))
    assert calls and doc.text == "Ana: # hi\n" and doc.turns[0].speaker == "Ana"
    register_importer((".rtf",), "qdaapp.core.importers.txt:read_txt", "lazy")
    assert importer_for("a.rtf") is read_txt
    with pytest.raises(ValueError):
        register_importer((".x",), "no_colon_here", "bad")


def test_registry_import_is_light():
    code = (
        "import sys, qdaapp.core.importers as i; i.supported_extensions();"
        "i.importer_for('a.txt');"
        "heavy = [m for m in ('docx', 'pdfminer', 'lxml', 'charset_normalizer', 'PySide6')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- problems shared by every format ---------------------------------------------


@pytest.mark.parametrize("ext", [".txt", ".docx", ".pdf"])
def test_missing_file(tmp_path, ext):
    message = failure(tmp_path / f"gone{ext}")
    assert "does not exist" in message


@pytest.mark.parametrize("ext", [".txt", ".docx", ".pdf"])
def test_empty_file(tmp_path, ext):
    message = failure(write(tmp_path, f"empty{ext}", b""))
    assert "the file is empty (0 bytes)" in message


@pytest.mark.parametrize("ext", [".txt", ".docx", ".pdf"])
def test_file_over_100_mb_is_refused_before_reading(tmp_path, ext, monkeypatch):
    path = tmp_path / f"huge{ext}"
    with open(path, "wb") as fh:
        fh.truncate(MAX_IMPORT_BYTES + 1)  # sparse: nothing is written
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    message = failure(path)
    assert "too large" in message and "100 MB" in message
    assert not [a for a in opened if str(a[0]) == str(path)]


def test_folder_is_not_a_file(tmp_path):
    folder = tmp_path / "interviews.txt"
    folder.mkdir()
    assert "is a folder" in failure(folder)


def test_whitespace_only_text(tmp_path):
    assert "contains no text" in failure(write(tmp_path, "blank.txt", b" \r\n\t\n"))


# --- binary files ------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, hint",
    [
        (bytes(range(256)) * 40, ""),
        (b"\x89PNG\r\n\x1a\n" + bytes(2000), ""),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n" + bytes(range(256)) * 4, "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "Word"),
    ],
)
def test_binary_file_named_txt(tmp_path, data, hint):
    message = failure(write(tmp_path, "data.txt", data))
    assert "it looks like a binary file, not text" in message
    assert hint in message


def test_control_characters_without_nul_are_binary(tmp_path):
    data = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 65]) * 500
    assert "binary file" in failure(write(tmp_path, "ctl.txt", data))


# --- encodings ----------------------------------------------------------------------

SAMPLE = "Interviewer: “Café”, she said — naïve?\nP1: Ça va. Straße 😀\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + SAMPLE.encode("utf-16-le"), "utf-16"),
        (b"\xfe\xff" + SAMPLE.encode("utf-16-be"), "utf-16"),
        (b"\xff\xfe\x00\x00" + SAMPLE.encode("utf-32-le"), "utf-32"),
        (b"\x00\x00\xfe\xff" + SAMPLE.encode("utf-32-be"), "utf-32"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_unicode_encodings(tmp_path, data, encoding):
    doc = read_file(write(tmp_path, "s.txt", data))
    assert doc.encoding == encoding
    assert doc.text == SAMPLE
    assert doc.warnings == []
    assert [t.speaker for t in doc.turns] == ["Interviewer", "P1"]


def test_cp1252_curly_quotes_and_accents(tmp_path):
    data = b"P1: \x93Caf\xe9\x94 \x96 it\x92s fine\r\n"
    doc = read_file(write(tmp_path, "w.txt", data))
    assert doc.encoding == "cp1252"
    assert doc.text == "P1: \u201cCafé\u201d \u2013 it\u2019s fine\n"
    assert doc.warnings and "Windows-1252" in doc.warnings[0]
    assert doc.original == data


def test_latin1_when_cp1252_cannot_decode(tmp_path):
    data = "Crème brûlée à la française, très bien.\n".encode("latin-1") + b"\x81\n"
    doc = read_file(write(tmp_path, "l.txt", data))
    assert doc.encoding == "latin-1"
    assert doc.text == "Crème brûlée à la française, très bien.\n\x81\n"


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("Интервьюер: Как вы начали этот проект? Нам пришлось многое изменить в работе.\n" * 5, "cp1251"),
        ("Zażółć gęślą jaźń, powiedział. Ćma żółta, łąka się zieleni.\n" * 5, "cp1250"),
    ],
)
def test_other_code_pages_are_detected(tmp_path, text, encoding):
    doc = read_file(write(tmp_path, "r.txt", text.encode(encoding)))
    assert doc.encoding == encoding
    assert doc.text == text
    assert doc.warnings


def test_utf8_bom_declared_but_damaged(tmp_path):
    message = failure(write(tmp_path, "bad.txt", b"\xff\xfeA\x00B"))
    assert "damaged" in message


def test_newlines_and_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "Ana: café\r\nP1: São\rPaulo\n")
    doc = read_file(write(tmp_path, "n.txt", nfd.encode("utf-8")))
    assert doc.text == "Ana: café\nP1: São\nPaulo\n"
    assert unicodedata.is_normalized("NFC", doc.text)
    assert doc.paragraph_starts == [0, 10, 18]


# --- fixtures ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Ana", "David", "Jessica"])
def test_fixture_transcripts(fixtures_root, name):
    path = fixtures_root / "transcripts" / "txt" / f"{name}.txt"
    doc = read_file(path)
    raw = path.read_bytes()
    assert isinstance(doc, ImportedDocument)
    assert (doc.name, doc.format, doc.encoding, doc.page_starts) == (f"{name}.txt", "txt", "utf-8", None)
    assert doc.text == raw.decode("utf-8")
    assert doc.original == raw and doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.words == count_words(doc.text) > 5000
    assert doc.paragraph_starts == paragraph_starts(doc.text)
    assert {t.speaker for t in doc.turns} == {"Researcher 1", name}


def test_progress_and_cancel(tmp_path):
    path = write(tmp_path, "p.txt", b"Ana: hi\n")
    seen = []
    read_file(path, progress=Progress(lambda d, t, m: seen.append((d, t))))
    assert seen[-1] == (2, 2)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        read_file(path, cancel=token)


def test_words_are_counted_as_a_reader_counts_them() -> None:
    assert count_words("Don't stop—it's 2 o\u2019clock! 😀 ...") == 5
    assert count_words("") == count_words(" \n-- ") == 0
