"""One analysis of a question, computed once and handed to retrieval and answering.

``QuestionReader.read(text)`` gives a ``Question``:

- ``language``: zh or en (``assistant.language``);
- ``asks``: what kind of answer is wanted — figure, duration, date, body, list, yesno, definition,
  purpose, procedure or other — learnt from the question bank (each bank question carries the kind
  of its entry): a character n-gram model, so 几年 / 多久 / how long read as a duration however they
  are phrased, with no hand-written pattern per phrasing;
- ``parts``: the clauses that each ask something (建设期多久？能延期吗？ has two), and the things
  asked about 分别 (A和B分别由谁… → A…, B…);
- ``documents``: the documents it names (catalog aliases: 纲要, 五部门, 2022年的指导意见 …);
- ``facts``: the facts of a document it asks, as (document, fact) pairs (管理办法的文号是多少 →
  the 管理办法's number), when that is all it asks: the catalog's cues (``fact_cues``) match, it
  names the document (or follows up on one), and nothing but filler is left once the cue, the
  document's names and its title's words are taken out (名单由哪个部门发布 asks about 名单);
- ``compared``: for a question comparing a text with the one it superseded (2022年意见和2023年办法里
  评审机构有什么变化？), the two documents; ``parts`` then asks the question of each of them;
- ``articles``: the articles and items it names, normalised (第12条 = 第十二条 = Article 12;
  第十二条第（三）项 / 第十二条（三）);
- ``stated``: the quantities the asker states (``assistant.numbers``: 至少要30人吧 → 30人);
- ``terms``: its concepts as document words (``assistant.vocabulary``);
- ``asks`` is the kind model's reading unless the question words ask for a quantity (几月几号 →
  date, 多久 → duration, 多少万 / how many → figure): the model reads whole questions, and their
  topic words can outweigh those;
- ``vector``: its embedding, computed on first use and then kept; ``search_vector``: the same
  without the document's English name, which retrieval and the span scoring search with.

A follow-up is read after it has been made self-contained (``answering.followup``); ``focus``
holds the user's own words of it. Nothing here decides how to answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from assistant.language import detect_language
from assistant.numbers import Quantity, article_label, quantities, to_int

if TYPE_CHECKING:
    from assistant.bank import QuestionBank
    from assistant.knowledge import Catalog
    from assistant.vocabulary import Term, Vocab

_ARTICLE_REF = re.compile(r"第\s*([一二三四五六七八九十百零〇两\d]+)\s*条")
_ARTICLE_REF_BARE = re.compile(r"(?<![第\d一二三四五六七八九十])([一二三四五六七八九十]{1,3}|\d{1,2})\s*条(?![件款例])")
_ARTICLE_REF_EN = re.compile(r"\b(?:article|art\.?)\s*(\d{1,3})\b", re.I)
_ITEM_REF = re.compile(
    r"^\s*(?:第?\s*[（(]\s*([一二三四五六七八九十]+|\d{1,2})\s*[）)]\s*项?|第([一二三四五六七八九十]+|\d{1,2})项"
    r"|\s*\(\s*(\d{1,2})\s*\)|\s*item\s*\(?(\d{1,2})\)?)",
    re.I,
)
_CLAUSE = re.compile(r"[？?；;。！!\n]")
_ASKING_ZH = re.compile(r"谁|哪|什么|啥|多少|(?<![好十])几(?!乎)|多久|多长|多大|怎么|咋|如何|怎样|吗|么[？?]?$|是否|能否|有没有|会不会|要不要|呢|还是")
_ASKING_EN = re.compile(r"\b(who|which|what|how|when|where|whether|can|could|is|are|do|does|must|should|will)\b|\?", re.I)
_RESPECTIVELY = re.compile(r"^(.*?)([^，,、和与及]{2,12})(?:和|与|及|、)([^，,、和与及]{2,12})分别(.+)$")
# The question words that ask for a quantity, whatever the topic: the kind model learns from whole
# questions, whose topic words (扶助支持, 年度运行报告) can outweigh 多少万 / 几月几号.
_ASKS_DATE = re.compile(r"几月几[号日]|哪一?天|哪年哪月|什么日子|\bwhat date\b|\bwhich day\b|\bon what day\b", re.I)
_ASKS_DURATION = re.compile(r"多久|多长时间|多少年|几年|几个月|多少天|几天|\bhow long\b|\bhow many (?:years|months|days)\b", re.I)
_ASKS_FIGURE = re.compile(r"多少(?:万|钱|元|个|家|项|人|名|次|平方|篇|所)?|几(?:个|家|项|人|名|次|所|篇)|\bhow (?:many|much)\b", re.I)
_YES_NO = re.compile(r"吗[？?！!。\s]*$|能不能|可不可以|是否|\b(?:can|could|may) (?:several|a few)\b", re.I)


def _quantity_asked(text: str) -> str | None:
    """date / duration / figure when ``text`` asks for one by its question words, else None."""
    own = strip_context(text)
    if _ASKS_DATE.search(own):
        return "date"
    if _ASKS_DURATION.search(own):
        return "duration"
    if _ASKS_FIGURE.search(own) and not _YES_NO.search(own):  # 几家单位可以联合申报吗: 几 is "several"
        return "figure"
    return None


def _name_pattern(name: str) -> str:
    """A document's name as a pattern: its words apart by spaces or hyphens (supply-chain)."""
    return r"[\s\-‐‑–]+".join(re.escape(w) for w in name.split()) if name.strip() else re.escape(name)


