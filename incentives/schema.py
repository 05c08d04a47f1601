"""The one declaration of every input sheet of the data contract.

The reader, the validator, the templates and the docs all read these
declarations; nothing else names an input column. Column names are matched
case-insensitively, trimmed, with spaces, hyphens and underscores alike, against
the name, the English aliases and the Russian headers.

Over 400 lines: it is the declarations themselves, one `Sheet` per input sheet (and the Ledger
read back), each column with its words in two languages; keeping them in one module is the
point (one place names every input column), and the types that hold them are 130 lines of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from enum import Enum

from incentives import words


class Kind(Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    MONTH = "month"
    ENUM = "enum"
    YESNO = "yes/no"


# What a finance user is told a cell of each kind should look like.
EXPECTED = {
    Kind.TEXT: "text",
    Kind.INTEGER: "a whole number such as 3",
    Kind.DECIMAL: "a number such as 1200000.00 or 1 200 000,00",
    Kind.DATE: "a date cell, or text as 2026-03-31 or 31.03.2026",
    Kind.MONTH: "a month as 2026-03 (or a date cell in that month)",
    Kind.ENUM: "one of the listed values",
    Kind.YESNO: "yes or no (да / нет)",
}

YES_WORDS = ("yes", "y", "true", "1", "да", "д")
NO_WORDS = ("no", "n", "false", "0", "нет", "н")
LANGUAGES = words.LANGUAGES  # of statements and of the words a line gets; English first (one per catalogue)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    en: str
    ru: str
    required: bool = True
    blank_ok: bool = False
    aliases: tuple[str, ...] = ()
    ru_aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    # Words accepted for each choice, e.g. ("end_user", ("конечный пользователь",)).
    choice_aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    default: str | None = None
    ru_header: str = ""

    @property
    def header_ru(self) -> str:
        return self.ru_header or self.name

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.ru_aliases, *((self.ru_header,) if self.ru_header else ()))

    def choice_words(self) -> dict[str, str]:
        """Every accepted spelling (normalized) mapped to its canonical choice."""
        words = {normalize_word(c): c for c in self.choices}
        for choice, spellings in self.choice_aliases:
            for word in spellings:
                words[normalize_word(word)] = choice
        return words


@dataclass(frozen=True)
class Setting:
    """One key of a key/value sheet (the `Program` sheet)."""

    key: str
    kind: Kind
    en: str
    ru: str
    required: bool = True
    choices: tuple[str, ...] = ()
    default: str | None = None
    ru_key: str = ""
    example: str = ""
    choice_aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def as_column(self) -> Column:
        return Column(
            self.key, self.kind, self.en, self.ru, required=self.required,
            choices=self.choices, default=self.default, choice_aliases=self.choice_aliases,
            ru_aliases=(self.ru_key,) if self.ru_key else (),
        )


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    en: str
    ru: str
    ru_name: str = ""
    required: bool = True
    key: tuple[str, ...] = ()
    # Partners keep unknown columns as attributes that `Requirements` may name.
    keep_extra: bool = False
    settings: tuple[Setting, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.name, self.ru_name) if self.ru_name else (self.name,)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @cached_property
    def header_words(self) -> dict[str, Column]:
        """Every accepted header spelling, normalized, and its column: asked of every file's header."""
        return {normalize_word(n): c for c in self.columns for n in c.names()}


@dataclass(frozen=True)
class Workbook:
    """An input workbook: a fixed file name, or a glob in a folder."""

    pattern: str
    sheets: tuple[Sheet, ...]
    en: str
    ru: str
    required: bool = True
    template: str = ""


_FOLD = re.compile(r"[\s_\-]+")


def normalize_word(text: str) -> str:
    """Header and choice matching: case-insensitive, trimmed, `_`, `-`, spaces alike."""
    return _FOLD.sub(" ", str(text).replace("\u00a0", " ")).strip().casefold().replace("ё", "е")


