"""Personal data kept out of the question log: phone numbers, ID-card numbers and e-mail
addresses are masked before a question, answer or comment is written.

Help-desk staff need what was asked and answered, not who asked it; applicants do type their
mobile or e-mail ("请回电138…"). Masks are labels in brackets (``[手机号]``, ``[身份证号]``,
``[邮箱]``, ``[电话]``), so a reviewer sees that something was there and what kind it was.

What it catches: mainland mobile numbers (11 digits from 13–19, with +86 / spaces / dashes),
landlines with an area code (010-12345678, 0411 8888 6666), 18-digit resident ID numbers (last
character a digit or X) and the 15-digit old form, and e-mail addresses. Not handled: names,
addresses, or numbers written in Chinese numerals.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(?:[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
                      r"|[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{7,8}(?!\d)")

MASKS = (
    (_EMAIL, "[邮箱]"),
    (_ID_CARD, "[身份证号]"),
    (_MOBILE, "[手机号]"),
    (_LANDLINE, "[电话]"),
)
WHAT_IS_MASKED = "手机号、固定电话、身份证号、电子邮箱"


def mask_personal_data(text: str) -> str:
    """``text`` with phone, ID-card and e-mail addresses replaced by labels (see module doc)."""
    if not text:
        return text
    for pattern, label in MASKS:
        text = pattern.sub(label, text)
    return text
