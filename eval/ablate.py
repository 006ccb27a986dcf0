"""Ablations of the hand rules that remain: each variant turns one rule off and runs the answer
evaluation on sets the rule was not written on (the validation set and the earlier blind sets; a
blind set joins them only after its first run is reported).

    python eval/ablate.py [--sets x u v] [--only NAME ...] [--json out.json]

A vocabulary rule is turned off in a copy of corpus/ (QSL_CORPUS_DIR), a retrieval prior through
its setting (QSL_RETRIEVAL__…=0); each variant runs in its own process. The table it prints is
the one in eval/REPORT.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "x": ("eval/questions_valid.jsonl", "eval/dialogs_valid.jsonl"),
    "u": ("eval/questions_heldout2.jsonl", None),
    "v": ("eval/questions_heldout3.jsonl", None),
    "h": ("eval/questions_heldout.jsonl", None),
    "w": ("eval/questions_blind.jsonl", "eval/dialogs_blind.jsonl"),  # the first blind set, after its first run
    "y": ("eval/questions_blind2.jsonl", "eval/dialogs_blind2.jsonl"),  # the second blind set, after its first run
    "t": ("eval/questions_blind3.jsonl", "eval/dialogs_blind3.jsonl"),  # the third, after its first run
    "s": ("eval/questions_blind4.jsonl", "eval/dialogs_blind4.jsonl"),  # the fourth, after its first run
}
VOCAB_OFF = {"synonyms": "synonyms_zh", "expansions": "expansions", "glossary": "glossary_en"}
SETTING_OFF = {
    "named_document_boost": "QSL_RETRIEVAL__NAMED_DOCUMENT_BOOST",
    "regional_penalty": "QSL_RETRIEVAL__REGIONAL_PENALTY",
    "quantity_boost": "QSL_RETRIEVAL__QUANTITY_BOOST",
    "bank_named_boost": "QSL_RETRIEVAL__BANK_NAMED_BOOST",
}
KEYS = ("key_fact_coverage", "citation_precision", "refusal_accuracy", "false_refusal_rate", "follow_up_key_facts",
        "out_of_scope_declined")

_CHILD = """
import json, sys
from assistant import Assistant
from assistant.evaluation.answers import run_answer_eval
a = Assistant.from_settings()
out = {}
for name, q, d in json.loads(sys.argv[1]):
    r = run_answer_eval(q, a.answerer, dialogs_path=d)
    out[name] = {k: r.get(k) for k in %r}
print("RESULT " + json.dumps(out))
""" % (KEYS,)


def run(variant: str, sets: list[str], tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QSL_")}
    env["ANONYMIZED_TELEMETRY"] = "False"
    if variant in VOCAB_OFF:
        corpus = tmp / variant
        shutil.copytree(ROOT / "corpus", corpus)
        vocab = json.loads((corpus / "vocabulary.json").read_text(encoding="utf-8"))
        vocab[VOCAB_OFF[variant]] = [] if isinstance(vocab[VOCAB_OFF[variant]], list) else {}
        (corpus / "vocabulary.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        env["QSL_CORPUS_DIR"] = str(corpus)
    elif variant in SETTING_OFF:
        env[SETTING_OFF[variant]] = "0"
    arg = json.dumps([(s, str(ROOT / SETS[s][0]), str(ROOT / SETS[s][1]) if SETS[s][1] else None) for s in sets])
    p = subprocess.run([sys.executable, "-c", _CHILD, arg], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    line = next((l for l in p.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"{variant} failed:\n{p.stderr[-2000:]}")
    return json.loads(line[7:])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="+", default=["x", "u", "v"])
    ap.add_argument("--only", nargs="+", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    variants = args.only or ["all rules", *VOCAB_OFF, *SETTING_OFF]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for v in variants:
            results[v] = run(v, args.sets, Path(tmp))
            row = "  ".join(f"{s}: " + " ".join(f"{results[v][s][k] if results[v][s][k] is not None else '-'}" for k in KEYS)
                            for s in args.sets)
            print(f"{v:22} {row}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