_MIIT, _MIIT_SAFE = "工业和信息化", "工业\u2060信息化"  # 工业和信息化部 is one name, not two things


# What a follow-up made self-contained carries after the asker's words (``answering.followup``).
CONTEXT_ZH, CONTEXT_EN = "（接上文：", " (following up on: "
_CONTEXT = re.compile(r"\s*[（(](?:接上文|following up on)[：:]\s*(.*)$", re.S)


def strip_context(text: str) -> str:
    """A follow-up's own words, without the context appended to it."""
    return _CONTEXT.sub("", text).strip() or text


def context_of(text: str) -> str:
    """The context appended to a follow-up made self-contained, without its brackets ('' if none)."""
    m = _CONTEXT.search(text)
    inner = m.group(1).strip() if m else ""
    return inner[:-1].rstrip() if inner.endswith(("）", ")")) else inner


def _own_words(text: str) -> str:
    return strip_context(text)


@dataclass(frozen=True)
class ArticleRef:
    article: str  # 第十二条
    item: str | None = None  # （三）

    @property
    def locator(self) -> str:
        return self.article + (self.item or "")


def article_refs(text: str) -> list[ArticleRef]:
    """The articles (and items) ``text`` names, in order: 第12条第（三）项 -> 第十二条（三）."""
    out: list[ArticleRef] = []
    for pattern in (_ARTICLE_REF, _ARTICLE_REF_EN):
        for m in pattern.finditer(text):
            try:
                n = to_int(m.group(1))
            except ValueError:
                continue
            if not 1 <= n <= 999:
                continue
            item = None
            im = _ITEM_REF.match(text[m.end():m.end() + 12])
            if im:
                raw = next(g for g in im.groups() if g)
                try:
                    from assistant.numbers import chinese

                    item = f"（{raw if not raw.isdigit() else chinese(int(raw))}）"
                except ValueError:
                    item = None
            ref = ArticleRef(article_label(n), item)
            if ref not in out:
                out.append(ref)
    return out


def asks_something(text: str, lang: str) -> bool:
    """Whether a clause asks a question (a question word or mark), not only instructs."""
    return bool((_ASKING_EN if lang == "en" else _ASKING_ZH).search(text)) or text.rstrip().endswith(("？", "?"))


def split_parts(text: str, lang: str) -> list[str]:
    """The clauses of ``text`` that ask something, and for A和B分别… one part per thing named."""
    clauses = [c.strip() for c in _CLAUSE.split(text) if len(c.strip()) >= 3]
    asking = _ASKING_EN if lang == "en" else _ASKING_ZH
    parts: list[str] = []
    for c in clauses:
        m = _RESPECTIVELY.match(c.replace(_MIIT, _MIIT_SAFE)) if lang == "zh" else None
        if m:
            head, a, b, rest = (g.replace(_MIIT_SAFE, _MIIT) for g in m.groups())
            parts += [f"{head}{a}{rest}", f"{head}{b}{rest}"]
        elif asking.search(c):
            parts.append(c)
    return list(dict.fromkeys(parts)) or [text.strip()]


