"""Messages in the reader's language (issue 18): the catalogues agree, the code says only what
they hold, and a finance user of a Russian program reads Russian in the terminal and in the
--errors workbook, unless --lang says otherwise."""

from __future__ import annotations

import ast
import shutil
from decimal import Decimal
from pathlib import Path
from string import Formatter

import openpyxl
import pytest
from click.testing import CliRunner

from incentives import words
from incentives.cli import main
from incentives.problems import Source, error, said, told
from tests.builders import SAMPLE

PACKAGE = Path(__file__).parent.parent / "incentives"
SALES_A, SALES_B = "sales/2026-03_alatau.xlsx", "sales/2026-03_tengri.xlsx"


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


# ---------------------------------------------------------------- the catalogues


@pytest.mark.parametrize("language", words.LANGUAGES)
def test_every_language_has_every_message_with_the_same_placeholders(language):
    english, said = words.MESSAGES["en"], words.MESSAGES[language]
    assert sorted(set(english) - set(said)) == [] and sorted(set(said) - set(english)) == []
    assert [k for k in english if fields(said[k]) != fields(english[k])] == []


def test_a_placeholder_a_template_does_not_name_is_caught():
    # the check above, fed the fault it guards against: a Russian template that drops {column}
    assert fields("нет обязательного столбца; найдены столбцы: {found}") != fields(
        words.MESSAGES["en"]["table.column_missing"])


# Every module of the package: each says its messages as catalogue keys. (Text no catalogue
# holds would still be shown as it is, in English, in every language: `words.say`.)
MODULES = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py"))
# name -> position of the key: problems, phrases, cell errors, refusals, and the terminal's lines (cli.Say)
SAYERS = {"error": 1, "note": 1, "said": 0, "BadValue": 0, "_refuse": 1, "say": 0, "echo": 0}


