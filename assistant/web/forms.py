"""The figures of the eligibility form: their keys, units, and the checks made before a report.

The keys are the canonical figure keys of the eligibility profile (issue 4). The form and the REST
API check the same things here — no negative figure, counts are whole numbers — and explain a
refusal in the applicant's language; the profile model of ``assistant.eligibility`` validates again.

Not handled: the evaluation itself (``Assistant.check_eligibility``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from assistant.web.i18n import t


@dataclass(frozen=True)
class Figure:
    key: str  # canonical profile key
    label_key: str  # i18n key of the label, which carries the unit
    integer: bool


FIGURES: tuple[Figure, ...] = (
    Figure("area_m2", "f_area", False),
    Figure("equipment_wan", "f_equipment", False),
    Figure("projects_count", "f_projects_count", True),
    Figure("projects_funding_wan", "f_projects_funding", False),
    Figure("standards_3y", "f_standards", True),
    Figure("transfers_3y", "f_transfers", True),
    Figure("service_revenue_wan", "f_service", False),
)
YEARS = Figure("years_running", "f_years", False)


def read_form(raw: dict[str, str | None], lang: str) -> tuple[dict[str, float | None], list[str]]:
    """The form's text fields as numbers (empty = not given). Accepts full-width digits and
    thousands separators ("４２００", "4,200"); anything else is refused with a message."""
    values: dict[str, float | None] = {}
    errors: list[str] = []
    for f in (*FIGURES, YEARS):
        text = unicodedata.normalize("NFKC", raw.get(f.key) or "").strip()
        text = re.sub(r"(?<=\d)[,\s](?=\d{3}\b)", "", text)
        if not text:
            values[f.key] = None
            continue
        try:
            values[f.key] = float(text)
        except ValueError:
            values[f.key] = None
            errors.append(t("err_number", lang, field=t(f.label_key, lang)))
    return values, errors + figure_errors(values, lang)


def figure_errors(values: dict[str, Any], lang: str) -> list[str]:
    """Messages for figures the form must refuse; empty when all given figures are acceptable."""
    errors = []
    for f in (*FIGURES, YEARS):
        v = values.get(f.key)
        if v is None:
            continue
        label = t(f.label_key, lang)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or math.isnan(v) or math.isinf(v):
            errors.append(t("err_integer", lang, field=label) if f.integer else f"“{label}”: {v!r}?")
        elif v < 0:
            errors.append(t("err_negative", lang, field=label))
        elif f.integer and float(v) != int(v):
            errors.append(t("err_integer", lang, field=label))
    return errors
