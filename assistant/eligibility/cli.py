"""The work behind ``python -m assistant eligibility "text" [--json] [--profile FILE.json]``.

The typer command in ``assistant/cli.py`` only parses the arguments and calls ``cli_check``.
A profile file is a JSON object with the fields of ``LabProfile`` (``area_m2``, ``equipment_wan`` …).
With both a profile and text, the text is applied on top of the profile (as a follow-up).
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.eligibility import check, render
from assistant.eligibility.profile import LabProfile


def cli_check(text: str | None, profile_path: str | None, as_json: bool) -> str:
    """Run the check and return what the command prints (rendered report, or JSON)."""
    if not text and not profile_path:
        raise ValueError("give the lab figures as text or a --profile FILE.json")
    base = None
    if profile_path:
        try:
            data = json.loads(Path(profile_path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ValueError(f"{profile_path} is not valid JSON: {e}") from e
        if not isinstance(data, dict):
            raise ValueError(f"{profile_path} must hold a JSON object of lab figures")
        base = LabProfile.model_validate(data)
    report = check(text, base=base) if text else check(base)
    if as_json:
        return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2)
    return render(report)
