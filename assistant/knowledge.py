"""What the assistant knows about its documents, read once from the data files of corpus/.

- ``corpus/catalog.json``: the documents (titles, English titles, issuers, 文号, dates, status,
  names users call them by, where their own facts are printed), the wording of each status label,
  and the pointer to who answers what the documents leave open (the recommending bodies of 第十条);
- ``corpus/versions.json``: the points on which the 2022 指导意见 and the 2023 管理办法 differ;
- ``corpus/vocabulary.json``: applicants' words mapped onto the documents' words, stop words;
- ``corpus/bank/``: the question bank (``assistant.bank``).

``Knowledge.load(corpus_dir)`` validates every file against its schema (a bad file fails loudly,
naming the file and the field) and hands out typed objects; no other module opens these files.
Locators are looked up through ``Sources`` (one lookup for every caller).

Not here: the documents' text and structure (``assistant.corpus``), the index (``assistant.store``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from assistant.types import DocumentMeta, FactField

_HYPHENS = re.compile(r"[-‐‑–]")


def _fold(text: str) -> str:
    """Lower case, hyphens as spaces (the same length, so positions hold)."""
    return _HYPHENS.sub(" ", text.lower())


class StatusLabel(BaseModel):
    zh: str = Field(description="The status as a label (征求意见稿, 节选 …).")
    en: str
    cite_zh: str = Field(description="What follows the title when a passage is cited (（节选）); empty for in force.")
    cite_en: str


class Referral(BaseModel):
    """Who can answer what the documents leave open: the sentences of ``locator`` naming ``anchor``."""

    doc_id: str
    locator: str
    anchor: str = Field(description="A word of the sentences to quote (推荐).")
    zh: str = Field(description="Lead of the pointer; {cite} is replaced by the citation name.")
    en: str
    later: str | None = Field(
        default=None, description="Words of a sentence saying the details are to come (另行制定): quoted in a refusal."
    )


class FactCues(BaseModel):
    """How a question asks one of a document's own facts (see ``Catalog.asked_facts``)."""

    fields: dict[FactField, dict[Literal["zh", "en"], list[list[str]]]] = Field(
        description="Per fact, per language: cues, each a list of words that must all appear in the question.")
    filler: dict[Literal["zh", "en"], list[str]] = Field(
        description="Words that may be left in a question about a document's fact besides its cue and the "
                    "document's names (这份, 文件, 正式 …).")


class Catalog(BaseModel):
    statuses: dict[str, StatusLabel]
    referral: Referral
    documents: list[DocumentMeta]
    fact_cues: FactCues | None = None

    @cached_property
    def by_id(self) -> dict[str, DocumentMeta]:
        return {d.id: d for d in self.documents}

    @cached_property
    def operative(self) -> str | None:
        """The operative rule (authority rank 1)."""
        return next((d.id for d in sorted(self.documents, key=lambda d: d.authority_rank) if d.authority_rank == 1), None)

    def superseded_by(self, doc_id: str) -> str | None:
        return next((d.id for d in self.documents if doc_id in d.supersedes), None)

    def named_documents(self, text: str) -> set[str]:
        """Ids of the documents ``text`` names by their aliases.

        A generic alias (指导意见, guiding opinions) names its document unless it belongs to a title
        (Chinese or English) of another document that the same clause names by one of its own
        aliases (五部门的指导意见 is the 2024 text, whose title ends in 指导意见). English names match
        hyphenated or not (the supply-chain guidance = supply chain)."""
        low = _fold(text)
        found: set[str] = set()
        specific: list[tuple[str, int]] = []
        for d in self.documents:
            for a in d.aliases:
                for m in re.finditer(re.escape(_fold(a)), low):
                    found.add(d.id)
                    specific.append((d.id, m.start()))
        for d in self.documents:
            for a in d.generic_aliases:
                for m in re.finditer(re.escape(_fold(a)), low):
                    clause_start = max((low.rfind(p, 0, m.start()) for p in "，,。；;？?！!"), default=-1) + 1
                    owner = next(
                        (o for o, pos in specific
                         if o != d.id and clause_start <= pos < m.start()
                         and (a in self.by_id[o].title or a.lower() in self.by_id[o].title_en.lower())),
                        None,
                    )
                    if owner is None:
                        found.add(d.id)
        return found

    @cached_property
    def names(self) -> frozenset[str]:
        """The words documents are named by in questions, lower case: aliases, generic aliases
        (指导意见) and short titles. Retrieval and the question reader take these out of what
        they match by meaning or by words: which document is asked is the named-document prior."""
        return frozenset({a.lower() for d in self.documents for a in (*d.aliases, *d.generic_aliases)}
                         | {d.short_title.strip("《》").lower() for d in self.documents})

    @cached_property
    def names_longest_first(self) -> list[str]:
        return sorted(self.names, key=lambda n: (-len(n), n))

    @cached_property
    def _name_patterns(self) -> list[re.Pattern]:
        names = {re.sub(r"\s+", "", n) for d in self.documents
                 for n in (*d.aliases, d.title, d.short_title.strip("《》"), d.title_en) if n}
        names |= {re.sub(r"[（(][^）)]*[）)]$", "", n) for n in names}  # 辽宁省…实施方案 without （征求意见稿）
        return [re.compile(re.escape(n), re.I) for n in sorted(names - {""}, key=len, reverse=True)]

    def names_only(self, text: str) -> bool:
        """Whether ``text`` says nothing but a document's name (附件:《辽宁省…实施方案》征求意见稿, a
        title line): fewer than four Chinese characters are left once the names and the status
        labels are taken out, and no figure. Such a line names a text; it answers no question about
        its content."""
        text = rest = re.sub(r"\s+", "", text)
        for pattern in self._name_patterns:
            rest = pattern.sub("", rest)
        for label in sorted({x for s in self.statuses.values() for x in (s.zh, s.cite_zh) if x} | {"附件"}, key=len, reverse=True):
            rest = rest.replace(label, "")
        return rest != text and len(re.findall(r"[\u4e00-\u9fff]", rest)) < 4 and not re.search(r"[0-9@]", rest)

    def asked_facts(self, text: str, lang: str) -> tuple[list[str], list[str]]:
        """The document facts ``text`` asks (文号, 哪天印发 …), in the order of ``fact_cues``, and the
        cue words it matched."""
        if self.fact_cues is None:
            return [], []
        low = text.lower()
        fields: list[str] = []
        words: list[str] = []
        for name, cues in self.fact_cues.fields.items():
            hit = next((c for c in cues.get(lang, []) if all(w.lower() in low for w in c)), None)
            if hit:
                fields.append(name)
                words += hit
        return fields, words

    def status_label(self, status: str, lang: str) -> str:
        s = self.statuses.get(status)
        return (s.zh if lang == "zh" else s.en) if s else status

    def cite_label(self, status: str, lang: str) -> str:
        s = self.statuses.get(status)
        return (s.cite_zh if lang == "zh" else s.cite_en) if s else ""


