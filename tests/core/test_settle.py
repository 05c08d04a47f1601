"""settle and bonuses: a partner's bases, entitlement, what earlier periods settled, the accrual,
and best-partner awards, each figure worked out beside it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from incentives.bonuses import Award, award, due, split, supplement_notes
from incentives.convert import to_base
from incentives.earlier import settled_and_carried
from incentives.periods import parse_period
from incentives.pipeline import compute
from incentives.settle import Origin
from tests.inline import bonus, inputs, partner, program, rows, sale, settled

D = Decimal

# The contract's worked case: 1,200,000 in Q1, 1,500,000 in Q2, 800,000 in Q3; bands 0 -> 2%, 3,000,000 -> 4%.
WORKED = [sale("Q1", "2026-02-10", 1200000), sale("Q2", "2026-05-10", 1500000), sale("Q3", "2026-08-10", 800000)]


@pytest.mark.parametrize("period, method, period_base, ytd_base, entitlement, settled_before", [
    # Q1: 1,200,000 x 2% = 24,000; nothing settled before the year's first period
    ("2026Q1", "all_units", "1200000", "1200000", "24000.00", "0"),
    # Q2: 2,700,000 x 2% = 54,000; Q1 settled 24,000
    ("2026Q2", "all_units", "1500000", "2700000", "54000.00", "24000.00"),
    # Q3: 3,500,000 x 4% = 140,000; Q1 and Q2 settled 2,700,000 x 2% = 54,000
    ("2026Q3", "all_units", "800000", "3500000", "140000.00", "54000.00"),
    # Q4: no line; the year so far settled 140,000
    ("2026Q4", "all_units", "0", "3500000", "140000.00", "140000.00"),
    # incremental Q3: 3,000,000 x 2% + 500,000 x 4% = 80,000
    ("2026Q3", "incremental", "800000", "3500000", "80000.00", "54000.00"),
], ids=["Q1", "Q2", "Q3", "Q4", "Q3-incremental"])
def test_worked_case(period, method, period_base, ytd_base, entitlement, settled_before):
    row = rows(settled(inputs(WORKED, program_=program(tier_method=method)), period))["P1"]
    assert (row.totals.period_base, row.totals.ytd_base) == (D(period_base), D(ytd_base))
    assert (row.entitlement.amount, row.previously_settled) == (D(entitlement), D(settled_before))
    assert row.accrual == D(entitlement) - D(settled_before)
    assert row.total_payable == row.accrual  # no bonus
    assert (row.totals.included_lines, row.totals.excluded_lines, row.totals.excluded_amount) == (
        {"2026Q1": 1, "2026Q2": 2}.get(period, 3), {"2026Q1": 2, "2026Q2": 1}.get(period, 0), 
        {"2026Q1": D(2300000), "2026Q2": D(800000)}.get(period, D(0)))


def test_monthly_previously_settled_is_the_month_before():
    # 2026-08 of a monthly program: July settled 1,000 x 2% = 20 (June's 500 too: 1,500 x 2% = 30)
    lines = [sale("JUN", "2026-06-30", 500), sale("JUL", "2026-07-31", 1000), sale("AUG", "2026-08-01", 2000)]
    row = rows(settled(inputs(lines, program_=program(period="month")), "2026-08"))["P1"]
    assert (row.totals.period_base, row.totals.ytd_base) == (D(2000), D(3500))
    assert (row.entitlement.amount, row.previously_settled, row.accrual) == (D("70.00"), D("30.00"), D("40.00"))


def test_period_base_counts_the_periods_first_and_last_day():
    lines = [sale("BEFORE", "2026-06-30", 1), sale("FIRST", "2026-07-01", 10), sale("LAST", "2026-09-30", 100),
             sale("AFTER", "2026-10-01", 1000)]
    row = rows(settled(inputs(lines), "2026Q3"))["P1"]
    # period: 10 + 100; year to date: 1 + 10 + 100; the October line is out of period
    assert (row.totals.period_base, row.totals.ytd_base, row.totals.quarter_base) == (D(110), D(111), D(110))
    assert (row.totals.included_lines, row.totals.excluded_lines, row.totals.excluded_amount) == (3, 1, D(1000))


def test_excluded_lines_and_amounts_count_returns_too():
    lines = [sale("A", "2026-07-01", 500), sale("B", "2026-07-02", 300, product_sku="DEMO"),
             sale("C", "2026-07-03", -100, product_sku="DEMO"), sale("D", "2026-07-04", -50)]
    row = rows(settled(inputs(lines, program_=program(exclusions=[("product_sku", "DEMO")])), "2026Q3"))["P1"]
    # included 500 - 50 = 450; excluded 300 - 100 = 200
    assert (row.totals.ytd_base, row.totals.included_lines) == (D(450), 2)
    assert (row.totals.excluded_lines, row.totals.excluded_amount) == (2, D(200))


def test_settled_given_by_an_earlier_run_replaces_the_recomputation():
    # From --ledger: P1 was paid 50,000 (not the recomputed 54,000); P2 has no row: it settled 0.
    given = inputs([*WORKED, sale("B", "2026-08-01", 1000, pid="P2")], [partner("P2"), partner("P1")])
    settlement = settled(given, "2026Q3", {"P1": D("50000.00")})
    ledger = rows(settlement)
    assert [r.partner.partner_id for r in settlement.rows] == ["P1", "P2"]  # partner_id order
    assert (ledger["P1"].previously_settled, ledger["P1"].accrual) == (D("50000.00"), D("90000.00"))  # 140,000 - 50,000
    assert (ledger["P2"].previously_settled, ledger["P2"].accrual) == (D(0), D("20.00"))  # 1,000 x 2%


def test_the_settlement_says_its_period_awards_and_where_settlements_came_from():
    given = inputs(WORKED, program_=program(bonuses=[bonus(period="quarter", amount="5")]))
    recomputed = settled(given, "2026Q3")
    assert (recomputed.period, recomputed.settled_from) == (parse_period("2026Q3"), Origin())
    assert recomputed.settled_from.how == "recomputed"
    assert recomputed.awards == (Award("Best", "all", 1, "P1", D("800000.00"), 1, D("5.00")),)
    ledger = Origin("ledger", ledger="2026Q2-run", ledger_sha256="ab" * 32)
    from_run = compute(given, parse_period("2026Q3"), {"P1": D(0)}, ledger)
    assert from_run.settled_from == ledger


def test_a_partner_without_lines_has_a_row_of_zeros():
    row = rows(settled(inputs(WORKED, [partner("P1"), partner("P2")]), "2026Q3"))["P2"]
    assert (row.totals.ytd_base, row.totals.included_lines, row.totals.excluded_lines) == (D(0), 0, 0)
    assert (row.entitlement.amount, row.previously_settled, row.accrual, row.bonus) == (D(0), D(0), D(0), D(0))


def test_clawback_when_returns_push_below_the_band():
    lines = [sale("A", "2026-04-10", 3500000), sale("CN", "2026-08-10", -1000000)]
    row = rows(settled(inputs(lines), "2026Q3"))["P1"]
    # Q2 settled 3,500,000 x 4% = 140,000; Q3 entitles 2,500,000 x 2% = 50,000: -90,000
    assert (row.previously_settled, row.entitlement.amount, row.accrual) == (D("140000.00"), D("50000.00"),
                                                                            D("-90000.00"))


# ---------------------------------------------------------------- bonuses, through settle

GOLD = program(tiers=[("Primary", 1), ("Gold", 2)])


def test_a_quarterly_bonus_in_a_monthly_program_ranks_the_quarters_base():
    # 2026-09: A bought 900 in July and 100 in September (quarter 1,000, month 100); B 500 in September and
    # 10,000 in June (quarter 500, year 10,500). On the quarter's base A wins.
    lines = [sale("A1", "2026-07-15", 900, pid="A"), sale("A2", "2026-09-15", 100, pid="A"),
             sale("B1", "2026-09-15", 500, pid="B"), sale("B0", "2026-06-15", 10000, pid="B")]
    monthly = program(period="month", bonuses=[bonus(period="quarter", amount="1000")])
    ledger = rows(settled(inputs(lines, [partner("A"), partner("B")], monthly), "2026-09"))
    assert (ledger["A"].totals.quarter_base, ledger["A"].totals.period_base) == (D(1000), D(100))
    assert (ledger["A"].bonus, ledger["B"].bonus) == (D(1000), D(0))
    # A: 1,000 x 2% = 20, July settled 900 x 2% = 18: accrual 2 + bonus 1,000
    assert (ledger["A"].accrual, ledger["A"].total_payable) == (D("2.00"), D("1002.00"))


@pytest.mark.parametrize("period, paid", [("2026-07", False), ("2026-08", False), ("2026-09", True),
                                          ("2026-12", True)], ids=["Jul", "Aug", "Sep", "Dec"])
def test_a_quarterly_bonus_is_paid_in_the_quarters_last_month_only(period, paid):
    lines = [sale("A", "2026-07-15", 900), sale("B", "2026-10-15", 900)]
    monthly = program(period="month", bonuses=[bonus(period="quarter", amount="1000")])
    assert rows(settled(inputs(lines, program_=monthly), period))["P1"].bonus == (D(1000) if paid else D(0))


@pytest.mark.parametrize("period, paid", [("2026Q3", False), ("2026Q4", True)], ids=["Q3", "Q4"])
def test_a_yearly_bonus_is_paid_in_the_years_last_period_on_the_years_base(period, paid):
    # A: 5,000 in Q1; B: 3,000 in Q4. On the year's base A wins, on Q4's B would.
    lines = [sale("A", "2026-02-01", 5000, pid="A"), sale("B", "2026-10-01", 3000, pid="B")]
    yearly = program(bonuses=[bonus(period="year", amount="700")])
    ledger = rows(settled(inputs(lines, [partner("A"), partner("B")], yearly), period))
    assert (ledger["A"].bonus, ledger["B"].bonus) == ((D(700) if paid else D(0)), D(0))


def test_a_quarterly_bonus_ranks_the_quarter_not_the_year():
    # Q3: A bought 5,000 in Q1 and 100 in Q3; B 200 in Q3: B wins the quarter.
    lines = [sale("A0", "2026-02-01", 5000, pid="A"), sale("A", "2026-08-01", 100, pid="A"),
             sale("B", "2026-08-01", 200, pid="B")]
    quarterly = program(bonuses=[bonus(period="quarter", amount="300")])
    ledger = rows(settled(inputs(lines, [partner("A"), partner("B")], quarterly), "2026Q3"))
    assert (ledger["A"].bonus, ledger["B"].bonus) == (D(0), D(300))


def test_two_bonuses_add_up_and_excluded_lines_do_not_rank():
    # A: 1,000 included (and 9,000 of an excluded product); B: 2,000. Quarterly 100 to the best of each
    # tier; yearly (Q4) 50 to the best of all.
    lines = [sale("A", "2026-10-01", 1000, pid="A"), sale("AX", "2026-10-01", 9000, pid="A", product_sku="DEMO"),
             sale("B", "2026-10-01", 2000, pid="B")]
    both = program(tiers=[("Primary", 1), ("Gold", 2)], exclusions=[("product_sku", "DEMO")],
                   bonuses=[bonus("Tier best", scope="tier", period="quarter", amount="100"),
                            bonus("Year best", period="year", amount="50")])
    ledger = rows(settled(inputs(lines, [partner("A"), partner("B", tier="Gold")], both), "2026Q4"))
    assert (ledger["A"].bonus, ledger["B"].bonus) == (D(100), D(150))
    # B: 2,000 x 2% = 40 + 150
    assert ledger["B"].total_payable == D("190.00")


# ---------------------------------------------------------------- bonuses.award alone

PARTNERS = tuple(partner(pid, tier=tier, country=country) for pid, tier, country in [
    ("P1", "Primary", "KZ"), ("P2", "Primary", "KZ"), ("P3", "Gold", "KZ"), ("P4", "Gold", "UZ"), ("P5", "Primary", "UZ")])
Q3 = parse_period("2026Q3")
Q4 = parse_period("2026Q4")


def awarded(b, bases: dict[str, str], period=Q4, rounding="half_up") -> list[tuple]:
    got = award((b,), PARTNERS, {(b.period, pid): D(base) for pid, base in bases.items()}, period, rounding)
    return [(a.group, a.rank, a.partner_id, a.tied, str(a.amount)) for a in got]


@pytest.mark.parametrize("winners, bases, expected", [
    # P1 and P2 tie first: they span positions 1 and 2, so they share two awards: 2,000 / 2 each
    (2, {"P1": "500", "P2": "500", "P3": "400"},
     [("all", 1, "P1", 2, "1000.00"), ("all", 1, "P2", 2, "1000.00")]),
    # ... and P3 is third, with three winners: its own position
    (3, {"P1": "500", "P2": "500", "P3": "400", "P4": "300"},
     [("all", 1, "P1", 2, "1000.00"), ("all", 1, "P2", 2, "1000.00"), ("all", 3, "P3", 1, "1000.00")]),
    # a tie across the last place: P2 and P3 share the one award of position 2
    (2, {"P1": "600", "P2": "500", "P3": "500"},
     [("all", 1, "P1", 1, "1000.00"), ("all", 2, "P2", 2, "500.00"), ("all", 2, "P3", 2, "500.00")]),
    # three tied for one award: 1,000 / 3 = 333.33 each and the odd cent to the lowest partner_id
    (1, {"P3": "500", "P1": "500", "P2": "500"},
     [("all", 1, "P1", 3, "333.34"), ("all", 1, "P2", 3, "333.33"), ("all", 1, "P3", 3, "333.33")]),
    # more winners than candidates
    (5, {"P2": "1"}, [("all", 1, "P2", 1, "1000.00")]),
], ids=["tie-spans-two-positions", "third-after-a-tie", "tie-across-the-last-place", "odd-cent", "few-candidates"])
def test_fixed_awards_and_ties(winners, bases, expected):
    assert awarded(bonus(winners=winners, amount="1000"), bases) == expected


def test_award_rate_is_a_fraction_of_the_winners_base():
    # 1% of 1,234,567.89 = 12,345.6789 -> 12,345.68; the second: 1% of 1,000.50 = 10.005 -> 10.01 (half up)
    b = bonus(winners=2, award="rate", amount="0.01")
    assert awarded(b, {"P1": "1234567.89", "P2": "1000.50", "P3": "7"}) == [
        ("all", 1, "P1", 1, "12345.68"), ("all", 2, "P2", 1, "10.01")]
    assert awarded(b, {"P2": "1000.50"}, rounding="half_even") == [("all", 1, "P2", 1, "10.00")]  # 10.005 -> even


def test_award_rate_tied_shares_the_places_spanned():
    # P1, P2 tie at 1,000.50 for two places: 2 x 10.005 = 20.01 -> 10.01 to P1, 10.00 to P2
    b = bonus(winners=2, award="rate", amount="0.01")
    assert awarded(b, {"P1": "1000.50", "P2": "1000.50"}) == [("all", 1, "P1", 2, "10.01"), ("all", 1, "P2", 2, "10.00")]


@pytest.mark.parametrize("bases, expected", [
    ({"P1": "1000", "P2": "999"}, []),                                  # at min_base is not over it
    ({"P1": "1000", "P2": "1000.01"}, [("all", 1, "P2", 1, "1000.00")]),
], ids=["at-min-base", "a-cent-over"])
def test_a_winner_must_be_over_min_base(bases, expected):
    assert awarded(bonus(min_base="1000"), bases) == expected


@pytest.mark.parametrize("scope, expected", [
    ("country", [("KZ", 1, "P3", 1, "1000.00"), ("UZ", 1, "P4", 1, "1000.00")]),
    ("tier", [("Gold", 1, "P4", 1, "1000.00"), ("Primary", 1, "P1", 1, "1000.00")]),
    ("country+tier", [("KZ / Gold", 1, "P3", 1, "1000.00"), ("KZ / Primary", 1, "P1", 1, "1000.00"),
                      ("UZ / Gold", 1, "P4", 1, "1000.00"), ("UZ / Primary", 1, "P5", 1, "1000.00")]),
    ("all", [("all", 1, "P4", 1, "1000.00")]),
], ids=["country", "tier", "country+tier", "all"])
def test_scope_groups(scope, expected):
    bases = {"P1": "300", "P2": "200", "P3": "400", "P4": "900", "P5": "100"}
    assert awarded(bonus(scope=scope), bases) == expected


def test_award_records_the_base_it_ranked():
    [a] = award((bonus(),), PARTNERS, {("year", "P2"): D("123.45")}, Q4, "half_up")
    assert a == Award("Best", "all", 1, "P2", D("123.45"), 1, D("1000.00"))


def test_nothing_is_awarded_when_not_due():
    assert awarded(bonus(period="year"), {"P1": "500"}, period=Q3) == []


def test_a_bonus_not_due_leaves_the_next_one_awarded():
    yearly, quarterly = bonus("Year", period="year"), bonus("Quarter", period="quarter", amount="10")
    got = award((yearly, quarterly), PARTNERS, {("year", "P1"): D(500), ("quarter", "P1"): D(100)}, Q3, "half_up")
    assert [(a.bonus, a.partner_id, a.amount) for a in got] == [("Quarter", "P1", D("10.00"))]


@pytest.mark.parametrize("bonus_period, period, is_due", [
    ("year", "2026Q3", False), ("year", "2026Q4", True), ("year", "2026-11", False), ("year", "2026-12", True),
    ("year", "2026", True), ("quarter", "2026Q1", True), ("quarter", "2026-05", False), ("quarter", "2026-06", True),
], ids=["year-Q3", "year-Q4", "year-Nov", "year-Dec", "year-year", "quarter-Q1", "quarter-May", "quarter-Jun"])
def test_due(bonus_period, period, is_due):
    assert due(bonus(period=bonus_period), parse_period(period)) is is_due


@pytest.mark.parametrize("pool, ids, shares", [
    ("100.00", ["B", "A", "C"], {"A": "33.34", "B": "33.33", "C": "33.33"}),
    ("0.05", ["B", "A", "C"], {"A": "0.02", "B": "0.02", "C": "0.01"}),   # 1 each and 2 odd cents
    # -0.02 each (toward zero), the odd -0.01 to the lowest id: -0.03 + -0.02 = -0.05, no cent lost
    ("-0.05", ["A", "B"], {"A": "-0.03", "B": "-0.02"}),
    ("7.00", ["A"], {"A": "7.00"}),
], ids=["one-odd-cent", "two-odd-cents", "negative", "alone"])
def test_split(pool, ids, shares):
    assert {k: str(v) for k, v in split(D(pool), ids).items()} == shares


# ---------------------------------------------------------------- a supplement's bonuses: awarded, supplement_notes

SUPPLEMENT = parse_period("2026Q4-S1")
REGISTER = Path("register.sqlite")


def _supplement(before):
    """A: 5,000 in Q1; B: 3,000 in Q4 (a late line). On the year's base A would win the yearly bonus."""
    lines = [sale("A", "2026-02-01", 5000, pid="A"), sale("B", "2026-10-01", 3000, pid="B")]
    given = inputs(lines, [partner("A"), partner("B")],
                   program(bonuses=[bonus("Best", period="year", amount="700"), bonus("Q", period="quarter")]))
    settlement = compute(given, SUPPLEMENT, {}, carried={})
    return settlement, given, supplement_notes(settlement, given, REGISTER, before)


