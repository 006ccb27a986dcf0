"""The data that flows through the assistant.

corpus -> ``DocumentMeta`` + ``Section`` tree -> ``Chunk`` -> (index) -> ``Passage``
-> ``Answer`` with ``Citation``s. Eligibility reports live in ``assistant.eligibility``.

All are pydantic models so that the CLI, the REST API and the tests serialise them the same way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DocStatus = Literal["in_force", "draft_for_comment", "reprint", "excerpt", "superseded"]
FactField = Literal["number", "date", "effective", "issuers", "basis", "interpreter", "supersedes", "status"]


class Printed(BaseModel):
    """Where a fact about a document is printed: a verbatim span under a locator (of this document,
    or of ``doc_id`` when another document prints it, as the 管理办法's notice prints the 2022 文号)."""

    doc_id: str | None = Field(default=None, description="The document printing it, when not the document itself.")
    locator: str
    span: str


class DocumentMeta(BaseModel):
    """One entry of corpus/catalog.json."""

    id: str = Field(description="Stable id, e.g. 'nqsl-measures-2023'.")
    title: str = Field(description="Full official title.")
    short_title: str = Field(description="Short title used in citations, e.g. 《国家质量标准实验室管理办法》.")
    title_en: str = Field(default="", description="English title, for English answers.")
    role_en: str = Field(default="", description="Its standing in a few English words (the operative rule, earlier guidance …).")
    issuers: list[str] = Field(default_factory=list, description="Issuing bodies.")
    number: str | None = Field(default=None, description="Document number (文号), e.g. 国市监质发〔2023〕92号.")
    date: str = Field(description="Issue date, ISO form (YYYY-MM-DD or YYYY-MM).")
    status: DocStatus = Field(description="Standing of the text in the corpus.")
    kind: str = Field(description="What kind of text it is (部门规章性文件, 指导意见, 纲要, 征求意见稿 …).")
    authority_rank: int = Field(
        default=5,
        description="Lower ranks are more authoritative for eligibility questions (1 = the operative rule).",
    )
    source_file: str = Field(description="File under corpus/raw/ holding the text as received.")
    source_note: str = Field(default="", description="Where the text comes from and what is missing from it.")
    supersedes: list[str] = Field(default_factory=list, description="Ids of documents this one updates.")
    status_before: DocStatus | None = Field(
        default=None, description="For a superseded document: the status it had before the new version came.")
    aliases: list[str] = Field(
        default_factory=list,
        description="Words by which users name this document (纲要, 五部门, 辽宁 …); a question naming one favours it.",
    )
    generic_aliases: list[str] = Field(
        default_factory=list,
        description="Words that name this document only when no other document is named by one of its own "
        "aliases (指导意见 is the 2022 text, unless the question says 五部门…指导意见).",
    )
    region: list[str] = Field(
        default_factory=list,
        description="For one region's document (a province's plan): the names of the region and its places. A "
        "question naming none of them (nor the document) is not about this region, and its passages are demoted.",
    )
    body_start: str | None = Field(
        default=None, description="The document body begins at the first line starting with this (after noise removal)."
    )
    lead: str | None = Field(
        default=None,
        description="A reprint's news lead: the line starting with this, before the body, is kept in front of it "
        "and cited as 导语 (it can be the only text naming, say, the issuing bodies).",
    )
    body_stop: str | None = Field(
        default=None, description="The first line starting with this ends the body (site footers and the like)."
    )
    printed: dict[FactField, list[Printed]] = Field(
        default_factory=dict,
        description="Where the document's own facts (文号, date, issuers, basis, what it replaces, status) are printed.",
    )


class Section(BaseModel):
    """A node of a document's tree: 章, 条, （一）, 1., 一、, 专栏 …

    ``start``/``end`` are character offsets into the cleaned document text, so a node's text is
    always ``doc_text[start:end]`` (verbatim).
    """

    doc_id: str
    kind: Literal["document", "preamble", "volume", "chapter", "division", "article", "part", "section", "item",
                  "subitem", "point", "box", "paragraph"]
    label: str = Field(description="The marker as printed: 第十二条, （一）, 1., （1）, ①, 一、, 专栏6, 第3段 …")
    title: str = Field(default="", description="Heading words after the marker, e.g. 设施条件, 主要任务.")
    locator: str = Field(description="Citation locator, e.g. 第十二条（四）3 or 二、主要任务 > （四）聚焦研究重点.")
    path: list[str] = Field(default_factory=list, description="Heading path from the document root.")
    start: int
    end: int
    text: str = Field(description="Verbatim text of the node, children included.")
    children: list[Section] = Field(default_factory=list)


class ParsedDocument(BaseModel):
    meta: DocumentMeta
    text: str = Field(description="The cleaned document text; every quote is a span of it.")
    root: Section


class Chunk(BaseModel):
    """The unit that is embedded and retrieved. ``id`` is derived from content."""

    id: str
    doc_id: str
    doc_title: str
    doc_short_title: str
    locator: str
    heading_path: list[str] = Field(default_factory=list)
    text: str = Field(description="Verbatim text of the chunk (a span of the cleaned document).")
    status: DocStatus
    date: str
    article: str | None = Field(default=None, description="The 条 this chunk belongs to (第十二条), if any.")
    start: int
    end: int
    tokens: int = Field(description="Length in cl100k tokens.")


class Passage(BaseModel):
    """A retrieved chunk with its score."""

    chunk_id: str
    doc_id: str
    doc_title: str
    doc_short_title: str
    locator: str
    heading_path: list[str] = Field(default_factory=list)
    text: str
    status: DocStatus
    date: str
    article: str | None = None
    start: int = 0
    end: int = 0
    score: float = 0.0


class Citation(BaseModel):
    doc_id: str
    doc_title: str
    locator: str
    quote: str = Field(description="The exact words relied on: a verbatim span of the cleaned document.")
    text: str = Field(description="The full passage cited.")
    status: DocStatus = "in_force"
    marker: int | None = Field(default=None, description="The [n] marker used in the answer text.")


class Answer(BaseModel):
    text: str
    refused: bool = False
    declined: bool = Field(default=False, description="Not a question about the documents: politely declined.")
    citations: list[Citation] = Field(default_factory=list)
    language: Literal["zh", "en"] = "zh"
    backend: str = Field(default="extractive", description="Generator that produced the text.")
    fallback_reason: str | None = Field(
        default=None, description="Why the chain fell back to the extractive answer, if it did."
    )
    standalone_question: str | None = Field(
        default=None, description="The question as retrieved, after follow-up rewriting."
    )
    eligibility: dict | None = Field(default=None, description="Eligibility report, when the message carried figures.")

    def history_entry(self) -> dict:
        """This answer as a message of the chat history every surface sends back with the next
        question: its text, the question it answered and what it cited, so that a follow-up
        ("第二项呢", "它由谁组成") resolves against the articles and items of this answer."""
        return {"role": "assistant", "content": self.text, "question": self.standalone_question,
                "citations": [{"doc_id": c.doc_id, "locator": c.locator, "quote": c.quote} for c in self.citations]}
