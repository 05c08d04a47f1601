"""The outputs as a reader sees them printed: LibreOffice converts them to PDF.

One statement per language, the summary and a template: their page counts, and no cell
rendered as `###` (a number wider than its column). Skipped, with the reason, where
LibreOffice (`soffice`) or poppler (`pdfinfo`, `pdftotext`) is not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from incentives.templates import write_templates

TOOLS = ("soffice", "pdfinfo", "pdftotext")
missing = [t for t in TOOLS if shutil.which(t) is None]
pytestmark = pytest.mark.skipif(bool(missing), reason=f"LibreOffice/poppler not installed: {', '.join(missing)}")


def to_pdf(paths: list[Path], out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "profile"  # a profile of its own: no clash with a LibreOffice already running
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, paths)], check=True, capture_output=True, timeout=300)
    return {p.name: out / f"{p.stem}.pdf" for p in paths}


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1])


def text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def language_of(path: Path) -> str:
    title = openpyxl.load_workbook(path)["Statement"]["A1"].value
    return "ru" if title.startswith("Выписка") else "en"


@pytest.fixture(scope="module")
def rendered(sample_run, tmp_path_factory):
    statements = sorted((sample_run.out / "statements").glob("*.xlsx"))
    by_language = {}
    for p in statements:
        by_language.setdefault(language_of(p), p)
    templates = tmp_path_factory.mktemp("templates")
    write_templates(templates)
    chosen = [*by_language.values(), sample_run.out / "summary.xlsx", templates / "sales_report.xlsx"]
    return by_language, to_pdf(chosen, tmp_path_factory.mktemp("pdf"))


def test_a_statement_in_each_language(rendered):
    by_language, pdfs = rendered
    assert set(by_language) == {"en", "ru"}
    for language, path in by_language.items():
        pdf = pdfs[path.name]
        # one page of Statement; the Lines on pages side by side (9 pt or more), a few rows each
        assert 2 <= pages(pdf) <= 4, (language, pages(pdf))
        said = text(pdf)
        assert "###" not in said
        assert ("Выписка за III квартал 2026" if language == "ru" else "Statement, Q3 2026") in said
        assert "Page 1 of" in said or "Страница 1 из" in said


def test_the_summary(rendered):
    _, pdfs = rendered
    pdf = pdfs["summary.xlsx"]
    # seven sheets, each fit to the page's width: a handful of pages, not 21 portrait pages of 5 columns
    assert 7 <= pages(pdf) <= 10
    said = text(pdf)
    assert "###" not in said
    first = said.split("\f")[0]  # the Overview, in the program's language (the sample's is Russian)
    assert "Обзор, III квартал 2026" in first and "К выплате" in first and "Страница 1 из" in first


def test_a_template(rendered):
    _, pdfs = rendered
    pdf = pdfs["sales_report.xlsx"]
    assert 1 <= pages(pdf) <= 4
    assert "###" not in text(pdf)