def _c(name, kind, en, ru, ru_header, *ru_aliases, **kw) -> Column:
    return Column(name, kind, en, ru, ru_header=ru_header, ru_aliases=ru_aliases, **kw)


T, I, D, DT, M, E, YN = Kind.TEXT, Kind.INTEGER, Kind.DECIMAL, Kind.DATE, Kind.MONTH, Kind.ENUM, Kind.YESNO


# ---------------------------------------------------------------- program.xlsx

PERIOD_WORDS = (("quarter", ("квартал",)), ("month", ("месяц",)), ("year", ("год",)))

PROGRAM_SETTINGS = (
    Setting("program_id", T, "Short id of the program, used in output paths (letters, digits, - and _).",
            "Краткий идентификатор программы, используется в путях к результатам.",
            ru_key="идентификатор программы", example="intelligent-platforms"),
    Setting("name", T, "Display name of the program.", "Название программы.",
            ru_key="название", example="Intelligent Platforms Partner Program"),
    Setting("unit", T, "What is paid: a currency code (USD, KZT) or `points`.",
            "Что начисляется: код валюты (USD, KZT) или `points` (баллы).",
            ru_key="единица", example="points"),
    Setting("base_currency", T, "Currency that amounts and rate bands are stated in (ISO 4217 code).",
            "Валюта, в которой указаны суммы и пороги (код ISO 4217).",
            ru_key="базовая валюта", example="KZT"),
    Setting("year", I, "Program year; membership runs from registration to 31 December.",
            "Год программы; участие действует со дня регистрации до 31 декабря.",
            ru_key="год", example="2026"),
    Setting("period", E, "Settlement period.", "Расчетный период.", required=False,
            choices=("quarter", "month", "year"), default="quarter", ru_key="период", example="quarter",
            choice_aliases=PERIOD_WORDS),
    Setting("basis", E, "What the sales lines are: the partners' purchases or their sales.",
            "Что отражают строки отчетов: закупки партнера или его продажи.", required=False,
            choices=("purchases", "sales"), default="purchases", ru_key="база", example="purchases",
            choice_aliases=(("purchases", ("закупки",)), ("sales", ("продажи",)))),
    Setting("tier_method", E,
            "all_units: the reached rate applies to the whole year-to-date base; "
            "incremental: each slice at its own band's rate.",
            "all_units: достигнутая ставка применяется ко всей накопленной базе; "
            "incremental: каждая часть по ставке своего порога.", required=False,
            choices=("all_units", "incremental"), default="all_units", ru_key="метод", example="all_units"),
    Setting("requires_opportunity", YN,
            "yes: a line counts only with a registered, approved opportunity of the same partner, "
            "valid on the invoice date.",
            "да: строка учитывается только при зарегистрированной и одобренной сделке этого же "
            "партнера, действующей на дату счета.", required=False, default="no",
            ru_key="требуется регистрация сделки", example="no"),
    Setting("rounding", E, "Rounding to 2 decimals of the unit.", "Округление до 2 знаков.",
            required=False, choices=("half_up", "half_even"), default="half_up",
            ru_key="округление", example="half_up"),
    Setting("language", E, "Default language of partner statements (en or ru).",
            "Язык выписок партнеров по умолчанию (en или ru).", required=False,
            choices=LANGUAGES, default="en", ru_key="язык", example="en"),
    Setting("membership", E,
            "continuous: a partner is a member from registered_on on; calendar_year: from registered_on to "
            "31 December of that year, and in a later program year from the roster's renewed_on (a renewal "
            "agreed in the program year or the year before it) or 1 January, whichever is later.",
            "continuous: участие с даты регистрации; calendar_year: с даты регистрации до конца "
            "календарного года, в следующем году — с даты продления (renewed_on) или 1 января.",
            required=False, choices=("continuous", "calendar_year"), default="continuous",
            ru_key="членство", example="continuous",
            choice_aliases=(("continuous", ("бессрочно",)), ("calendar_year", ("календарный год",)))),
    Setting("minimum_volume", E,
            "none, or annual_target_c: in the run of the year's last period, a partner whose year is below its "
            "tier's annual_target_c is recommended for review (below the minimum volume).",
            "none или annual_target_c: в расчете последнего периода года партнер с базой ниже цели C своего "
            "уровня получает рекомендацию review (ниже минимального объема).",
            required=False, choices=("none", "annual_target_c"), default="none",
            ru_key="минимальный объем", example="none"),
    Setting("clawback", E,
            "net: a negative total payable is owed back in its period; carry_forward: it is carried into the "
            "partner's next period and offset against what it earns, and what remains after the year's last "
            "period is owed back.",
            "net: отрицательная сумма к выплате возвращается в том же периоде; carry_forward: переносится на "
            "следующий период партнера и зачитывается; остаток после последнего периода года возвращается.",
            required=False, choices=("net", "carry_forward"), default="net", ru_key="возвраты",
            example="carry_forward",
            choice_aliases=(("net", ("сразу",)), ("carry_forward", ("перенос", "переносить")))),
)