def _keys(node) -> list[str] | None:
    """The message keys an argument can be: a constant, or either side of a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, other = _keys(node.body), _keys(node.orelse)
        return body + other if body is not None and other is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant):  # said("kind.what:" + kind.value)
        return [k for k in words.MESSAGES["en"] if k.startswith(node.left.value)] or [node.left.value]
    return None


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            owner = getattr(getattr(node.func, "value", None), "id", None)  # words.say, say.echo
            if name == "say" and owner not in (None, "words") or name == "echo" and owner != "say":
                continue  # classify's line words (ctx.say), click.echo
            if name in SAYERS and len(node.args) > SAYERS[name]:
                yield node, name


def _wrong(path: Path, module: str) -> list[str]:
    """Each call of `path` that names a key no catalogue has, or leaves out a value its message
    (or its hint) needs."""
    english = words.MESSAGES["en"]
    wrong = []
    for call, name in _calls(path):
        position = SAYERS[name]
        keys = _keys(call.args[position])
        if keys is None:  # a key passed on by a helper (`_refuse(rel, key, ...)`): checked where it is written
            continue
        given = {k.arg for k in call.keywords if k.arg not in (None, "hint", "err")}
        if name == "say" and len(call.args) > 1:  # words.say(key, values, language): values a mapping
            given = None
        hints = ([] if name in ("say", "echo") else [a for a in call.args[position + 1:position + 2]]) + [
            k.value for k in call.keywords if k.arg == "hint"]
        hint_keys = [h for node in hints for h in (_keys(node) or [])]
        for key in keys:
            if key not in english:
                wrong.append(f"{module}:{call.lineno}: {key!r} is not a message of the catalogues")
                continue
            asked = fields(english[key]) | fields(english.get(key + "/hint", ""))
            for hint in hint_keys:
                if hint not in english:
                    wrong.append(f"{module}:{call.lineno}: hint {hint!r} is not a message of the catalogues")
                elif not (name in ("said", "BadValue") and hint.endswith("/hint") and key + "/hint" != hint):
                    asked |= fields(english[hint])
            if given is None or any(k.arg is None for k in call.keywords):  # **values: the names are the caller's
                continue
            if missing := asked - given:
                wrong.append(f"{module}:{call.lineno}: {key!r} needs {sorted(missing)}")
    return wrong


@pytest.mark.parametrize("module", MODULES)
def test_every_message_the_code_says_is_in_the_catalogues_with_its_values(module):
    assert _wrong(PACKAGE / module, module) == []


def test_the_check_of_the_code_catches_a_key_no_catalogue_has_and_a_missing_value(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('error(Source("a"), "table.no_such_key")\n'
                   'error(Source("a"), "table.cell", column="x")\n'
                   'error(Source("a"), "table.cell", column="x", value="3 000 тг", why=said("value.not_a_number"))\n'
                   'error(Source("a"), "is some English", "hint.nowhere")\n')
    assert _wrong(bad, "bad.py") == [
        "bad.py:1: 'table.no_such_key' is not a message of the catalogues",
        "bad.py:2: 'table.cell' needs ['value', 'why']",
        "bad.py:4: 'is some English' is not a message of the catalogues"]


# ---------------------------------------------------------------- rendering


def test_a_problem_is_told_in_each_language_with_its_numbers_and_dates_as_that_language_writes_them():
    import datetime as dt
    from decimal import Decimal

    p = error(Source("fx_rates.xlsx", "Rates", 7), "validate.fx_twice", currency="USD", month="2026-03",
              rate=Decimal("1234.5"), first=Decimal("1987400.00"), row=4)
    assert str(p) == ("fx_rates.xlsx:Rates row 7: a second rate for USD 2026-03: 1234.5 (first 1987400.00 at row 4) "
                      "(keep one rate per currency and month)")
    # Russian: babel's groups and comma (a no-break space groups thousands), «строка» for a row
    assert p.text("ru") == ("fx_rates.xlsx:Rates, строка 7: второй курс для USD 2026-03: 1\xa0234,5 (первый "
                            "1\xa0987\xa0400,00 в строке 4) (оставьте один курс на валюту и месяц)")
    day = error(Source("partners.xlsx", "Partners", 3), "validate.renewed_before", renewed=dt.date(2026, 1, 31),
                pid="P1", registered=dt.date(2026, 3, 1))
    assert day.message == "renewed_on 2026-01-31 of P1 is before its registered_on 2026-03-01"
    assert day.said.text("ru") == "renewed_on 31.01.2026 партнера P1 раньше его registered_on 01.03.2026"


def test_a_column_of_bad_cells_is_one_line_in_each_language():
    cells = [error(Source("sales/a.xlsx", "Sales", row, 10), "table.cell", "value.not_a_number/hint",
                   column="net_amount", value=text, why=words_said("value.not_a_number"))
             for row, text in ((2, "3 000 тг"), (3, "5 000 тг"), (4, "7 тг"))]
    ((_, en),) = told(cells)
    assert en == ('sales/a.xlsx:Sales!K2:K4: 3 cells: net_amount "…" is not a number, e.g. "3 000 тг" at K2 '
                  "(expected a number such as 1200000.00 or 1 200 000,00, without currency signs or words)")
    ((_, ru),) = told(cells, language="ru")
    assert ru == ("sales/a.xlsx:Sales!K2:K4: 3 яч.: net_amount «…» — не число, например «3 000 тг» в K2 "
                  "(ожидается число, например 1200000.00 или 1 200 000,00, без знака валюты и слов)")
    # two cells are told one by one
    assert [t for _, t in told(cells[:2], language="ru")] == [
        "sales/a.xlsx:Sales!K2: net_amount «3 000 тг» — не число (ожидается число, например 1200000.00 или "
        "1 200 000,00, без знака валюты и слов)",
        "sales/a.xlsx:Sales!K3: net_amount «5 000 тг» — не число (ожидается число, например 1200000.00 или "
        "1 200 000,00, без знака валюты и слов)"]


def words_said(key: str, **values):
    from incentives.problems import said
    return said(key, **values)


def test_text_no_catalogue_holds_is_shown_as_it_is():
    # code not yet translated (or another branch's new message) still reads, in English
    p = error(Source("a.xlsx"), "is something new", "do this")
    assert (p.text("ru"), str(p)) == ("a.xlsx: is something new (do this)",) * 2


# ---------------------------------------------------------------- what the user sees


@pytest.fixture
def broken(tmp_path) -> Path:
    """The sample (a Russian program: language ru) with what a finance user sends: four amounts
    typed as text with the tenge sign, a sales workbook whose amount column is retitled, and
    Excel's lock file beside a workbook left open."""
    folder = tmp_path / "входные"
    shutil.copytree(SAMPLE, folder)
    def amounts(rel: str):
        book = openpyxl.load_workbook(folder / rel)
        sheet = book.worksheets[0]
        header = next(r for r in range(1, 20) if any(c.value in ("net_amount", "Сумма без НДС") for c in sheet[r]))
        return book, sheet, header, next(c for c in sheet[header] if c.value in ("net_amount", "Сумма без НДС"))

    book, sheet, header, cell = amounts(SALES_A)  # Russian headers on row 3, under a title
    for row in range(header + 1, header + 5):
        sheet.cell(row, cell.column, "3 000 тг")
    book.save(folder / SALES_A)
    book, sheet, header, cell = amounts(SALES_B)  # English headers on row 1
    cell.value = "Сума без НДС"  # a typo: did-you-mean
    book.save(folder / SALES_B)
    (folder / "sales" / "~$2026-03_alatau.xlsx").write_bytes(b"\x00" * 165)
    return folder


