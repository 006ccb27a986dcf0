"""Words: the tokenizer, applicants' words mapped onto the documents' words, and term statistics.

Built once from ``corpus/vocabulary.json`` (``Knowledge.vocabulary``) and the documents' sentences:

- ``Vocab.tokenize(text)``: the tokens of the lexical retrieval legs — jieba's search mode with the
  domain terms kept whole (依托单位, 专家委员会), lower-cased, stop words and punctuation dropped,
  Chinese numerals also given in digits (两年 → 2), as the documents mostly print digits;
- ``Vocab.expand(text)``: the query plus the documents' words for applicant and English words
  (场地 → 科研用房 面积, "floor area" → 面积);
- ``Vocab.terms(question)``: the concepts a question names, each as the document words that express
  it (``Term``), weighted by IDF over the corpus sentences, so 国家/质量/实验室 (everywhere) weigh
  little and 延长/公示 (rare) a lot; ``coverage(terms, text)`` is the weighted share a text expresses.

It matches words; it does not understand sentences (the dense legs and the question bank do the
paraphrases this table does not know).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field

from assistant.knowledge import Vocabulary
from assistant.numbers import forms, parse_number

_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_CN_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万]+$")
_ZH_RUN = re.compile(r"[\u4e00-\u9fff]+")
_EN_WORD = re.compile(r"[a-zA-Z][a-zA-Z\-']*")
_HAN_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")
# jieba keeps 哪些方面 / 什么样 / 多少人 whole; the part after the question word is the concept.
_QWORD_PREFIX = re.compile(r"^(哪些|哪个|哪几个|哪几|什么样的?|什么|多少|几个|怎样的?)")
# A period (两年, 6个月) the documents print either way (任期两年, 不超过2年).
_ZH_QUANTITY = re.compile(r"^([一二两三四五六七八九十]+)(个月|年|天)$")
_DIGIT_QUANTITY = re.compile(r"(?<![\d.])(\d{1,3})\s*(个月|年|天)")
# A figure is rare in the documents, so its idf is high; but it is weaker evidence of the topic
# than a concept word: it weighs like an ordinary word.
_QUANTITY_WEIGHT = 3.0


@dataclass(frozen=True)
class Term:
    """One concept of a question: the word used and the document words that express it."""

    source: str
    variants: tuple[str, ...]
    weight: float
    source_in_corpus: bool = False
    vocab: "Vocab | None" = field(default=None, compare=False, repr=False)

    def _has(self, word: str, text: str) -> bool:
        if word not in text:
            return False
        if word[:1].isdigit():
            return re.search(rf"(?<![\d.]){re.escape(word)}", text) is not None  # 5项 is not in 15项
        if len(word) > 2 or self.vocab is None or not _HAN_ONLY.match(word):
            return True
        # A two-character word must be a word of the text, not a chance pair (性质 in 共性质量).
        return word in self.vocab.words(text)

    def matches(self, text: str) -> bool:
        return any(self._has(v, text) for v in self.variants)

    def strength(self, text: str) -> float:
        """1 when the text uses the asker's own word, less when only a synonym matches."""
        if self.source_in_corpus and self._has(self.source, text):
            return 1.0
        if self.matches(text):
            return 0.75 if self.source_in_corpus else 1.0
        return 0.0


