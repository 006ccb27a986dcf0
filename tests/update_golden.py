"""Regenerate the golden files of the parser: tests/golden/<doc_id>.json, one per document.

Each file is the outline of the document's tree in document order: for every node below the root,
its kind, label, title, locator, heading path and the first 20 characters of its text.
test_parsing.py compares the parser's output with these files, so a parser change shows up as a
diff to review. Run this only when the change is intended, then read the diff before committing:

    python tests/update_golden.py && git diff tests/golden/
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
TEXT_PREFIX = 20


def outline(doc) -> list[dict]:
    """The golden form of a ``ParsedDocument``."""
    from assistant.corpus import walk

    return [
        {
            "kind": node.kind,
            "label": node.label,
            "title": node.title,
            "locator": node.locator,
            "path": node.path,
            "text": node.text[:TEXT_PREFIX],
        }
        for node in walk(doc.root)
        if node.kind != "document"
    ]


def render(doc) -> str:
    return json.dumps(
        {"doc_id": doc.meta.id, "nodes": outline(doc)}, ensure_ascii=False, indent=1
    ) + "\n"


def main() -> int:
    from assistant.corpus import load_corpus
    from assistant.settings import ROOT

    GOLDEN_DIR.mkdir(exist_ok=True)
    for doc in load_corpus(ROOT / "corpus"):
        path = GOLDEN_DIR / f"{doc.meta.id}.json"
        new = render(doc)
        old = path.read_text(encoding="utf-8") if path.exists() else None
        path.write_text(new, encoding="utf-8")
        state = "unchanged" if old == new else ("written" if old is None else "CHANGED")
        print(f"{state:9} {path.relative_to(GOLDEN_DIR.parent.parent)} ({len(json.loads(new)['nodes'])} nodes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