PROGRAM = Sheet(
    "Program",
    (
        _c("key", T, "Setting name (see the list).", "Название параметра.", "Параметр", "ключ"),
        _c("value", T, "Setting value.", "Значение параметра.", "Значение", blank_ok=True),
    ),
    "Program settings, one per row.", "Параметры программы, по одному в строке.",
    ru_name="Программа", key=("key",), settings=PROGRAM_SETTINGS,
)

RATE_BANDS = Sheet(
    "RateBands",
    (
        _c("tier", T, "Tier name, or * for every tier (a tier's own rows replace the * rows).",
           "Уровень партнера или * для всех уровней.", "Уровень"),
        _c("over", D, "The band applies when the cumulative base is strictly over this amount.",
           "Ставка действует, когда накопленная база строго больше этой суммы.", "Свыше", "порог"),
        _c("rate", D, "Rate as a fraction: 0.04 = 4%.", "Ставка долей: 0.04 = 4%.", "Ставка"),
    ),
    "Rate bands by cumulative base.", "Ставки по накопленной базе.",
    ru_name="Ставки", key=("tier", "over"),
)

TIERS = Sheet(
    "Tiers",
    (
        _c("tier", T, "Tier name.", "Название уровня.", "Уровень"),
        _c("rank", I, "1 = entry level; higher is better.", "1 = начальный уровень.", "Ранг"),
        _c("annual_target_a", D, "Annual target for grade A (base currency).",
           "Годовая цель для оценки A (в базовой валюте).", "Годовая цель A", required=False, blank_ok=True),
        _c("annual_target_b", D, "Annual target for grade B (base currency).",
           "Годовая цель для оценки B (в базовой валюте).", "Годовая цель B", required=False, blank_ok=True),
        _c("annual_target_c", D, "Annual target for grade C (base currency).",
           "Годовая цель для оценки C (в базовой валюте).", "Годовая цель C", required=False, blank_ok=True),
    ),
    "Tiers and their annual targets.", "Уровни и годовые цели.",
    ru_name="Уровни", key=("tier",),
)