class Vocab:
    def __init__(self, data: Vocabulary, sentences: list[str] | None = None):
        self.data = data
        self.sentences = sentences or []
        self.stop = set(data.stopwords.get("zh", [])) | set(data.stopwords.get("en", []))
        self.generic = set(data.generic_words.get("zh", [])) | set(data.generic_words.get("en", [])) | self.stop
        self.synonyms: dict[str, tuple[str, ...]] = {}
        for s in data.synonyms_zh:
            for w in s.applicant:
                self.synonyms.setdefault(w, tuple(s.document))
        self.expansions = data.expansions
        # An English key is looked for (as whole words) only when all its words are in the text.
        self._ascii_words = {k: set(re.findall(r"\w+", k)) for k in self.expansions if k.isascii()}
        self.glossary = {k.lower(): tuple(v) for k, v in data.glossary_en.items()}
        self._tokenizer = None
        self._df: dict[str, int] = {}
        self._words: dict[str, frozenset[str]] = {}

    # -- tokens --------------------------------------------------------------------------------
    @property
    def tokenizer(self):
        if self._tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            for w in self.data.domain_words:
                tk.add_word(w, freq=200000)
            for s in self.data.synonyms_zh:
                for w in (*s.applicant, *s.document):
                    if len(w) >= 2 and w not in self.data.domain_words:
                        tk.add_word(w, freq=2000)
            self._tokenizer = tk
        return self._tokenizer

    def tokenize(self, text: str) -> list[str]:
        """Search tokens of ``text`` for BM25 (see module docstring)."""
        out: list[str] = []
        for tok in self.tokenizer.lcut_for_search(text.lower()):
            tok = tok.strip()
            if not tok or tok in self.stop or not _WORD.search(tok):
                continue
            out.append(tok)
            if _CN_NUMERAL.match(tok) and tok not in ("一", "两"):
                v = parse_number(tok)
                if v is not None and v == int(v):
                    out.append(str(int(v)))
        return out

    def expand(self, text: str) -> str:
        """``text`` plus the documents' wording for the applicant or English words it contains."""
        low = text.lower()
        words = set(re.findall(r"\w+", low))
        extra = [v for k, v in self.expansions.items()
                 if (self._ascii_words[k] <= words and re.search(rf"\b{re.escape(k)}\b", low) if k.isascii() else k in low)]
        return text if not extra else f"{text} {' '.join(extra)}"

    def zh_tokens(self, text: str) -> list[str]:
        return [w for run in _ZH_RUN.findall(text) for w in self.tokenizer.lcut(run) if w.strip()]

    def words(self, text: str) -> frozenset[str]:
        """The words of ``text`` in jieba's search mode (科研用房 gives 科研, 用房 and 科研用房)."""
        w = self._words.get(text)
        if w is None:
            w = frozenset(t for run in _ZH_RUN.findall(text) for t in self.tokenizer.lcut_for_search(run))
            if len(self._words) > 20000:
                self._words.clear()
            self._words[text] = w
        return w

    # -- statistics ----------------------------------------------------------------------------
    def df(self, term: str) -> int:
        if term not in self._df:
            self._df[term] = sum(1 for s in self.sentences if term in s)
        return self._df[term]

    def idf(self, term: str) -> float:
        n = max(len(self.sentences), 1)
        return math.log((n + 1) / (self.df(term) + 1)) + 0.1

    # -- a question's concepts -----------------------------------------------------------------
    def terms(self, question: str) -> list[Term]:
        """Concepts named by ``question``, each as the document words that express it."""
        out: list[Term] = []
        seen: set[tuple[str, ...]] = set()

        def add(source: str, variants: tuple[str, ...], cap: float | None = None) -> None:
            variants = tuple(dict.fromkeys(v for v in variants if v))
            key = tuple(sorted(variants))
            if not variants or key in seen:
                return
            seen.add(key)
            present = [v for v in variants if self.df(v)]
            # A word the documents never use still counts (they may not talk about it at all),
            # capped so that one odd paraphrase cannot dominate.
            w = max(self.idf(v) for v in present) if present else min(self.idf("\u0000"), 3.0)
            if cap is not None:
                w = min(w, cap)
            out.append(Term(source, variants, w, bool(self.df(source)), self))

        low = question.lower()
        consumed = low
        for phrase in sorted(self.glossary, key=len, reverse=True):
            if re.search(rf"\b{re.escape(phrase)}\b", consumed):
                add(phrase, self.glossary[phrase])
                consumed = re.sub(rf"\b{re.escape(phrase)}\b", " ", consumed)
        for word in _EN_WORD.findall(consumed):
            for stem in (word[:-1] if word.endswith("s") else None, word[:-2] if word.endswith("ed") else None,
                         word[:-3] if word.endswith("ing") else None):
                if stem and stem in self.glossary:
                    add(stem, self.glossary[stem])
                    break
        for m in re.finditer(r"[“\"]([^”\"]{2,12})[”\"]", question):
            if self.df(m.group(1)):
                add(m.group(1), (m.group(1),))
        for m in re.finditer(r"(\d{4})\s*年", question):
            add(m.group(0), (m.group(1) + "年",))
        for m in re.finditer(r"(?<!\d)((?:19|20)\d{2})(?![\d年])", question):
            add(m.group(1), (m.group(1) + "年",))
        for m in _DIGIT_QUANTITY.finditer(question):
            if m.group(2) == "年" and len(m.group(1)) >= 3:
                continue
            unit = "月" if m.group(2) == "个月" else m.group(2)
            add(m.group(0), forms(float(m.group(1)), unit), cap=_QUANTITY_WEIGHT)
        for tok in (_QWORD_PREFIX.sub("", t) or t for t in self.zh_tokens(question)):
            if tok in self.generic or (len(tok) < 2 and tok not in {"钱", "费", "管"}):
                continue
            if q := _ZH_QUANTITY.match(tok):
                v = parse_number(q.group(1))
                if v is not None:
                    add(tok, forms(v, "月" if q.group(2) == "个月" else q.group(2)), cap=_QUANTITY_WEIGHT)
                continue
            if tok in self.synonyms:
                doc_words = self.synonyms[tok]
                variants: tuple[str, ...] = (tok, *doc_words) if doc_words else ()
            elif tok in self.expansions:
                variants = (tok, *self.expansions[tok].split())
            else:
                variants = (tok,)
                if not self.df(tok):
                    # A compound the documents never print (主攻方向): its known tail.
                    for i in range(1, len(tok) - 1):
                        tail = tok[i:]
                        hit = self.synonyms.get(tail)
                        if hit is not None or self.df(tail):
                            variants = (tok, tail, *(hit or ()))
                            break
            add(tok, variants)
        return out

    @staticmethod
    def coverage(terms: list[Term], text: str) -> float:
        """Weighted share of ``terms`` that ``text`` expresses (0..1)."""
        total = sum(t.weight for t in terms)
        if total <= 0:
            return 0.0
        return sum(t.weight * t.strength(text) for t in terms) / total
