"""What the web app does to text a visitor sends before anything else reads it.

``clean_text`` removes what no question needs and some tools choke on: NUL and the other control
characters (tabs become spaces; line breaks stay), lone surrogates (which cannot be stored as
UTF-8), and the bidirectional overrides that make a line in the console read differently from
what it holds. A question that is empty afterwards is refused like an empty one.

The length bound of a question is ``Settings.retrieval.max_query_chars``, one number that the
request schema, the forms and the assistant's own check all use. Not handled here: what the
question means (the assistant), figures (``forms``).
"""

from __future__ import annotations

import re

# C0 and C1 controls except \n and \r, which are line breaks; \t becomes a space below.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without control characters, lone surrogates and bidi overrides (see module doc)."""
    if not text:
        return text
    text = text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
    return _SURROGATES.sub("", _BIDI.sub("", _CONTROLS.sub("", text)))