def test_a_supplement_pays_no_bonus_and_keeps_what_it_would_award_apart():
    settlement, _, _ = _supplement({"Best": ["A"]})
    # yearly: A 5,000 over B 3,000 wins 700; quarterly (Q4 is a quarter's end): B 3,000 in Q4 wins 1,000
    assert [(a.bonus, a.partner_id, a.amount) for a in settlement.unawarded] == [("Best", "A", D(700)),
                                                                                ("Q", "B", D(1000))]
    assert settlement.awards == () and [r.bonus for r in settlement.rows] == [D(0), D(0)]


def test_a_supplement_notes_a_yearly_bonus_whose_winners_it_would_change():
    _, _, notes = _supplement({"Best": ["B"]})  # B won it in the closed Q4; the late lines make A the winner
    assert [(p.is_error, "'Best'" in p.message, "from B to A" in p.message) for p in notes] == [(False, True, True)]


def test_a_supplement_says_nothing_when_the_winners_stay():
    assert _supplement({"Best": ["A"]})[2] == []


def test_a_supplement_notes_winners_it_could_not_read():
    _, _, notes = _supplement(None)
    assert [(p.is_error, "could not be read" in p.message, "would be A" in p.hint) for p in notes] == [
        (False, True, True)]


def test_only_a_supplement_with_a_register_and_a_yearly_bonus_is_noted():
    settlement, given, _ = _supplement({"Best": ["B"]})
    assert supplement_notes(settlement, given, None, {"Best": ["B"]}) == []  # no register
    q4 = compute(given, parse_period("2026Q4"))
    assert supplement_notes(q4, given, REGISTER, {"Best": ["B"]}) == []  # not a supplement
    quarterly = inputs([sale("B", "2026-10-01", 3000, pid="B")], [partner("A"), partner("B")],
                       program(bonuses=[bonus("Q", period="quarter")]))
    assert supplement_notes(compute(quarterly, SUPPLEMENT, {}, carried={}), quarterly, REGISTER, None) == []