REQUIREMENTS = Sheet(
    "Requirements",
    (
        _c("tier", T, "Tier the requirement belongs to.", "Уровень, к которому относится требование.", "Уровень"),
        _c("attribute", T, "A column of the partner roster.", "Столбец реестра партнеров.", "Атрибут"),
        _c("operator", E, "Comparison: >=, <=, > (over), < (under), =, != or in (also ge, le, gt, lt, eq, ne: "
           "a cell starting with = is a formula to Excel).", "Сравнение: >=, <=, > (свыше), < (менее), =, != или in "
           "(или не менее, не более, более, менее, равно, не равно, одно из).", "Оператор",
           choices=(">=", "<=", ">", "<", "=", "!=", "in"),
           choice_aliases=((">=", ("ge", "at least", "не менее")), ("<=", ("le", "at most", "не более")),
                           (">", ("gt", "over", "more than", "более", "свыше")),
                           ("<", ("lt", "under", "less than", "менее")),
                           ("=", ("eq", "equals", "равно")), ("!=", ("ne", "not equal", "не равно")),
                           ("in", ("one of", "одно из")))),
        _c("value", T, "Value to compare with; for `in`, a comma-separated list.",
           "Значение для сравнения; для `in` — список через запятую.", "Значение"),
    ),
    "Requirements a partner must meet for a tier.", "Требования к партнеру для уровня.",
    ru_name="Требования", required=False,
)

CUSTOMER_TYPES = ("end_user", "reseller", "distributor")
CUSTOMER_TYPE_ALIASES = (
    ("end_user", ("end user", "enduser", "конечный пользователь", "конечный клиент")),
    ("reseller", ("реселлер", "перепродавец")),
    ("distributor", ("дистрибьютор", "дистрибутор")),
)

CHANNEL_RULES = Sheet(
    "ChannelRules",
    (
        _c("role", T, "Partner role (as in the roster).", "Роль партнера (как в реестре).", "Роль"),
        _c("customer_type", E, "Customer type of the line.", "Тип клиента в строке.", "Тип клиента",
           choices=CUSTOMER_TYPES, choice_aliases=CUSTOMER_TYPE_ALIASES),
        _c("action", E, "exclude: the line never earns; flag: it earns and is flagged.",
           "exclude: строка не учитывается; flag: учитывается с отметкой.", "Действие",
           choices=("exclude", "flag"), choice_aliases=(("exclude", ("исключить",)), ("flag", ("отметить",)))),
    ),
    "Channel rules: who must not sell to whom.", "Правила канала: кто кому не продает.",
    ru_name="Правила канала", required=False,
)

EXCLUSIONS = Sheet(
    "Exclusions",
    (
        _c("field", E, "product_sku or product_category.", "product_sku или product_category.", "Поле",
           choices=("product_sku", "product_category")),
        _c("value", T, "Lines with this value never earn.", "Строки с этим значением не учитываются.", "Значение"),
    ),
    "Products that never earn.", "Товары, не участвующие в программе.",
    ru_name="Исключения", required=False,
)

BONUSES = Sheet(
    "Bonuses",
    (
        _c("name", T, "Bonus name.", "Название бонуса.", "Название"),
        _c("scope", E, "Group winners are chosen in.", "Группа, в которой выбираются победители.", "Область",
           choices=("all", "country", "tier", "country+tier")),
        _c("metric", E, "What ranks the partners.", "Показатель для ранжирования.", "Показатель",
           choices=("eligible_base",), default="eligible_base", required=False),
        _c("period", E, "year: awarded in the run of the year's last period; quarter: every quarter.",
           "year: в расчете последнего периода года; quarter: каждый квартал.", "Период",
           choices=("year", "quarter"), choice_aliases=PERIOD_WORDS),
        _c("winners", I, "How many winners per scope group.", "Сколько победителей в группе.", "Победителей"),
        _c("award", E, "fixed: an amount; rate: a fraction of the winner's base.",
           "fixed: фиксированная сумма; rate: доля базы победителя.", "Вид награды",
           choices=("fixed", "rate"), choice_aliases=(("fixed", ("фиксированная",)), ("rate", ("доля",)))),
        _c("amount", D, "Unit amount, or fraction of the base.", "Сумма или доля базы.", "Сумма"),
        _c("min_base", D, "A winner's base must be over this.", "База победителя должна быть больше этой суммы.",
           "Минимальная база", required=False, blank_ok=True, default="0"),
    ),
    "Best-partner bonuses.", "Бонусы лучшим партнерам.",
    ru_name="Бонусы", required=False,
)

