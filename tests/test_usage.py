"""Usage errors (usage.py): told in the language of the program the command line names, a folder
typed wrong named with the closest folder beside it; English stays click's own words."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from incentives.cli import main
from tests.builders import SAMPLE, line, make_inputs

RU_USAGE = "Использование: calc run [OPTIONS] INPUT_DIR\nСправка: calc run --help\n\n"
PERIOD_RU = ("период «2026Q5» — не квартал (2026Q3), не месяц (2026-09), не год (2026) и не дополнительный "
             "расчет последнего периода года (2026Q4-S1)")
PERIOD_EN = ("period '2026Q5' is not a quarter (2026Q3), a month (2026-09), a year (2026) or a supplement of the "
             "year's last period (2026Q4-S1)")


def calc(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="calc")


@pytest.fixture
def folders(tmp_path):
    """A Russian program's folder (the sample's) and an English one's, side by side."""
    shutil.copytree(SAMPLE, tmp_path / "ip-2026")
    make_inputs(tmp_path / "acme-2026", {"a.xlsx": [line("A", "2026-07-01", 100)]})
    return tmp_path


def test_a_usage_error_is_told_in_the_language_of_the_programs_folder(folders):
    result = calc("run", folders / "ip-2026", "--period", "2026Q5")
    assert result.exit_code == 2
    assert result.output == RU_USAGE + f"Ошибка: неверное значение --period: {PERIOD_RU}\n"


def test_in_english_a_usage_error_is_clicks_own(folders):
    result = calc("run", folders / "acme-2026", "--period", "2026Q5")
    assert result.exit_code == 2
    assert result.output == ("Usage: calc run [OPTIONS] INPUT_DIR\nTry 'calc run --help' for help.\n\n"
                             f"Error: Invalid value for '--period': {PERIOD_EN}\n")


def test_lang_chooses_whatever_the_folder_speaks(folders):
    assert calc("run", folders / "ip-2026", "--period", "2026Q5", "--lang", "en").output.endswith(
        f"Error: Invalid value for '--period': {PERIOD_EN}\n")
    result = calc("run", folders / "nowhere", "--period", "2026Q3", "--lang=ru")
    assert result.exit_code == 2
    assert result.output == RU_USAGE + f"Ошибка: неверное значение INPUT_DIR: папки {folders / 'nowhere'} нет\n"


def test_a_folder_typed_wrong_is_named_with_the_closest_and_told_in_its_language(folders):
    result = calc("run", folders / "ip-2062", "--period", "2026Q3")
    assert result.exit_code == 2
    assert result.output == RU_USAGE + (f"Ошибка: неверное значение INPUT_DIR: папки {folders / 'ip-2062'} нет; "
                                        f"может быть, {folders / 'ip-2026'}?\n")
    result = calc("run", folders / "acme-2062", "--period", "2026Q3")
    assert result.output.endswith(f"Error: Invalid value for 'INPUT_DIR': Directory '{folders / 'acme-2062'}' "
                                  f"does not exist. Did you mean '{folders / 'acme-2026'}'?\n")
    # nothing close: named alone, in English without --lang
    assert calc("run", folders / "zzz", "--period", "2026Q3").output.endswith(
        f"Error: Invalid value for 'INPUT_DIR': Directory '{folders / 'zzz'}' does not exist.\n")


def test_an_option_misspelt_missing_or_without_its_value_and_an_extra_argument(folders):
    ip = folders / "ip-2026"
    assert calc("run", ip, "--perod", "2026Q3").output == (
        RU_USAGE + "Ошибка: нет параметра --perod (может быть, --errors, --period)\n")
    assert calc("run", ip).output == RU_USAGE + "Ошибка: не указан параметр --period\n"
    assert calc("run", ip, "--period").output.endswith("Ошибка: после --period нужно значение\n")
    assert calc("run", ip, "extra", "--period", "2026Q3").output == RU_USAGE + "Ошибка: лишние аргументы: extra\n"
    assert calc("run", "--period", "2026Q3", "--lang", "ru").output == (
        RU_USAGE + "Ошибка: не указан аргумент INPUT_DIR\n")
    result = calc("rn", ip, "--period", "2026Q3")
    assert result.exit_code == 2
    assert result.output.endswith("Ошибка: нет команды rn (может быть, run)\n")


def test_a_run_folder_speaks_its_programs_language_to_calc_close(folders, tmp_path):
    out = tmp_path / "out"
    assert calc("run", folders / "ip-2026", "--period", "2026Q3", "--out", out).exit_code == 0
    result = calc("close", out, "--bogus")
    assert result.exit_code == 2
    assert result.output.endswith("Ошибка: нет параметра --bogus\n")


def test_the_groups_own_usage_errors_too(folders):
    result = calc("--bogus", "run", folders / "ip-2026")
    assert result.exit_code == 2
    assert result.output == ("Использование: calc [OPTIONS] COMMAND [ARGS]...\nСправка: calc --help\n\n"
                             "Ошибка: нет параметра --bogus\n")


def test_a_language_calc_does_not_speak(folders):
    assert calc("run", folders / "ip-2026", "--period", "2026Q3", "--lang", "kk").output.endswith(
        "Ошибка: неверное значение --lang: «kk» — не из: en, ru\n")
    assert calc("run", folders / "acme-2026", "--period", "2026Q3", "--lang", "kk").output.endswith(
        "Error: Invalid value for '--lang': 'kk' is not one of 'en', 'ru'.\n")  # click's own words
