"""State Quality & Standards Laboratory (国家质量标准实验室) application assistant.

``from assistant import Assistant`` is the entry point; heavy modules load on first use.
"""

from __future__ import annotations

__all__ = ["Assistant"]


def __getattr__(name: str):
    if name == "Assistant":
        from assistant.assistant import Assistant

        return Assistant
    raise AttributeError(name)