def _invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_validate_speaks_the_programs_language(broken):
    result = _invoke("validate", broken)
    assert result.exit_code == 1
    out = result.output
    assert "замечание: sales/~$2026-03_alatau.xlsx: файл блокировки Excel: 2026-03_alatau.xlsx открыт в Excel" in out
    assert "4 яч.: net_amount (Сумма без НДС) «…» — не число, например «3 000 тг» в " in out
    assert (f"ошибка: {SALES_B}:Sales, строка " in out and "нет обязательного столбца «net_amount»" in out
            and "возможно, имелся в виду «Сума без НДС»? переименуйте его в «Сумма без НДС» (или «net_amount»)" in out)
    # four cells and a missing column; the README's note, the retitled column's, the lock file's
    assert "ошибок: 5, замечаний: 3" in out
    assert "error" not in out and "note:" not in out


def test_lang_en_overrides_the_program(broken):
    result = _invoke("validate", broken, "--lang", "en")
    assert result.exit_code == 1
    out = result.output
    assert "note: sales/~$2026-03_alatau.xlsx: Excel lock file: 2026-03_alatau.xlsx is open in Excel" in out
    assert '4 cells: net_amount "…" is not a number, e.g. "3 000 тг" at ' in out
    assert "did you mean «Сума без НДС»? rename it 'net_amount' (or 'Сумма без НДС')" in out
    assert "5 error(s), 3 note(s)" in out and "ошибка" not in out


def test_run_tells_its_problems_and_refusal_in_russian(broken, tmp_path):
    result = _invoke("run", broken, "--period", "2026Q3", "--out", tmp_path / "out", "--register",
                     tmp_path / "register.sqlite")
    assert result.exit_code == 1
    assert "ошибок: 5, замечаний: 3" in result.output and "ничего не записано" in result.output
    assert not (tmp_path / "out").exists()


def test_the_errors_workbook_is_in_the_chosen_language(broken, tmp_path):
    _invoke("validate", broken, "--errors", tmp_path / "ru.xlsx")
    _invoke("validate", broken, "--errors", tmp_path / "en.xlsx", "--lang", "en")
    ru = list(openpyxl.load_workbook(tmp_path / "ru.xlsx").worksheets[0].values)
    en = list(openpyxl.load_workbook(tmp_path / "en.xlsx").worksheets[0].values)
    assert ru[0] == ("вид", "файл", "лист", "ячейка", "строка", "столбец", "сообщение", "что сделать")
    assert en[0] == ("severity", "file", "sheet", "cell", "row", "column", "message", "hint")
    assert len(ru) == len(en) == 1 + 4 + 1 + 3  # every cell its own row, the missing column, three notes
    lock = [r for r in ru if r[1] == "sales/~$2026-03_alatau.xlsx"]
    assert lock[0][0] == "замечание" and lock[0][6].startswith("файл блокировки Excel")
    cells = [r for r in ru if r[1] == SALES_A]
    assert {r[6] for r in cells} == {"net_amount (Сумма без НДС) «3 000 тг» — не число"}