class VersionSide(BaseModel):
    doc_id: str
    locator: str = Field(description="The section holding the wording.")
    anchor: str = Field(description="Words that pick the sentence to quote.")


class VersionPair(BaseModel):
    """One point on which an earlier text and the operative rule differ."""

    topic_zh: str
    topic_en: str
    triggers: list[str] = Field(description="Question words that make the difference worth stating.")
    new: VersionSide
    old: VersionSide


class Versions(BaseModel):
    pairs: list[VersionPair]
    compare_words: list[str] = Field(
        default_factory=list,
        description="Words of a question that asks how the texts differ (两份文件说法一样吗): a point of a "
                    "pair the answer quotes is then noted even when the earlier text is not named.")


class Synonym(BaseModel):
    applicant: list[str] = Field(description="Words applicants use.")
    document: list[str] = Field(description="The documents' words for the same thing (may be empty: no topic).")


class Vocabulary(BaseModel):
    domain_words: list[str] = Field(description="Terms the tokenizer keeps whole (依托单位, 专家委员会 …).")
    stopwords: dict[str, list[str]] = Field(description="Function and question words, by language (zh, en).")
    generic_words: dict[str, list[str]] = Field(
        description="Words too common in these documents to say what a question is about (国家, 质量, 实验室 …)."
    )
    synonyms_zh: list[Synonym]
    expansions: dict[str, str] = Field(description="Query expansion of the lexical legs: word -> document words.")
    glossary_en: dict[str, list[str]] = Field(description="English words and phrases -> the documents' words.")


def _read(path: Path, model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"missing data file {path}") from None
    except ValidationError as exc:
        raise ValueError(f"{path} does not match its schema:\n{exc}") from None


@dataclass
class Knowledge:
    corpus_dir: Path
    catalog: Catalog
    versions: Versions
    vocabulary: Vocabulary

    @classmethod
    def load(cls, corpus_dir: Path) -> Knowledge:
        corpus_dir = Path(corpus_dir)
        return cls(
            corpus_dir=corpus_dir,
            catalog=_read(corpus_dir / "catalog.json", Catalog),
            versions=_read(corpus_dir / "versions.json", Versions) if (corpus_dir / "versions.json").exists() else Versions(pairs=[]),
            vocabulary=_read(corpus_dir / "vocabulary.json", Vocabulary) if (corpus_dir / "vocabulary.json").exists() else _empty_vocabulary(),
        )


def _empty_vocabulary() -> Vocabulary:
    return Vocabulary(domain_words=[], stopwords={}, generic_words={}, synonyms_zh=[], expansions={}, glossary_en={})