STATUSES = Sheet(
    "Statuses",
    (
        _c("status", T, "An add-on status held beside a tier (its requirements are Requirements rows naming it).",
           "Дополнительный статус помимо уровня (его требования — строки Requirements с его названием).",
           "Статус"),
        _c("tiers", T, "The tiers that may hold it, comma-separated.", "Уровни, которые могут его иметь, через "
           "запятую.", "Уровни"),
    ),
    "Add-on statuses held beside the tier ladder.", "Дополнительные статусы помимо уровней.",
    ru_name="Статусы", required=False, key=("status",),
)

# ---------------------------------------------------------------- partners.xlsx

PARTNERS = Sheet(
    "Partners",
    (
        _c("partner_id", T, "Unique partner id, as used in the sales reports.",
           "Уникальный идентификатор партнера, как в отчетах о продажах.", "ID партнера",
           "код партнера", "идентификатор партнера", aliases=("partner", "partner id", "partner code")),
        _c("partner_name", T, "Company name.", "Название компании.", "Наименование партнера",
           "партнер", "название партнера", blank_ok=True, aliases=("name", "company")),
        _c("country", T, "Country, ISO 3166 alpha-2 (KZ, US).", "Страна, код ISO 3166 (KZ, US).", "Страна",
           blank_ok=True),
        _c("role", T, "distributor, value_added_partner, reseller, solution_provider, service_provider, "
           "manufacturer_partner, ...", "Роль: distributor, value_added_partner, reseller и т.д.", "Роль",
           blank_ok=True),
        _c("tier", T, "Tier name, as in the program's Tiers sheet.", "Уровень, как в листе Tiers программы.",
           "Уровень", "статус"),
        _c("registered_on", DT, "Registration date: membership starts.", "Дата регистрации: начало участия.",
           "Дата регистрации", aliases=("registration date", "registered")),
        _c("parent_id", T, "Its distributor's partner_id.", "partner_id его дистрибьютора.", "ID дистрибьютора",
           required=False, blank_ok=True),
        _c("company_id", T, "Company registration id (one company cannot hold two tier-1 roles).",
           "Регистрационный номер компании (БИН).", "ID компании", "бин", required=False, blank_ok=True),
        _c("language", E, "Statement language for this partner.", "Язык выписки для партнера.", "Язык",
           required=False, blank_ok=True, choices=LANGUAGES,
           choice_aliases=(("en", ("english", "английский")), ("ru", ("russian", "русский")))),
        _c("vendor_id", T, "The partner's number in the accounts-payable system (copied into the payments file "
           "of `calc close`).", "Номер партнера в системе расчетов с поставщиками (попадает в файл выплат "
           "`calc close`).", "Код поставщика", "номер поставщика", required=False, blank_ok=True,
           aliases=("vendor", "vendor number", "supplier id")),
        _c("statuses", T, "Add-on statuses the partner holds (program sheet Statuses), comma-separated.",
           "Дополнительные статусы партнера (лист Statuses программы), через запятую.", "Статусы",
           required=False, blank_ok=True),
        _c("renewed_on", DT, "Date the membership was renewed for the program year (membership = calendar_year).",
           "Дата продления участия на год программы (membership = calendar_year).", "Дата продления",
           required=False, blank_ok=True, aliases=("renewal date", "renewed")),
    ),
    "The partner roster; further columns are attributes that Requirements may name "
    "(registered_capital_usd, sales_managers, certified_staff, training_completed, ...).",
    "Реестр партнеров; другие столбцы — атрибуты для листа Requirements.",
    ru_name="Партнеры", key=("partner_id",), keep_extra=True,
)

