"""Every word a reader sees, one catalogue per language; numbers and dates in sentences by babel.

A catalogue maps a key to a template. The keys of the English catalogue are the keys
every catalogue has (a test holds them to it, placeholders included), so adding a
language, Kazakh say, is adding a catalogue here and its name to `CATALOGUES`: no code.

Two kinds of placeholders: `{name}` in the words of statements, summaries and messages
(`Words.__call__`), and `{}` in the words a line gets in its `detail` and `flag` columns
(`line_` keys), which polars fills column-wise (`classify.Context.say`).

Codes a reader would otherwise see (reason codes, customer types, roles, opportunity
statuses, the unit `points`) have their words under `<kind>:<code>`; a code with no
words stays as it is (`Words.code`).

Numbers, percents and dates inside sentences go through babel with the catalogue's
`locale`: «1 987 400,00», «30.09.2026». Numbers in cells stay numbers, shown by their
Excel format in the reader's own separators. A date in a line's words is made by polars
for all lines at once (`date_strftime`), never one line at a time in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, get_month_names
from babel.numbers import get_decimal_symbol, get_group_symbol, parse_pattern

EN: dict[str, str] = {
    "locale": "en",
    "date_format": "d MMM yyyy",  # babel's pattern, in sentences: 30 Sep 2026
    "date_strftime": "%d %b %Y",  # the same, for polars, in a line's words
    # ---- periods
    "period:quarter": "Q{index} {year}",
    "period:month": "{month} {year}",
    "period:year": "{year}",
    "period:supplement": "{period}, supplement {n}",
    # ---- the statement page
    "title": "Statement, {period}",
    "program": "Program",
    "partner_id": "Partner id",
    "partner_name": "Partner name",
    "tier": "Tier",
    "country": "Country",
    "period": "Period",
    "period_span": "{start} to {end}",
    "period_end": "Period end",
    "unit": "Unit",
    "base_currency": "Base currency",
    "period_base": "Period base, {cur}",
    "ytd_base": "Year-to-date base, {cur}",
    "band": "Rate reached",
    "band_over": "band over {over} {cur}",
    "no_band": "the base is over no band",
    "next_band": "To the next band, {cur}",
    "next_words": "{amount} {cur} more {basis} this year reach {rate}",
    "purchases": "purchases",
    "sales": "sales",
    "top_band": "the highest band is reached",
    "band_progress": "Progress to the next band",
    "grade_progress": "Progress to the next grade",
    "progress_words": "{base} of {target} {cur}",
    "grade": "Grade reached, year to date",
    "no_grade": "none",
    "targets": "annual targets: {targets} {cur}",
    "next_grade": "To the next grade, {cur}",
    "next_grade_words": "{amount} {cur} more {basis} this year reach grade {grade}",
    "top_grade": "the highest grade is reached",
    "slice": "  slice over {over} up to {upto}",
    "slice_top": "  slice over {over}",
    "entitlement": "Year-to-date entitlement, {unit}",
    "rounded": "{exact}, rounded to {amount}",
    "settled": "Previously settled, {unit}",
    "recomputed": "recomputed from the same inputs",
    "from_run": "per the earlier run's ledger",
    "from_register": "closed period {period}, per the register",
    "from_register_span": "closed periods {first} to {last}, per the register",
    "run_id": "Run id",
    "run_note": "the calc run this statement comes from",
    "supplement": "Supplement {n}",
    "supplement_words": "to closed {period}",
    "supplement_note": "late lines and corrections; no bonus again",
    "accrual": "Accrual, {unit}",
    "clawback": "Claw-back, {unit}",
    "bonus": "Bonus, {unit}",
    "no_bonus": "no bonus awarded",
    "award": "{group}, rank {rank}",
    "tied": "{words}, shared by {tied}",
    "payable": "Total payable, {unit}",
    # A tier that changed during the year: what each tier's span earned
    "segment": "  {start} – {end} {tier}",
    "segment_open": "  {start} – {tier}",
    "segment_words": "lines under {tier}: {base} {cur}; {sum}",
    "segment_none": "no band reached",
    # What the period settles: carried claw-backs, then what is paid and what is recovered, apart.
    # A points programme credits and debits points: its words (key + "_points") say so.
    "settled_points": "Previously credited, points",
    "clawback_points": "Points taken back",
    "payable_points": "Points for the period",
    "carried_in": "Carried from the period before, {unit}",
    "carried_in_words": "{amount} {unit} settled earlier beyond the entitlement and not yet recovered: offset "
                        "against this period",
    "net_due": "Net due, {unit}",
    "carried_out": "Carried to the next period, {unit}",
    "carried_out_words": "{amount} {unit} is not claimed back now: it is offset against what the next periods "
                         "earn; what remains after {last} is owed back",
    "to_pay": "To pay, {unit}",
    "to_recover": "To recover, {unit}",
    "to_recover_words": "owed back by the partner",
    "to_pay_points": "Points credited",
    "to_recover_points": "Points debited",
    "to_recover_words_points": "taken off the partner's points",
    "included": "Included lines",
    "included_base": "included base {amount}",
    "excluded": "Excluded lines",
    "excluded_amount": "Excluded amount, {cur}",
    "by_reason": "Excluded, by reason",
    "reason_lines": "Lines",
    "reason_amount": "Base amount, {cur}",
    "total_included": "Included, {count} lines",
    "total_excluded": "Excluded, {count} lines, not counted",
    "footer": "{program} · {period} · run {run}",
    "page": "Page &P of &N",
    # ---- the Overview sheet of summary.xlsx, in the program's language
    "ov_title": "Overview, {period}",
    "ov_totals": "Totals, {unit}",
    "ov_to_pay": "To pay",
    "ov_to_recover": "To recover (claw-backs)",
    "ov_net": "Net",
    "ov_partners": "Partners with a statement",
    "ov_by_tier": "By tier",
    "ov_by_country": "By country",
    "ov_group": "Group",
    "ov_count": "Partners",
    "ov_exclusions": "Excluded lines, by reason",
    "ov_reason": "Reason",
    "ov_lines": "Lines",
    "ov_amount": "Base amount, {cur}",
    "ov_top": "Top partners by total payable",
    "ov_partner": "Partner",
    "ov_name": "Name",
    "ov_payable": "Total payable, {unit}",
    "ov_chart": "To pay by tier, {unit}",
    # ---- data sheets' columns: the contract's name in the header, these words in its note
    "col:program_id": "Program",
    "col:year": "Year",
    "col:period": "Period",
    "col:partner_id": "Partner id",
    "col:partner_name": "Partner name",
    "col:tier": "Tier",
    "col:country": "Country",
    "col:unit": "Unit",
    "col:period_base": "Period base",
    "col:ytd_base": "Year-to-date base",
    "col:ytd_rate": "Rate reached",
    "col:ytd_entitlement": "Year-to-date entitlement",
    "col:previously_settled": "Previously settled",
    "col:accrual": "Accrual",
    "col:bonus": "Bonus",
    "col:total_payable": "Total payable",
    "col:included_lines": "Included lines",
    "col:excluded_lines": "Excluded lines",
    "col:excluded_amount": "Excluded amount",
    "col:carried_in": "Carried in",
    "col:net_due": "Net due",
    "col:carried_out": "Carried out",
    "col:payment": "Payment",
    "col:to_pay": "To pay",
    "col:to_recover": "To recover",
    "col:carried_forward": "Carried forward",
    "col:statuses_held": "Statuses held",
    "col:status_recommendation": "Status recommendation",
    "col:status_requirements": "Status requirements",
    "col:role": "Role",
    "col:parent_id": "Parent partner",
    "col:flagged_lines": "Flagged lines",
    "col:by": "Grouped by",
    "col:group": "Group",
    "col:partners": "Partners",
    "col:invoice_id": "Invoice",
    "col:line_no": "Line",
    "col:invoice_date": "Invoice date",
    "col:outcome": "Outcome",
    "col:reason": "Reason",
    "col:net_amount": "Net amount",
    "col:currency": "Currency",
    "col:base_amount": "Base amount",
    "col:file": "Source file",
    "col:sheet": "Sheet",
    "col:row": "Row",
    "col:rank": "Rank",
    "col:eligible_base": "Eligible base",
    "col:tied": "Shared by",
    "col:amount": "Amount",
    "col:qualifies_for_tier": "Qualifies for the tier",
    "col:highest_qualifying_tier": "Highest qualifying tier",
    "col:recommendation": "Recommendation",
    "col:grade": "Grade",
    "col:to_next_grade": "To the next grade",
    "col:requirements": "Requirements",
    "col:lines_read": "Lines read",
    "col:amount_read": "Amount read",
    "col:included_amount": "Included amount",
    "col:balanced": "Balanced",
    "col:item": "Item",
    "col:value": "Value",
    "col:path": "File",
    "col:sha256": "SHA-256",
    "col:size": "Size, bytes",
    "col:sheets": "Sheets",
    "col:rows": "Rows",
    "col:step": "Step",
    "col:derivation": "Derivation",
    "col:vendor_id": "Vendor id",
    # ---- the Lines sheet's headers
    "h_file": "Source file",
    "h_row": "Source row",
    "h_invoice_date": "Invoice date",
    "h_invoice_id": "Invoice",
    "h_line_no": "Line",
    "h_customer_name": "Customer",
    "h_customer_type": "Customer type",
    "h_opportunity_id": "Opportunity",
    "h_product_sku": "Product SKU",
    "h_quantity": "Quantity",
    "h_net_amount": "Net amount",
    "h_currency": "Currency",
    "h_fx_rate": "FX rate",
    "h_base_amount": "Base amount, {cur}",
    "h_outcome": "Outcome",
    "h_detail": "Detail",
    "h_flag": "Flag",
    "h_share": "Share of entitlement, {unit}",
    # ---- a line's words ({} filled by polars)
    "line_duplicate": "the same line was already read",
    "line_unknown": "partner {} is not in the roster",
    "line_after_end": "dated after the period's end {}: counts in {}",
    "line_other_year": "outside the program year {}: counts in {}",
    "line_before_registration": "dated before the partner's registration on {}",
    "line_product": "product {} never earns",
    "line_category": "category {} never earns",
    "line_channel": "a {} must not sell to customers of type {}",
    "line_no_opportunity": "no opportunity named",
    "line_opportunity_unknown": "opportunity {} is not registered",
    "line_opportunity_other": "opportunity {} belongs to partner {}",
    "line_opportunity_status": "opportunity {} is {}",
    "line_opportunity_early": "opportunity {} was registered on {}, after the invoice",
    "line_opportunity_expired": "opportunity {} expired on {}",
    "line_flag_channel": "channel: a {} selling to customers of type {}",
    "line_not_renewed": "membership not renewed for {} (registered on {})",
    "line_before_renewal": "dated before the membership's renewal on {}",
    "line_opportunity_item": "item not on the opportunity: {} is not listed on {}",
    "line_channel_roster": "a {} must not sell to customers of type {} (customer {} is {} on the roster, a {})",
    "line_flag_channel_roster": "channel: a {} selling to customers of type {} (customer {} is {} on the roster, a {})",
    # ---- codes
    "reason:included": "included",
    "reason:DUPLICATE": "duplicate line",
    "reason:UNKNOWN_PARTNER": "unknown partner",
    "reason:OUT_OF_PERIOD": "out of period",
    "reason:OUTSIDE_MEMBERSHIP": "outside membership",
    "reason:PRODUCT_EXCLUDED": "product excluded",
    "reason:CHANNEL_CONFLICT": "channel conflict",
    "reason:NOT_REGISTERED": "opportunity not registered",
    "customer_type:end_user": "end user",
    "customer_type:reseller": "reseller",
    "customer_type:distributor": "distributor",
    "role:distributor": "distributor",
    "role:reseller": "reseller",
    "role:value_added_partner": "value-added partner",
    "role:solution_provider": "solution provider",
    "role:service_provider": "service provider",
    "status:approved": "approved",
    "status:pending": "pending",
    "status:rejected": "rejected",
    "unit:points": "points",
}

RU: dict[str, str] = {
    "locale": "ru",
    "date_format": "dd.MM.yyyy",
    "date_strftime": "%d.%m.%Y",
    "period:quarter": "{roman} квартал {year}",
    "period:month": "{month} {year}",
    "period:year": "{year} год",
    "period:supplement": "{period}, дополнительный расчет {n}",
    "title": "Выписка за {period}",
    "program": "Программа",
    "partner_id": "ID партнера",
    "partner_name": "Наименование партнера",
    "tier": "Уровень",
    "country": "Страна",
    "period": "Период",
    "period_span": "с {start} по {end}",
    "period_end": "Конец периода",
    "unit": "Единица начисления",
    "base_currency": "Базовая валюта",
    "period_base": "База периода, {cur}",
    "ytd_base": "База с начала года, {cur}",
    "band": "Достигнутая ставка",
    "band_over": "порог свыше {over} {cur}",
    "no_band": "база не превышает ни одного порога",
    "next_band": "До следующего порога, {cur}",
    "next_words": "еще {amount} {cur} {basis} в этом году дадут ставку {rate}",
    "purchases": "закупок",
    "sales": "продаж",
    "top_band": "достигнут наивысший порог",
    "band_progress": "Путь к следующему порогу",
    "grade_progress": "Путь к следующей оценке",
    "progress_words": "{base} из {target} {cur}",
    "grade": "Оценка с начала года",
    "no_grade": "нет",
    "targets": "годовые цели: {targets} {cur}",
    "next_grade": "До следующей оценки, {cur}",
    "next_grade_words": "еще {amount} {cur} {basis} в этом году дадут оценку {grade}",
    "top_grade": "достигнута наивысшая оценка",
    "slice": "  часть свыше {over} до {upto}",
    "slice_top": "  часть свыше {over}",
    "entitlement": "Начислено с начала года, {unit}",
    "rounded": "{exact}, округлено до {amount}",
    "settled": "Ранее выплачено, {unit}",
    "recomputed": "пересчитано по тем же входным данным",
    "from_run": "по реестру начислений предыдущего расчета",
    "from_register": "закрытый период {period}, по реестру",
    "from_register_span": "закрытые периоды с {first} по {last}, по реестру",
    "run_id": "Идентификатор расчета",
    "run_note": "расчет calc, по которому составлена выписка",
    "supplement": "Дополнительный расчет {n}",
    "supplement_words": "к закрытому периоду {period}",
    "supplement_note": "поздние строки и исправления; без бонусов",
    "accrual": "Начисление за период, {unit}",
    "clawback": "Возврат ранее выплаченного, {unit}",
    "bonus": "Бонус, {unit}",
    "no_bonus": "бонусы не начислены",
    "award": "{group}, место {rank}",
    "tied": "{words}, поровну на {tied}",
    "payable": "Итого к выплате, {unit}",
    "segment": "  {start} – {end} {tier}",
    "segment_open": "  {start} – {tier}",
    "segment_words": "строки уровня {tier}: {base} {cur}; {sum}",
    "segment_none": "порог не достигнут",
    "settled_points": "Ранее начислено баллов",
    "clawback_points": "Списание ранее начисленных баллов",
    "payable_points": "Итого баллов за период",
    "carried_in": "Перенесено с прошлого периода, {unit}",
    "carried_in_words": "{amount} {unit} сверх начисленного ранее, еще не возвращено: зачитывается в этом периоде",
    "net_due": "Итого с учетом переноса, {unit}",
    "carried_out": "Переносится на следующий период, {unit}",
    "carried_out_words": "{amount} {unit} сейчас не взыскивается: зачитывается в счет следующих начислений; "
                         "остаток после {last} подлежит возврату",
    "to_pay": "К выплате, {unit}",
    "to_recover": "К возврату, {unit}",
    "to_recover_words": "подлежит возврату партнером",
    "to_pay_points": "Начислено баллов",
    "to_recover_points": "Списано баллов",
    "to_recover_words_points": "списывается с баллов партнера",
    "included": "Учтено строк",
    "included_base": "учтенная база {amount}",
    "excluded": "Исключено строк",
    "excluded_amount": "Исключенная сумма, {cur}",
    "by_reason": "Исключено, по причинам",
    "reason_lines": "Строк",
    "reason_amount": "Сумма, {cur}",
    "total_included": "Учтено, строк: {count}",
    "total_excluded": "Исключено, строк: {count}; не учитывается",
    "footer": "{program} · {period} · расчет {run}",
    "page": "Страница &P из &N",
    "ov_title": "Обзор, {period}",
    "ov_totals": "Итоги, {unit}",
    "ov_to_pay": "К выплате",
    "ov_to_recover": "К возврату",
    "ov_net": "Итого",
    "ov_partners": "Партнеров с выпиской",
    "ov_by_tier": "По уровням",
    "ov_by_country": "По странам",
    "ov_group": "Группа",
    "ov_count": "Партнеров",
    "ov_exclusions": "Исключенные строки, по причинам",
    "ov_reason": "Причина",
    "ov_lines": "Строк",
    "ov_amount": "Сумма, {cur}",
    "ov_top": "Крупнейшие выплаты",
    "ov_partner": "Партнер",
    "ov_name": "Наименование",
    "ov_payable": "Итого к выплате, {unit}",
    "ov_chart": "К выплате по уровням, {unit}",
    "col:program_id": "Программа",
    "col:year": "Год",
    "col:period": "Период",
    "col:partner_id": "ID партнера",
    "col:partner_name": "Наименование партнера",
    "col:tier": "Уровень",
    "col:country": "Страна",
    "col:unit": "Единица",
    "col:period_base": "База периода",
    "col:ytd_base": "База с начала года",
    "col:ytd_rate": "Ставка",
    "col:ytd_entitlement": "Начислено с начала года",
    "col:previously_settled": "Ранее выплачено",
    "col:accrual": "Начисление периода",
    "col:bonus": "Бонус",
    "col:total_payable": "Итого к выплате",
    "col:included_lines": "Учтено строк",
    "col:excluded_lines": "Исключено строк",
    "col:excluded_amount": "Исключенная сумма",
    "col:carried_in": "Перенесено с прошлого периода",
    "col:net_due": "Итого с учетом переноса",
    "col:carried_out": "Переносится на следующий период",
    "col:payment": "Платеж",
    "col:to_pay": "К выплате",
    "col:to_recover": "К возврату",
    "col:carried_forward": "Перенесено вперед",
    "col:statuses_held": "Статусы",
    "col:status_recommendation": "Рекомендация по статусу",
    "col:status_requirements": "Требования статуса",
    "col:role": "Роль",
    "col:parent_id": "Вышестоящий партнер",
    "col:flagged_lines": "Отмечено строк",
    "col:by": "Группировка",
    "col:group": "Группа",
    "col:partners": "Партнеров",
    "col:invoice_id": "Номер счета",
    "col:line_no": "№ строки",
    "col:invoice_date": "Дата счета",
    "col:outcome": "Результат",
    "col:reason": "Причина",
    "col:net_amount": "Сумма без НДС",
    "col:currency": "Валюта",
    "col:base_amount": "Сумма в базовой валюте",
    "col:file": "Файл",
    "col:sheet": "Лист",
    "col:row": "Строка",
    "col:rank": "Место",
    "col:eligible_base": "Учитываемая база",
    "col:tied": "Поровну на",
    "col:amount": "Сумма",
    "col:qualifies_for_tier": "Соответствует уровню",
    "col:highest_qualifying_tier": "Наивысший доступный уровень",
    "col:recommendation": "Рекомендация",
    "col:grade": "Оценка",
    "col:to_next_grade": "До следующей оценки",
    "col:requirements": "Требования",
    "col:lines_read": "Прочитано строк",
    "col:amount_read": "Прочитанная сумма",
    "col:included_amount": "Учтенная сумма",
    "col:balanced": "Сходится",
    "col:item": "Параметр",
    "col:value": "Значение",
    "col:path": "Файл",
    "col:sha256": "SHA-256",
    "col:size": "Размер, байт",
    "col:sheets": "Листы",
    "col:rows": "Строк",
    "col:step": "Шаг",
    "col:derivation": "Расчет",
    "col:vendor_id": "Код поставщика",
    "h_file": "Файл",
    "h_row": "Строка файла",
    "h_invoice_date": "Дата счета",
    "h_invoice_id": "Номер счета",
    "h_line_no": "№ строки",
    "h_customer_name": "Клиент",
    "h_customer_type": "Тип клиента",
    "h_opportunity_id": "ID сделки",
    "h_product_sku": "Артикул",
    "h_quantity": "Количество",
    "h_net_amount": "Сумма без НДС",
    "h_currency": "Валюта",
    "h_fx_rate": "Курс",
    "h_base_amount": "Сумма, {cur}",
    "h_outcome": "Результат",
    "h_detail": "Пояснение",
    "h_flag": "Отметка",
    "h_share": "Доля начисления, {unit}",
    "line_duplicate": "эта строка уже была прочитана",
    "line_unknown": "партнера {} нет в реестре",
    "line_after_end": "дата позже конца периода {}: учитывается в периоде {}",
    "line_other_year": "вне года программы {}: учитывается в {}",
    "line_before_registration": "дата раньше регистрации партнера {}",
    "line_product": "товар {} не дает начислений",
    "line_category": "категория {} не дает начислений",
    "line_channel": "{} не может продавать клиентам типа «{}»",
    "line_no_opportunity": "сделка не указана",
    "line_opportunity_unknown": "сделка {} не зарегистрирована",
    "line_opportunity_other": "сделка {} принадлежит партнеру {}",
    "line_opportunity_status": "сделка {} в статусе «{}»",
    "line_opportunity_early": "сделка {} зарегистрирована {}, позже счета",
    "line_opportunity_expired": "срок сделки {} истек {}",
    "line_flag_channel": "канал: {} продает клиентам типа «{}»",
    "line_not_renewed": "участие не продлено на {} (регистрация {})",
    "line_before_renewal": "дата раньше продления участия {}",
    "line_opportunity_item": "товара нет в сделке: {} не указан в {}",
    "line_channel_roster": "{} не может продавать клиентам типа «{}» (клиент {} — партнер {} из реестра, {})",
    "line_flag_channel_roster": "канал: {} продает клиентам типа «{}» (клиент {} — партнер {} из реестра, {})",
    "reason:included": "учтена",
    "reason:DUPLICATE": "повторная строка",
    "reason:UNKNOWN_PARTNER": "партнер не в реестре",
    "reason:OUT_OF_PERIOD": "вне периода",
    "reason:OUTSIDE_MEMBERSHIP": "вне срока участия",
    "reason:PRODUCT_EXCLUDED": "товар исключен",
    "reason:CHANNEL_CONFLICT": "конфликт каналов",
    "reason:NOT_REGISTERED": "сделка не зарегистрирована",
    "customer_type:end_user": "конечный пользователь",
    "customer_type:reseller": "реселлер",
    "customer_type:distributor": "дистрибьютор",
    "role:distributor": "дистрибьютор",
    "role:reseller": "реселлер",
    "role:value_added_partner": "партнер с добавленной стоимостью",
    "role:solution_provider": "поставщик решений",
    "role:service_provider": "поставщик услуг",
    "status:approved": "одобрена",
    "status:pending": "на рассмотрении",
    "status:rejected": "отклонена",
    "unit:points": "баллы",
}

CATALOGUES: dict[str, dict[str, str]] = {"en": EN, "ru": RU}
LANGUAGES: tuple[str, ...] = tuple(CATALOGUES)  # English first: the words of the data columns
ROMAN = ("I", "II", "III", "IV")
# Parsed once: a statement writes some twenty numbers in words, thousands of statements a run.
LOCALES = {language: Locale.parse(said["locale"]) for language, said in CATALOGUES.items()}
AMOUNT, COUNT, PERCENT = parse_pattern("#,##0.00"), parse_pattern("#,##0"), parse_pattern("#,##0.##########")
# Each language's group and decimal symbols, as babel writes them: "," and "." in English.
SYMBOLS = {language: {ord(","): get_group_symbol(locale), ord("."): get_decimal_symbol(locale)}
           for language, locale in LOCALES.items()}
QUANTA = {places: Decimal(10) ** -places for places in range(30)}


def _fixed(value, places: int, language: str) -> str | None:
    """`value` with `places` decimals, grouped by thousands, as babel's pattern `#,##0.00` (as
    many zeros as `places`) writes it, in its steps: the sign apart, the absolute value
    normalized and quantized in the current decimal context; without babel's parsing of the
    pattern and its look-ups of the symbols, number by number. None for what is not a finite
    number of at most 29 decimals (babel writes those)."""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if not value.is_finite() or places not in QUANTA:
        return None
    text = format(abs(value).normalize().quantize(QUANTA[places]), ",f").translate(
        SYMBOLS.get(language, SYMBOLS["en"]))
    return "-" + text if value.is_signed() else text


def catalogue(language: str) -> dict[str, str]:
    """The words of `language`; English for a language without a catalogue."""
    return CATALOGUES.get(language, EN)


def code_words(kind: str, language: str) -> dict[str, str]:
    """{code: words} of one kind of code ("reason", "customer_type", ...) in `language`."""
    prefix = kind + ":"
    return {k[len(prefix):]: v for k, v in catalogue(language).items() if k.startswith(prefix)}


def header_notes(language: str) -> dict[str, str]:
    """{data column: its name in `language`}, for the notes of a data sheet's header."""
    return code_words("col", language)