@dataclass
class Question:
    text: str  # what is answered: the message, or a follow-up made self-contained
    language: Literal["zh", "en"]
    asks: str
    asks_p: dict[str, float] = field(default_factory=dict)  # the kind model's probability of each kind
    parts: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    facts: list[tuple[str, str]] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)  # the documents a comparison asks of, newer first
    articles: list[ArticleRef] = field(default_factory=list)
    stated: list[Quantity] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    focus: set[str] = field(default_factory=set)  # terms of the user's own words in a follow-up
    message: str = ""  # the message as typed
    follow_up: bool = False
    exclude: frozenset[str] = frozenset()  # bank questions (keys) to leave out: a bank question asked as a test of the rest
    search_text: str = ""  # an English text without the document's name, when it names one (see ``search_vector``)
    _vector: np.ndarray | None = None
    _search_vector: np.ndarray | None = None
    _embed: object = None

    @property
    def vector(self) -> np.ndarray:
        if self._vector is None:
            self._vector = self._embed(self.text)
        return self._vector

    @property
    def search_vector(self) -> np.ndarray:
        """The embedding of what is asked, the document's English name left out (``search_text``):
        which document is meant is ``documents`` (a prior of retrieval), and the name in the vector
        would pull towards the passages that repeat a title (a preamble, a news lead) rather than
        those that answer. Retrieval and the span scoring search with it."""
        if not self.search_text or self.search_text == self.text:
            return self.vector
        if self._search_vector is None:
            self._search_vector = self._embed(self.search_text)
        return self._search_vector

    @property
    def multi_part(self) -> bool:
        return len(self.parts) > 1

    def weight(self, term: Term) -> float:
        return term.weight * (2.0 if term.source in self.focus else 1.0)

    def coverage(self, text: str, terms: list[Term] | None = None) -> float:
        terms = self.terms if terms is None else terms
        total = sum(self.weight(t) for t in terms)
        if total <= 0:
            return 0.0
        return sum(self.weight(t) * t.strength(text) for t in terms) / total


# What a question about a document's own facts asks for (a date for 哪天印发, a body for 谁发的).
_FACT_ASKS = {"date": "date", "effective": "date", "interpreter": "body", "issuers": "body", "number": "other", "basis": "other", "supersedes": "other",
              "status": "yesno"}


class AsksModel:
    """What kind of answer a question wants, learnt from the bank's questions (character 1–3-grams,
    logistic regression). Without a bank every question asks ``other``."""

    def __init__(self, bank: QuestionBank | None):
        self.model = None
        texts: list[str] = []
        labels: list[str] = []
        for e, q in bank.questions() if bank is not None else []:
            kind = e.data.asks if e.data.answered else e.data.missing
            if e.kind == "document_fact":
                kind = _FACT_ASKS.get(e.data.field)
            if e.kind in ("passage", "document_fact") and kind:
                texts.append(q.q)
                labels.append(kind)
        if len(set(labels)) >= 2:
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.linear_model import LogisticRegression
            from sklearn.pipeline import make_pipeline

            self.model = make_pipeline(
                TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2, lowercase=True),
                LogisticRegression(C=4.0, max_iter=2000),
            )
            self.model.fit(texts, labels)

    def predict(self, text: str) -> tuple[str, dict[str, float]]:
        if self.model is None:
            return "other", {}
        p = self.model.predict_proba([text])[0]
        probs = {c: float(v) for c, v in zip(self.model.classes_, p)}
        return max(probs, key=probs.get), probs


