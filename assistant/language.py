"""Language of a question: Chinese or English.

A question is Chinese when it holds at least a few Han characters relative to its Latin letters;
applicants often mix in English words (“申报SQSL需要什么条件”), which stays Chinese, and English
questions often quote a Chinese term (“What does 依托单位 mean?”), which stays English.
Only zh and en are told apart; other languages are answered in Chinese.
"""

from __future__ import annotations

import re
from typing import Literal

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str) -> Literal["zh", "en"]:
    han = len(_HAN.findall(text))
    words = len(_LATIN_WORD.findall(text))
    if words == 0:
        return "zh"
    if han == 0:  # "And SAMR?", "Why?": short, but not a word of Chinese
        return "en"
    # One Han character weighs about as much as one English word in carrying meaning; an English
    # sentence quoting a four-character term still has several times more words than Han.
    return "en" if words >= 3 and words > han / 2 else "zh"