def test_what_the_basis_gave_is_kept_and_only_what_it_did_not_is_recomputed():
    given = inputs([sale("A1", "2026-02-10", 1000000)], program_=program(clawback="carry_forward"))
    lines = to_base(given)
    q2 = parse_period("2026Q2")
    # recomputed: Q1 entitled 1,000,000 x 2% = 20,000 and carried nothing (it paid 20,000)
    assert settled_and_carried(given, lines, q2, None, {"P1": D(-500)}) == ({"P1": D("20000.00")}, {"P1": D(-500)})
    assert settled_and_carried(given, lines, q2, {"P1": D(7)}, None) == ({"P1": D(7)}, {})
    assert settled_and_carried(given, lines, q2, {"P1": D(7)}, {}) == ({"P1": D(7)}, {})


@pytest.mark.parametrize("winners, min_base, before, said", [
    # two places: A 5,000 and B 3,000 both win; the closed Q4 had B and C
    (2, "0", {"Best": ["C", "B"]}, "inline: bonus 'Best': the late lines would change its winners from B, C to A, B; "
                                   "a supplement awards no bonus (settle any change of award by hand)"),
    (1, "0", {"Best": []}, "inline: bonus 'Best': the late lines would change its winners from none to A; "
                           "a supplement awards no bonus (settle any change of award by hand)"),
    # no base over 10,000: nobody would win
    (1, "10000", {"Best": ["A"]}, "inline: bonus 'Best': the late lines would change its winners from A to none; "
                                  "a supplement awards no bonus (settle any change of award by hand)"),
    (2, "0", None, "inline: bonus 'Best' is not re-awarded in 2026Q4-S1; its winners in 2026Q4 could not be read "
                   "to compare (with this run's lines they would be A, B)"),
    (1, "10000", None, "inline: bonus 'Best' is not re-awarded in 2026Q4-S1; its winners in 2026Q4 could not be "
                       "read to compare (with this run's lines they would be none)"),
], ids=["two-changed", "none-before", "none-now", "unread", "unread-none"])
def test_a_supplements_note_in_full(winners, min_base, before, said):
    lines = [sale("A", "2026-02-01", 5000, pid="A"), sale("B", "2026-10-01", 3000, pid="B")]
    given = inputs(lines, [partner("A"), partner("B")],
                   program(bonuses=[bonus("Best", period="year", winners=winners, min_base=min_base)]))
    settlement = compute(given, SUPPLEMENT, {}, carried={})
    assert [str(p) for p in supplement_notes(settlement, given, REGISTER, before)] == [said]