class QuestionReader:
    """Reads questions into ``Question``s; holds what that needs (catalog, vocabulary, kind model,
    embedder), built once."""

    def __init__(self, catalog: Catalog, vocab: Vocab, asks: AsksModel, embed=None,
                 compare_words: list[str] | None = None):
        self.catalog = catalog
        self.compare_words = [w.lower() for w in compare_words or []]
        self.vocab = vocab
        self.asks = asks
        self.embed = embed  # text -> vector (cached by the caller)
        # Names of documents are not concepts of a question: which document is asked about is
        # ``documents``, and a passage merely quoting a title does not answer.
        self.names = catalog.names
        self._names_longest_first = [re.compile(_name_pattern(n), re.I) for n in catalog.names_longest_first]
        # For the search vector the English titles go too (the Measures for the Administration of …).
        self._search_names = [re.compile(_name_pattern(n), re.I) for n in sorted(
            self.names | {d.title_en.lower() for d in catalog.documents if d.title_en}, key=len, reverse=True)]
        self._title_terms: dict[str, set[str]] = {}

    def _titles(self, doc_id: str) -> tuple[list[str], set[str]]:
        """A document's names (aliases, titles) and the terms of its titles."""
        d = self.catalog.by_id[doc_id]
        names = [*d.aliases, *d.generic_aliases, d.title, d.short_title.strip("《》"), d.title_en]
        if doc_id not in self._title_terms:
            self._title_terms[doc_id] = {t.source.lower() for n in names if n for t in self.vocab.terms(n)}
        return [n for n in names if n], self._title_terms[doc_id]

    def search_text(self, text: str, documents: set[str], follow_up: bool = False) -> str:
        """An English ``text`` without the name of the one document it names, when enough is left to
        search by (three words); else ``text``. An English name (the Guiding Opinions on Quality
        Infrastructure Supporting …, the supply-chain guidance) is long beside the question and
        draws its vector to the Chinese title lines; a Chinese name (纲要, 辽宁) is a word of the
        question, and measured across the evaluation sets, taking it out gained nothing. A question
        naming two documents (a comparison) or a follow-up read with its context keeps them: there
        the names say what is asked."""
        if len(documents) != 1 or follow_up or detect_language(text) != "en":
            return text
        core = text
        for name in self._search_names:
            core = name.sub(" ", core)
        core = re.sub(r"\s+", " ", core).strip(" ，,、的")
        enough = len(re.findall(r"[A-Za-z]+", core)) >= 3
        return core if enough else text

    def compared(self, own: str, documents: set[str]) -> list[str]:
        """The two documents a question compares: a text and the one it superseded, both named, or
        one named (or none) with words asking how the texts differ (变化, 一样吗, differ …)."""
        low = own.lower()
        compares = any(w in low for w in self.compare_words)
        for d in self.catalog.documents:
            for old in d.supersedes:
                pair = {d.id, old}
                if documents == pair or (compares and documents <= pair):
                    return [d.id, old]
        return []

    def _asked_of(self, own: str, doc_id: str, lang: str) -> str:
        """``own`` asked of one document: the documents' names taken out, that one's title put in."""
        core = own
        for name in self._names_longest_first:
            core = name.sub("", core)
        core = re.sub(r"^[\s，,、和与及里中的]+", "", core).strip() or own
        d = self.catalog.by_id[doc_id]
        return f"{core} ({d.title_en})" if lang == "en" else f"{d.short_title}{core}"

    def facts(self, own: str, lang: str, docs: set[str]) -> list[tuple[str, str]]:
        """The (document, fact) pairs a question asks of ``docs``, when it asks nothing else (see
        ``Question``)."""
        fields, cue_words = self.catalog.asked_facts(own, lang)
        if not fields or not docs:
            return []
        rest = own.lower()
        titles: set[str] = set()
        names = list(cue_words)
        for d in docs:
            n, t = self._titles(d)
            names += n
            titles |= t
        for w in sorted({w.lower() for w in names}, key=len, reverse=True):
            rest = rest.replace(w, " ")
        filler = {w.lower() for w in self.catalog.fact_cues.filler.get(lang, [])}
        left = [t for t in self.vocab.terms(rest)
                if t.source.lower() not in titles | filler | self.names]
        if left:
            return []
        return [(d, f) for d in sorted(docs, key=lambda d: self.catalog.by_id[d].authority_rank) for f in fields]

    def prefetch(self, texts: list[str]) -> None:
        """Embed several texts about to be read in one batch (when the embedder batches)."""
        many = getattr(self.embed, "many", None)
        if many is not None and len(texts) > 1:
            many([t.strip() for t in texts])

    def read(self, text: str, message: str | None = None, focus_text: str | None = None) -> Question:
        text = text.strip()
        lang = detect_language(message or text)
        asks, probs = self.asks.predict(focus_text or text)
        asks = _quantity_asked(focus_text or text) or asks
        documents = self.catalog.named_documents(text)
        own = _own_words(text)
        # The documents the asker's own words name (a follow-up's context may name others).
        own_documents = documents if own == text else self.catalog.named_documents(own)
        parts = split_parts(own, detect_language(text))
        compared = self.compared(own, own_documents) if not focus_text else []
        if compared and len(parts) == 1:
            parts = [self._asked_of(own, d, lang) for d in compared]
        else:
            compared = []
        q = Question(
            text=text,
            language=lang,
            asks=asks,
            asks_p=probs,
            parts=parts,
            compared=compared,
            documents=documents,
            facts=self.facts(own, lang, own_documents or documents),
            articles=article_refs(text),
            stated=quantities(message or text),
            terms=[t for t in self.vocab.terms(text) if t.source.lower() not in self.names],
            message=(message or text).strip(),
            follow_up=bool(focus_text),
            search_text=self.search_text(text, documents, bool(focus_text)),
            _embed=self.embed,
        )
        if focus_text:
            q.focus = {t.source for t in self.vocab.terms(focus_text)}
        return q