def test_a_clean_run_closes_in_russian(tmp_path):
    result = _invoke("run", SAMPLE, "--period", "2026Q3", "--out", tmp_path / "out", "--register",
                     tmp_path / "register.sqlite")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "intelligent-platforms 2026Q3: партнеров " in out and "всего к выплате " in out
    assert "ранее начислено: пересчитано по этим же данным" in out
    assert "; проверьте папку, затем отметьте ее как выплаченную: calc close " in out
    english = _invoke("run", SAMPLE, "--period", "2026Q3", "--out", tmp_path / "out2", "--register",
                      tmp_path / "register.sqlite", "--lang", "en").output
    assert "total payable " in english and "previously settled: recomputed from these inputs" in english


def test_close_and_register_speak_the_runs_program_unless_told(tmp_path):
    register = tmp_path / "register.sqlite"
    ran = _invoke("run", SAMPLE, "--period", "2026Q1", "--out", tmp_path / "q1", "--register", register)
    assert ran.exit_code == 0, ran.output
    closed = _invoke("close", tmp_path / "q1", "--register", register)  # the run's audit: language ru
    assert closed.exit_code == 0, closed.output
    assert "закрыт intelligent-platforms 2026Q1: партнеров " in closed.output
    assert "платежи для бухгалтерии: " in closed.output and " балла" in closed.output
    assert "далее: calc run INPUT_DIR --period 2026Q2" in closed.output
    again = _invoke("close", tmp_path / "q1", "--register", register, "--lang", "en")
    assert "is already closed: intelligent-platforms 2026Q1" in again.output
    listed = _invoke("register", "--register", register, "--lang", "ru")
    assert "закрытых периодов: 1" in listed.output and "всего к выплате" in listed.output


def test_an_internal_error_is_told_in_the_programs_language_without_a_traceback(monkeypatch):
    from incentives import pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(pipeline, "check", broken)
    monkeypatch.delenv("CALC_DEBUG", raising=False)
    result = _invoke("validate", SAMPLE)
    assert result.exit_code == 3
    assert result.output == ("calc: внутренняя ошибка: RuntimeError: boom (подробности покажет CALC_DEBUG=1; "
                             "пожалуйста, сообщите о ней)\n")
    english = _invoke("validate", SAMPLE, "--lang", "en")
    assert english.output.startswith("calc: internal error: RuntimeError: boom (set CALC_DEBUG=1")


def test_counts_lists_and_names_in_a_message_are_written_the_languages_way():
    from incentives.words import Joined, Number, Quoted

    # 4,000,000,000 texts in 1,234 bytes: groups of three, a no-break space in Russian
    assert (Number(4_000_000_000).text("en"), Number(4_000_000_000).text("ru")) == ("4,000,000,000",
                                                                                    "4\xa0000\xa0000\xa0000")
    assert Number(Decimal("1.25"), 1).text("ru") == "1,2"  # 1.25 to one decimal, half-even: 1.2
    assert (Quoted(("Sales", "Лист1")).text("en"), Quoted(("Sales", "Лист1")).text("ru")) == (
        "'Sales', 'Лист1'", "«Sales», «Лист1»")
    assert (Quoted(()).text("ru"), Joined(()).text("en")) == ("нет", "none")
    kinds = Joined((said("validate.by:quarter"), said("validate.by:month")), said("and"))
    assert (kinds.text("en"), kinds.text("ru")) == ("quarter and month", "кварталам и месяцам")
