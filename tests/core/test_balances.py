"""reconcile.py: the reader's counts (InputFile.rows and counted) against the classified lines,
per file and in total, and the excluded lines in a few words. Lines are a small frame built here;
each fault the check guards against (a line lost, duplicated, changed, moved) is fed to it."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentives.model import InputFile
from incentives.reconcile import Balance, balances, check, excluded_words

D = Decimal
BUG = "this is a bug in calc: please report it with the input file"


def lines(*rows) -> pl.DataFrame:
    """(id, file, currency, net_amount, base_amount, outcome) per line."""
    return pl.DataFrame([dict(invoice_id=i, file=f, currency=c, net_amount=None if n is None else D(str(n)),
                              base_amount=None if b is None else D(str(b)), outcome=o) for i, f, c, n, b, o in rows],
                        schema={"invoice_id": pl.String, "file": pl.String, "currency": pl.String,
                                "net_amount": pl.Decimal(38, 10), "base_amount": pl.Decimal(38, 10),
                                "outcome": pl.String}, orient="row")


# a.xlsx: A1 1,000 KZT included; A2 10 USD at 500 = 5,000 KZT included; A3 99 KZT of an unknown partner.
# b.xlsx: B1 -200 KZT excluded (product); B2 300 KZT included. c.xlsx: read, no line.
A1 = ("A1", "sales/a.xlsx", "KZT", 1000, 1000, "included")
A2 = ("A2", "sales/a.xlsx", "USD", 10, 5000, "included")
A3 = ("A3", "sales/a.xlsx", "KZT", 99, 99, "UNKNOWN_PARTNER")
B1 = ("B1", "sales/b.xlsx", "KZT", -200, -200, "PRODUCT_EXCLUDED")
B2 = ("B2", "sales/b.xlsx", "KZT", 300, 300, "included")
# what the reader counted: a 3 lines, 1,000 + 99 = 1,099 KZT and 10 USD; b 2 lines, -200 + 300 = 100 KZT
FILES = (InputFile("sales/b.xlsx", "b" * 64, 10, ("Sales",), 2, (("KZT", D(100)),)),
         InputFile("sales/c.xlsx", "c" * 64, 10, ("Sales",), 0, ()),
         InputFile("sales/a.xlsx", "a" * 64, 10, ("Sales",), 3, (("KZT", D(1099)), ("USD", D(10)))))


def summary(rows):
    return [(b.file, b.lines_read, b.amount_read, b.included_lines, b.included_amount, b.excluded_lines,
             b.excluded_amount, b.currencies, b.balanced) for b in rows]


def test_every_line_balances_per_file_in_path_order_then_the_total():
    rows = balances(lines(A1, A2, A3, B2, B1), FILES)
    assert summary(rows) == [
        # a: read 1,000 + 5,000 + 99 = 6,099 (base); included 6,000, excluded 99
        ("sales/a.xlsx", 3, D(6099), 2, D(6000), 1, D(99), (("KZT", D(1099), D(1099)), ("USD", D(10), D(10))), True),
        # b: 300 - 200 = 100; included 300, excluded -200 (a return counts with its sign)
        ("sales/b.xlsx", 2, D(100), 1, D(300), 1, D(-200), (("KZT", D(100), D(100)),), True),
        # c: nothing, and balanced
        ("sales/c.xlsx", 0, D(0), 0, D(0), 0, D(0), (), True),
        # total: 5 lines, 6,199; included 6,300, excluded 99 - 200 = -101; KZT 1,099 + 100 = 1,199
        ("(total)", 5, D(6199), 3, D(6300), 2, D(-101), (("KZT", D(1199), D(1199)), ("USD", D(10), D(10))), True)]
    assert check(rows) == []


def problems(frame, files=FILES):
    return [str(p) for p in check(balances(frame, files))]


def test_a_line_lost_fails_its_file_and_the_total():
    # B2 lost: b accounts 1 line (B1), -200 KZT against 100 read
    assert problems(lines(A1, A2, A3, B1)) == [
        "sales/b.xlsx: lines or amounts do not balance: read 2 lines, accounted 1 (included 0 / 0, excluded 1 / -200); "
        f"net_amount KZT read 100, accounted -200 ({BUG})",
        "(total): lines or amounts do not balance: read 5 lines, accounted 4 (included 2 / 6000, excluded 2 / -101); "
        f"net_amount KZT read 1199, accounted 899 ({BUG})"]


def test_a_line_duplicated_fails_its_file_and_the_total():
    # A1 twice: a accounts 4 lines, 1,000 + 1,000 + 99 = 2,099 KZT against 1,099
    assert problems(lines(A1, A1, A2, A3, B1, B2)) == [
        "sales/a.xlsx: lines or amounts do not balance: read 3 lines, accounted 4 (included 3 / 7000, excluded 1 / 99); "
        f"net_amount KZT read 1099, accounted 2099 ({BUG})",
        "(total): lines or amounts do not balance: read 5 lines, accounted 6 (included 4 / 7300, excluded 2 / -101); "
        f"net_amount KZT read 1199, accounted 2199 ({BUG})"]


def test_an_amount_changed_with_the_line_count_right_is_caught_by_its_currency():
    # A2's 10 USD became 10.01 USD: 3 lines as read, but USD 10 read, 10.01 accounted
    changed = ("A2", "sales/a.xlsx", "USD", "10.01", 5000, "included")
    assert problems(lines(A1, changed, A3, B1, B2)) == [
        "sales/a.xlsx: lines or amounts do not balance: read 3 lines, accounted 3 (included 2 / 6000, excluded 1 / 99); "
        f"net_amount USD read 10, accounted 10.01 ({BUG})",
        "(total): lines or amounts do not balance: read 5 lines, accounted 5 (included 3 / 6300, excluded 2 / -101); "
        f"net_amount USD read 10, accounted 10.01 ({BUG})"]


def test_a_currency_changed_shows_both_currencies_in_order():
    # A2's USD became EUR: EUR read 0, accounted 10; USD read 10, accounted 0
    changed = ("A2", "sales/a.xlsx", "EUR", 10, 5000, "included")
    rows = balances(lines(A1, changed, A3, B1, B2), FILES)
    assert rows[0].currencies == (("EUR", D(0), D(10)), ("KZT", D(1099), D(1099)), ("USD", D(10), D(0)))
    assert [str(p) for p in check(rows)][0].endswith(
        f"; net_amount EUR read 0, accounted 10; USD read 10, accounted 0 ({BUG})")


def test_a_line_moved_to_another_file_fails_both():
    # B2 labelled a.xlsx: a accounts 4 lines (1,399 KZT), b 1 (-200 KZT); the total still balances
    moved = ("B2", "sales/a.xlsx", "KZT", 300, 300, "included")
    rows = balances(lines(A1, A2, A3, B1, moved), FILES)
    assert [(b.file, b.balanced) for b in rows] == [("sales/a.xlsx", False), ("sales/b.xlsx", False),
                                                    ("sales/c.xlsx", True), ("(total)", True)]
    assert [str(p).split(" (included")[0] for p in check(rows)] == [
        "sales/a.xlsx: lines or amounts do not balance: read 3 lines, accounted 4",
        "sales/b.xlsx: lines or amounts do not balance: read 2 lines, accounted 1"]


def test_lines_of_a_file_the_reader_never_counted_come_after_the_counted_files():
    # Z1 of sales/z.xlsx (and Y1 of sales/d.xlsx), not among the files: each a row of 0 lines read
    z1 = ("Z1", "sales/z.xlsx", "KZT", 7, 7, "included")
    y1 = ("Y1", "sales/d.xlsx", "USD", 1, 500, "DUPLICATE")
    rows = balances(lines(A1, A2, A3, B1, B2, z1, y1), FILES)
    assert summary(rows)[3:] == [
        ("sales/d.xlsx", 0, D(500), 0, D(0), 1, D(500), (("USD", D(0), D(1)),), False),
        ("sales/z.xlsx", 0, D(7), 1, D(7), 0, D(0), (("KZT", D(0), D(7)),), False),
        # total: 7 lines accounted, 5 read; 6,199 + 7 + 500 = 6,706
        ("(total)", 5, D(6706), 4, D(6307), 3, D(399), (("KZT", D(1199), D(1206)), ("USD", D(10), D(11))), False)]
    assert [str(p).split(" (included")[0] for p in check(rows)] == [
        "sales/d.xlsx: lines or amounts do not balance: read 0 lines, accounted 1",
        "sales/z.xlsx: lines or amounts do not balance: read 0 lines, accounted 1",
        "(total): lines or amounts do not balance: read 5 lines, accounted 7"]


def test_a_file_the_reader_counted_lines_of_but_classification_has_none():
    # c.xlsx said 2 lines of 5 KZT; none reached classification
    files = (*FILES[:1], InputFile("sales/c.xlsx", "c" * 64, 10, ("Sales",), 2, (("KZT", D(5)),)), FILES[2])
    assert problems(lines(A1, A2, A3, B1, B2), files)[0] == (
        "sales/c.xlsx: lines or amounts do not balance: read 2 lines, accounted 0 (included 0 / 0, excluded 0 / 0); "
        f"net_amount KZT read 5, accounted 0 ({BUG})")


def test_a_balance_is_its_lines_its_base_amounts_and_each_currency():
    kzt = (("KZT", D(10), D(10)),)
    assert Balance("f", 2, D(10), 1, D(4), 1, D(6), kzt).balanced  # 2 = 1 + 1; 10 = 4 + 6
    assert not Balance("f", 2, D(10), 1, D(4), 0, D(6), kzt).balanced  # 1 line accounted
    assert not Balance("f", 2, D(10), 1, D(4), 1, D(5), kzt).balanced  # 9 accounted of 10
    assert not Balance("f", 2, D(10), 1, D(4), 1, D(6), (("KZT", D(10), D(11)),)).balanced
    assert not Balance("f", 2, D(10), 1, D(4), 1, D(6), (("KZT", D(10), D(10)), ("USD", D(1), D(0)))).balanced
    # the base amounts alone differ: no net_amount part in the message
    assert [str(p) for p in check((Balance("f", 2, D(10), 1, D(4), 1, D(5), kzt),))] == [
        f"f: lines or amounts do not balance: read 2 lines, accounted 2 (included 1 / 4, excluded 1 / 5) ({BUG})"]


def test_excluded_words_name_the_reasons_in_the_contracts_order():
    assert excluded_words(lines(A1, A2, B2), "KZT") == ""  # every line included
    # frame order PRODUCT_EXCLUDED, OUT_OF_PERIOD, UNKNOWN_PARTNER x2; the contract's: UNKNOWN_PARTNER, OUT_OF_PERIOD,
    # PRODUCT_EXCLUDED (not alphabetical). 4 lines: -200 + 1,234.5 + 99 + 1 = 1,134.50
    frame = lines(B1, ("O1", "sales/a.xlsx", "KZT", 1234.5, 1234.5, "OUT_OF_PERIOD"), A3,
                  ("A4", "sales/a.xlsx", "KZT", 1, 1, "UNKNOWN_PARTNER"), A1)
    assert excluded_words(frame, "KZT") == \
        "4 lines, 1,134.50 KZT excluded: UNKNOWN_PARTNER 2, OUT_OF_PERIOD 1, PRODUCT_EXCLUDED 1"
    assert excluded_words(lines(A1, B1), "USD") == "1 line, -200.00 USD excluded: PRODUCT_EXCLUDED 1"


def test_excluded_words_count_in_thousands_and_an_unconverted_amount_as_zero():
    many = lines(*[(f"D{i}", "sales/a.xlsx", "KZT", 1, 1, "DUPLICATE") for i in range(1000)],
                 ("N1", "sales/a.xlsx", "XXX", 5, None, "NOT_REGISTERED"))
    assert excluded_words(many, "KZT") == "1,001 lines, 1,000.00 KZT excluded: DUPLICATE 1,000, NOT_REGISTERED 1"
    assert excluded_words(lines(("N1", "sales/a.xlsx", "XXX", 5, None, "NOT_REGISTERED")), "KZT") == \
        "1 line, 0.00 KZT excluded: NOT_REGISTERED 1"
