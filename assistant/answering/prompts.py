"""Prompt templates kept as files under prompts/, one per purpose and language.

A template file ``prompts/<name>.<lang>.md`` holds a system part and a user part separated by a
line ``<!-- user -->``; placeholders are ``$name`` (``string.Template``), so braces and JSON in
the text need no escaping. ``Prompts.render("answer", "en", question=…, passages=…)`` returns
(system, user). A missing language falls back to the Chinese file.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

_SPLIT = "<!-- user -->"


class Prompts:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path(self, name: str, lang: str) -> Path:
        p = self.directory / f"{name}.{lang}.md"
        return p if p.is_file() else self.directory / f"{name}.zh.md"

    def render(self, name: str, lang: str, **values: str) -> tuple[str, str]:
        raw = self.path(name, lang).read_text(encoding="utf-8")
        if _SPLIT not in raw:
            raise ValueError(f"{self.path(name, lang)} has no '{_SPLIT}' line between system and user parts")
        system, user = raw.split(_SPLIT, 1)
        return Template(system.strip()).substitute(values), Template(user.strip()).substitute(values)
