"""Eligibility evaluation: figure extraction and statuses on eval/eligibility_cases.jsonl.

Each case is one message (``text``), optionally after earlier messages (``history``, applied in
order as follow-ups), with hand-written expectations: ``expected_figures`` (canonical key → value,
``null`` when the figure must NOT be read, e.g. an 原值 or a wrong time window),
``expected_status`` (criterion id → status), ``expected_overall`` and optionally
``expected_channel``, ``expected_priority``, ``expected_has_figures``.

Metrics:
- figure accuracy: share of expected figures read exactly (a null expectation counts as correct
  only when the figure stays unread);
- criterion accuracy: share of expected statuses matched, overall and per criterion id;
- overall accuracy: share of cases with the expected verdict;
- channel / priority / has_lab_figures accuracy over the cases that state them;
- crashes: cases where the check raised (counted as failures of every expectation of the case);
- chat trigger on policy questions: over the question sets of the answer eval, whether
  ``has_lab_figures`` fires exactly on the questions marked ``lab_figures`` (those that state the
  lab's own figures), i.e. chat does not turn a policy question into an eligibility check.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from assistant.eligibility import check, extract_profile, has_lab_figures


def load_cases(path: str | Path) -> list[dict]:
    cases = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            case = json.loads(line)
            case.setdefault("id", f"line-{n}")
            cases.append(case)
    return cases


def _same(got, want) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return abs(float(got) - float(want)) < 1e-6


def _share(ok: int, total: int) -> float | None:
    return round(ok / total, 4) if total else None


def _trigger_on_questions(question_paths: list[Path], failures: list[dict]) -> dict:
    ok = total = 0
    for path in question_paths:
        for q in load_cases(path):
            want = bool(q.get("lab_figures", False))
            got = has_lab_figures(q["question"])
            total += 1
            if got == want:
                ok += 1
            else:
                failures.append({"case": q["id"], "what": "chat trigger", "got": got, "want": want})
    return {"correct": ok, "total": total, "accuracy": _share(ok, total)}


def run_eligibility_eval(cases_path: str | Path, question_paths: list[str | Path] = ()) -> dict:
    """Run every case (and the chat trigger over ``question_paths``); return the metrics and the
    list of failures."""
    cases = load_cases(cases_path)
    fig_ok = fig_total = 0
    crit_ok = crit_total = 0
    per_crit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    extra = {k: [0, 0] for k in ("overall", "channel", "priority", "has_figures")}
    failures: list[dict] = []
    crashes = 0
    for case in cases:
        cid = case["id"]
        try:
            base = None
            for message in case.get("history", []):
                base = extract_profile(message, base=base)
            report = check(case["text"], base=base, lang=case.get("lang"))
            has = has_lab_figures(case["text"])
        except Exception as e:  # noqa: BLE001 - a crash is a result to report, not to hide
            crashes += 1
            n_fig = len(case.get("expected_figures", {}))
            n_crit = len(case.get("expected_status", {}))
            fig_total += n_fig
            crit_total += n_crit
            extra["overall"][1] += 1
            failures.append({"case": cid, "what": "crash", "got": f"{type(e).__name__}: {e}", "want": None})
            continue
        for key, want in case.get("expected_figures", {}).items():
            got = report.figures.get(key)
            fig_total += 1
            if _same(got, want):
                fig_ok += 1
            else:
                failures.append({"case": cid, "what": f"figure {key}", "got": got, "want": want})
        statuses = report.statuses()
        for crit, want in case.get("expected_status", {}).items():
            got = statuses.get(crit)
            crit_total += 1
            per_crit[crit][1] += 1
            if got == want:
                crit_ok += 1
                per_crit[crit][0] += 1
            else:
                failures.append({"case": cid, "what": f"status {crit}", "got": got, "want": want})
        checks = {
            "overall": ("expected_overall", report.overall),
            "channel": ("expected_channel", report.channel.affiliation),
            "priority": ("expected_priority", report.priority.applies),
            "has_figures": ("expected_has_figures", has),
        }
        for name, (field, got) in checks.items():
            if field in case:
                extra[name][1] += 1
                if got == case[field]:
                    extra[name][0] += 1
                else:
                    failures.append({"case": cid, "what": name, "got": got, "want": case[field]})
    trigger = _trigger_on_questions([Path(p) for p in question_paths], failures)
    return {
        "cases": len(cases),
        "trigger_on_questions": trigger,
        "crashes": crashes,
        "figures": {"correct": fig_ok, "total": fig_total, "accuracy": _share(fig_ok, fig_total)},
        "criteria": {"correct": crit_ok, "total": crit_total, "accuracy": _share(crit_ok, crit_total)},
        "per_criterion": {k: {"correct": v[0], "total": v[1], "accuracy": _share(*v)} for k, v in sorted(per_crit.items())},
        **{name: {"correct": v[0], "total": v[1], "accuracy": _share(*v)} for name, v in extra.items()},
        "failures": failures,
    }


def _pct(block: dict) -> str:
    acc = block.get("accuracy")
    return "n/a" if acc is None else f"{acc * 100:.1f}% ({block['correct']}/{block['total']})"


def format_eligibility_eval(result: dict) -> str:
    """A short plain-text summary for the CLI."""
    lines = [
        f"Eligibility eval: {result['cases']} cases, {result['crashes']} crashes",
        f"  figure extraction exact : {_pct(result['figures'])}",
        f"  criterion status        : {_pct(result['criteria'])}",
        f"  overall verdict         : {_pct(result['overall'])}",
        f"  channel                 : {_pct(result['channel'])}",
        f"  priority                : {_pct(result['priority'])}",
        f"  has_lab_figures         : {_pct(result['has_figures'])}",
        f"  chat trigger (policy Qs): {_pct(result['trigger_on_questions'])}",
        "  per criterion:",
    ]
    lines += [f"    {k:<24} {_pct(v)}" for k, v in result["per_criterion"].items()]
    if result["failures"]:
        lines.append(f"  failures ({len(result['failures'])}):")
        lines += [f"    {f['case']}: {f['what']}: got {f['got']!r}, want {f['want']!r}" for f in result["failures"]]
    else:
        lines.append("  failures: none")
    return "\n".join(lines)