TIER_HISTORY = Sheet(
    "TierHistory",
    (
        _c("partner_id", T, "Partner id, as in the Partners sheet.", "ID партнера, как в листе Партнеры.",
           "ID партнера", "код партнера", aliases=("partner",)),
        _c("tier", T, "The tier from that date, as in the program's Tiers sheet.",
           "Уровень с этой даты, как в листе Tiers программы.", "Уровень", "статус"),
        _c("effective_from", DT, "First day the tier is in effect (a line earns under the tier of its invoice "
           "date, or of its original_invoice_date).", "Первый день действия уровня (строка начисляется по уровню "
           "на дату счета или на дату исходного счета).", "Действует с", "дата начала", aliases=("from",)),
    ),
    "Tiers that change during the year: a partner with rows is rated, line by line, under the tier in effect on "
    "the line's date; it needs a row effective on or before 1 January of the program year or its registered_on, "
    "whichever is later. A partner without rows has the Partners sheet's tier all year.",
    "Изменения уровня в течение года: строки партнера начисляются по уровню на дату строки; нужна строка, "
    "действующая не позже 1 января года программы или даты регистрации (что позже). Партнер без строк весь год "
    "на уровне из листа Партнеры.",
    ru_name="История уровней", required=False, key=("partner_id", "effective_from"),
)

# ---------------------------------------------------------------- fx_rates.xlsx

RATES = Sheet(
    "Rates",
    (
        _c("currency", T, "Currency code (ISO 4217).", "Код валюты (ISO 4217).", "Валюта"),
        _c("month", M, "Month the rate applies to, YYYY-MM.", "Месяц курса, ГГГГ-ММ.", "Месяц"),
        _c("rate", D, "Base-currency units for one unit of the currency.",
           "Сколько единиц базовой валюты за одну единицу валюты.", "Курс"),
    ),
    "Monthly exchange rates into the base currency.", "Месячные курсы к базовой валюте.",
    ru_name="Курсы", key=("currency", "month"),
)

# ---------------------------------------------------------------- opportunities/*.xlsx

OPPORTUNITY_STATUSES = ("approved", "pending", "rejected")

OPPORTUNITIES = Sheet(
    "Opportunities",
    (
        _c("opportunity_id", T, "Unique deal registration id.", "Уникальный номер регистрации сделки.",
           "ID сделки", "номер сделки", "номер регистрации", aliases=("opportunity", "deal id", "deal registration")),
        _c("partner_id", T, "Partner that registered it.", "Партнер, зарегистрировавший сделку.", "ID партнера",
           "код партнера"),
        _c("customer_name", T, "End customer.", "Конечный клиент.", "Клиент", "наименование клиента",
           blank_ok=True),
        _c("registered_on", DT, "Registration date.", "Дата регистрации.", "Дата регистрации"),
        _c("expires_on", DT, "Last day it is valid (optional).", "Последний день действия (необязательно).",
           "Действует до", "дата окончания", required=False, blank_ok=True),
        _c("status", E, "approved, pending or rejected.", "approved, pending или rejected.", "Статус",
           choices=OPPORTUNITY_STATUSES,
           choice_aliases=(("approved", ("одобрена", "одобрено", "утверждена")),
                           ("pending", ("на рассмотрении", "ожидает")),
                           ("rejected", ("отклонена", "отклонено")))),
        _c("product_sku", T, "An item of the opportunity (optional): one row per item, or several SKUs comma-"
           "separated; when an opportunity lists any, a line of another SKU does not count.",
           "Товар сделки (необязательно): строка на товар или несколько артикулов через запятую; если у сделки "
           "указаны товары, строка с другим артикулом не учитывается.", "Артикул", "код товара", required=False,
           blank_ok=True, aliases=("sku", "item")),
    ),
    "Registered opportunities (deal registrations).", "Зарегистрированные сделки.",
    ru_name="Сделки", key=("opportunity_id",),
)

# ---------------------------------------------------------------- sales/*.xlsx