def month_names(language: str) -> dict[int, str]:
    """The months as a period's label names them: September, сентябрь."""
    return dict(get_month_names("wide", "stand-alone", catalogue(language)["locale"]))


@dataclass(frozen=True)
class Words:
    """One language's words, and how it writes numbers, percents, dates and periods in text.

    Dates and periods, the same for every statement of a run, are worked out once for each
    `Words` (`memo`); write one `Words` for all the statements of a language."""

    language: str
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def words(self) -> dict[str, str]:
        return catalogue(self.language)

    @property
    def locale(self) -> Locale:
        return LOCALES.get(self.language, LOCALES["en"])

    def __call__(self, key: str, **values) -> str:
        return CATALOGUES.get(self.language, EN)[key].format(**values)

    def code(self, kind: str, code: str) -> str:
        """A code's words: `code("reason", "DUPLICATE")` is "duplicate line"; the code itself if it has none."""
        return self.words.get(f"{kind}:{code}", code)

    def number(self, value: Decimal) -> str:
        """Two decimals, grouped: 1,987,400.00 / 1 987 400,00."""
        return _fixed(value, 2, self.language) or AMOUNT.apply(value, self.locale)

    def exact(self, value: Decimal) -> str:
        """Two decimals, or every decimal when an exact product has more."""
        places = max(2, -value.normalize().as_tuple().exponent)
        return _fixed(value, places, self.language) or parse_pattern("#,##0." + "0" * places).apply(
            value, self.locale, decimal_quantization=False)

    def count(self, value: int) -> str:
        return _fixed(value, 0, self.language) or COUNT.apply(value, self.locale)

    def percent(self, rate: Decimal) -> str:
        return PERCENT.apply((rate * 100).normalize(), self.locale) + "%"

    def date(self, day: dt.date) -> str:
        key = ("date", day)
        if key not in self.memo:
            self.memo[key] = format_date(day, self.words["date_format"], locale=self.locale)
        return self.memo[key]

    def day(self, day: dt.date) -> str:
        """A day of the year, short: 1 Jul, 1 июл."""
        key = ("day", day)
        if key not in self.memo:
            self.memo[key] = format_date(day, "d MMM", locale=self.locale)
        return self.memo[key]

    def period(self, period) -> str:
        """A period as a reader names it: Q3 2026, III квартал 2026, September 2026, 2026 год."""
        key = ("period", period)
        if key not in self.memo:
            self.memo[key] = self._period(period)
        return self.memo[key]

    def _period(self, period) -> str:
        values = {"year": period.year, "index": period.index}
        if period.kind == "quarter":
            values["roman"] = ROMAN[period.index - 1]
        elif period.kind == "month":
            values["month"] = month_names(self.language)[period.index]
        label = self(f"period:{period.kind}", **values)
        return self("period:supplement", period=label, n=period.supplement) if period.supplement else label
