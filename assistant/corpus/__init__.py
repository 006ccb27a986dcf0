"""The policy corpus: catalog, cleaning and parsing into section trees.

``load_corpus(corpus_dir)`` reads corpus/catalog.json and every document it lists, cleans each raw
text and parses it. Nothing here touches the index.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from assistant.corpus.cleaning import clean_text
from assistant.corpus.parsing import parse_document, walk
from assistant.types import DocumentMeta, ParsedDocument

__all__ = ["load_catalog", "load_corpus", "load_document", "walk"]


def load_catalog(corpus_dir: Path) -> list[DocumentMeta]:
    path = Path(corpus_dir) / "catalog.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return [DocumentMeta.model_validate(d) for d in data["documents"]]


def load_document(corpus_dir: Path, meta: DocumentMeta) -> ParsedDocument:
    raw = (Path(corpus_dir) / "raw" / meta.source_file).read_text(encoding="utf-8")
    return parse_document(meta, clean_text(raw, meta))


@lru_cache(maxsize=8)
def _load(corpus_dir: str, stamp: tuple) -> tuple[ParsedDocument, ...]:
    return tuple(load_document(Path(corpus_dir), m) for m in load_catalog(Path(corpus_dir)))


def load_corpus(corpus_dir: Path) -> list[ParsedDocument]:
    """All documents of the catalog, cleaned and parsed (cached until a file changes)."""
    corpus_dir = Path(corpus_dir).resolve()
    files = [corpus_dir / "catalog.json", *sorted((corpus_dir / "raw").glob("*"))]
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files if f.is_file())
    return list(_load(str(corpus_dir), stamp))