SALES = Sheet(
    "Sales",
    (
        _c("invoice_id", T, "Invoice number.", "Номер счета-фактуры.", "Номер счета", "счет", "номер счета-фактуры",
           aliases=("invoice", "invoice no", "invoice number")),
        _c("line_no", I, "Line of the invoice (default 1).", "Номер строки счета (по умолчанию 1).", "№ строки",
           "номер строки", "строка", required=False, blank_ok=True, default="1", aliases=("line", "line number")),
        _c("invoice_date", DT, "Invoice date.", "Дата счета.", "Дата счета", "дата",
           aliases=("date", "invoice date")),
        _c("partner_id", T, "Partner id, as in the roster.", "ID партнера, как в реестре.", "ID партнера",
           "код партнера", aliases=("partner",)),
        _c("customer_id", T, "Customer id (optional).", "ID клиента (необязательно).", "ID клиента",
           "код клиента", required=False, blank_ok=True),
        _c("customer_name", T, "Customer name.", "Наименование клиента.", "Клиент", "наименование клиента",
           blank_ok=True, aliases=("customer",)),
        _c("customer_type", E, "end_user, reseller or distributor.", "end_user, reseller или distributor.",
           "Тип клиента", choices=CUSTOMER_TYPES, choice_aliases=CUSTOMER_TYPE_ALIASES),
        _c("opportunity_id", T, "Registered opportunity id (optional).", "Номер регистрации сделки (если есть).",
           "ID сделки", "номер сделки", required=False, blank_ok=True, aliases=("opportunity", "deal id")),
        _c("product_sku", T, "Product code.", "Артикул товара.", "Артикул", "код товара", aliases=("sku",)),
        _c("product_category", T, "Product category (optional).", "Категория товара (необязательно).",
           "Категория товара", "категория", required=False, blank_ok=True, aliases=("category",)),
        _c("quantity", D, "Quantity (negative on returns).", "Количество (отрицательное при возврате).",
           "Количество", "кол-во", aliases=("qty",)),
        _c("net_amount", D, "Net amount, negative for credit notes and returns.",
           "Сумма без НДС; отрицательная для кредит-нот и возвратов.", "Сумма без НДС", "сумма",
           aliases=("amount", "net")),
        _c("currency", T, "Currency code of the amount (ISO 4217).", "Код валюты суммы (ISO 4217).", "Валюта"),
        _c("original_invoice_date", DT, "A credit note's or return's: the date of the sale it reverses; it earns "
           "under the tier in effect then (optional).", "Для кредит-ноты или возврата: дата исходной продажи; "
           "начисление по уровню на эту дату (необязательно).", "Дата исходного счета", "дата исходной продажи",
           required=False, blank_ok=True, aliases=("original date", "original invoice date")),
    ),
    "Sales (or purchase) report lines.", "Строки отчета о продажах (закупках).",
    ru_name="Продажи", key=("partner_id", "invoice_id", "line_no"),
)

# ---------------------------------------------------------------- the workbooks of an input folder

PROGRAM_BOOK = Workbook("program.xlsx", (PROGRAM, RATE_BANDS, TIERS, REQUIREMENTS, CHANNEL_RULES,
                                         EXCLUSIONS, BONUSES, STATUSES),
                        "The program's rules.", "Правила программы.", template="program.xlsx")
PARTNERS_BOOK = Workbook("partners.xlsx", (PARTNERS, TIER_HISTORY), "The partner roster.", "Реестр партнеров.",
                         template="partners.xlsx")
FX_BOOK = Workbook("fx_rates.xlsx", (RATES,), "Exchange rates (optional when every amount is in the "
                   "base currency).", "Курсы валют.", required=False, template="fx_rates.xlsx")
OPPORTUNITIES_BOOK = Workbook("opportunities/*.xlsx", (OPPORTUNITIES,), "Opportunity reports.",
                              "Отчеты о сделках.", required=False, template="opportunity_report.xlsx")
SALES_BOOK = Workbook("sales/*.xlsx", (SALES,), "Sales reports, any number, any file names.",
                      "Отчеты о продажах, любое количество.", template="sales_report.xlsx")

WORKBOOKS = (PROGRAM_BOOK, PARTNERS_BOOK, FX_BOOK, OPPORTUNITIES_BOOK, SALES_BOOK)

# ---------------------------------------------------------------- ledger.xlsx (an output, read back by --ledger)


def _money(name: str, en: str, ru: str, ru_header: str) -> Column:
    return _c(name, D, en, ru, ru_header)


LEDGER = Sheet(
    "Ledger",
    (
        _c("program_id", T, "Program id.", "Идентификатор программы.", "Программа"),
        _c("year", I, "Program year.", "Год программы.", "Год"),
        _c("period", T, "Settlement period, e.g. 2026Q3.", "Расчетный период, например 2026Q3.", "Период"),
        _c("partner_id", T, "Partner id.", "ID партнера.", "ID партнера"),
        _c("partner_name", T, "Partner name.", "Наименование партнера.", "Наименование партнера", blank_ok=True),
        _c("tier", T, "Tier.", "Уровень.", "Уровень"),
        _c("country", T, "Country.", "Страна.", "Страна", blank_ok=True),
        _c("unit", T, "What is paid.", "Единица начисления.", "Единица"),
        _money("period_base", "Included base of the period (base currency).",
               "Учтенная база за период (в базовой валюте).", "База периода"),
        _money("ytd_base", "Included base of the year to the period's end.",
               "Учтенная база с начала года.", "База с начала года"),
        _money("ytd_rate", "Rate of the band reached (0 when over no band).", "Ставка достигнутого порога.",
               "Ставка"),
        _money("ytd_entitlement", "Entitlement of the year to date, rounded once.", "Начислено с начала года.",
               "Начислено с начала года"),
        _money("previously_settled", "What the year's earlier periods settled.", "Выплачено за прошлые периоды.",
               "Ранее выплачено"),
        _money("accrual", "Entitlement minus previously settled; negative is a claw-back.",
               "Начисление периода; отрицательное — возврат.", "Начисление периода"),
        _money("bonus", "Bonuses awarded in this run.", "Бонусы этого расчета.", "Бонус"),
        _money("total_payable", "Accrual plus bonus.", "Начисление плюс бонус.", "Итого к выплате"),
        _c("included_lines", I, "Lines of the partner included.", "Учтенные строки партнера.", "Учтено строк"),
        _c("excluded_lines", I, "Lines of the partner excluded.", "Исключенные строки партнера.", "Исключено строк"),
        _money("excluded_amount", "Base-currency amount of the excluded lines.",
               "Сумма исключенных строк в базовой валюте.", "Исключенная сумма"),
        # Added 2026-11-25; optional when read back, so the ledger of an earlier calc reads with 0s.
        _c("carried_in", D, "The previous period's carried_out (0 in a year's first period).",
           "Перенесено из прошлого периода (carried_out прошлого периода).", "Перенесено из прошлого периода",
           required=False, default="0"),
        _c("net_due", D, "total_payable + carried_in.", "Итого к выплате плюс перенесенное.", "Итого с переносом",
           required=False, default="0"),
        _c("carried_out", D, "Under carry_forward, a negative net_due of a period that is not the year's last; "
           "otherwise 0.", "При carry_forward отрицательный итог с переносом, кроме последнего периода года; "
           "иначе 0.", "Перенесено на следующий период", required=False, default="0"),
        _c("payment", D, "net_due − carried_out: positive is paid to the partner, negative is owed back.",
           "Итог с переносом минус перенесенное: положительное выплачивается, отрицательное подлежит возврату.",
           "Платеж", required=False, default="0"),
    ),
    "One row per roster partner.", "Одна строка на партнера реестра.",
    ru_name="Реестр начислений", key=("partner_id",),
)
