"""REST API v1 (``/api/v1``): ask (with history, streamed or not), search, eligibility, documents,
one article by locator, feedback, and the widget's configuration.

Errors are JSON ``{"error": {"status": …, "message": …}}`` with a message a person can act on:
bad input is a 4xx, too many requests a 429 and a dependency that is away a 503 (both with
Retry-After), and no request can take the server down (see ``install_error_handlers``).
The question length bound is ``Settings.retrieval.max_query_chars`` (the schema's ``maxLength``
and the assistant's own check are that one number). The question log itself is not exposed
here: it is read in the help-desk console only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, ValidationError, create_model
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import InputError, ServiceUnavailable
from assistant.types import Answer, DocStatus, DocumentMeta, Passage, Section
from assistant.web.forms import figure_errors
from assistant.web.i18n import DOC_STATUS, label, t
from assistant.web.inputs import clean_text
from assistant.web.render import answer_html, article_body_html, eligibility_html, enclosing_article
from assistant.web.ratelimit import RateLimited
from assistant.web.service import Answered, WebService
from assistant.web.store import MAX_ID, UnknownQuestion

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------
# request and response bodies
# --------------------------------------------------------------------------------------------


class HistoryCitation(BaseModel):
    doc_id: str = Field(max_length=100)
    locator: str = Field(max_length=200)
    quote: str = Field(default="", max_length=4000)


class Message(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)
    question: str | None = Field(default=None, max_length=4000,
                                 description="Assistant turns: the question it answered (answer.standalone_question).")
    citations: list[HistoryCitation] = Field(
        default_factory=list, max_length=20,
        description="Assistant turns: the answer's citations, sent back so that a follow-up "
                    "(\"第二项呢\", \"它由谁组成\") resolves against what the answer cited.")


class AskRequest(BaseModel):
    question: str = Field(min_length=1, description="The applicant's message.")
    history: list[Message] = Field(
        default_factory=list, max_length=50, description="Earlier turns, oldest first (for follow-up questions)."
    )
    channel: Literal["api", "widget"] = Field(default="api", description="Where the question comes from (for the log).")


class AskResponse(BaseModel):
    question_id: int = Field(description="Id in the question log; send it back with feedback.")
    answer: Answer
    html: str = Field(description="The answer rendered as an HTML fragment (text, eligibility table, citation cards).")


class EligibilityRequest(BaseModel):
    text: str | None = Field(default=None, description="Free text with the lab's figures.")
    profile: dict[str, Any] | None = Field(
        default=None,
        description="Figures by canonical key: area_m2, equipment_wan (万元), projects_count, projects_funding_wan, "
        "standards_3y, transfers_3y, service_revenue_wan, affiliation (central|local), level, years_running.",
    )
    lang: Literal["zh", "en"] = "zh"


class EligibilityResponse(BaseModel):
    report: dict[str, Any] = Field(description="figures, criteria[{id,status,detail,citation}], overall, channel, priority …")
    html: str


class OutlineNode(BaseModel):
    kind: str
    label: str
    title: str
    locator: str
    children: list[OutlineNode] = Field(default_factory=list)


class DocumentOut(BaseModel):
    meta: DocumentMeta
    outline: list[OutlineNode]


class ArticleOut(BaseModel):
    doc_id: str
    doc_title: str
    doc_short_title: str
    doc_number: str | None
    doc_date: str
    status: DocStatus
    status_label: str
    locator: str = Field(description="The locator asked for (may be a 款 or 项).")
    article_locator: str = Field(description="The 条 (or section) shown in full around it.")
    path: list[str]
    text: str = Field(description="Verbatim text of the article.")
    quote_found: bool = Field(description="Whether the quote was found (and highlighted) in the article.")
    html: str = Field(description="The article as escaped HTML with the quote in <mark>.")


class FeedbackRequest(BaseModel):
    question_id: int = Field(ge=1, le=MAX_ID, description="The question_id an answer came with.")
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=2000)


class FeedbackResponse(BaseModel):
    feedback_id: int


class WidgetConfig(BaseModel):
    title: str
    languages: list[str]
    chat_path: str


# --------------------------------------------------------------------------------------------
# routes
# --------------------------------------------------------------------------------------------


def bounded(model: type[BaseModel], field_name: str, max_chars: int) -> type[BaseModel]:
    """``model`` with ``field_name`` bounded to ``max_chars`` characters (so the OpenAPI schema
    states the bound the assistant enforces, and validation refuses longer text with a 422)."""
    info = model.model_fields[field_name]
    annotation = Annotated[info.annotation, *info.metadata, Field(max_length=max_chars)]
    return create_model(model.__name__, __base__=model,
                        **{field_name: (annotation, Field(default=info.default, description=info.description))})


def request_body(model: type[BaseModel]):
    """Declare a route's ``req`` parameter as ``model``, a class made at run time (a string
    annotation naming a local would not resolve)."""

    def declare(fn):
        fn.__annotations__["req"] = model
        return fn

    return declare


def client_of(request: Request) -> str | None:
    """The client's address, as ``middleware.ClientAddress`` decided it."""
    return request.client.host if request.client else None


def build_router(service: WebService) -> APIRouter:
    a = service.assistant
    r = APIRouter(prefix="/api/v1")
    max_chars = service.max_question_chars
    ask_request = bounded(AskRequest, "question", max_chars)
    eligibility_request = bounded(EligibilityRequest, "text", max_chars)

    @r.post("/ask", response_model=AskResponse, summary="Answer a question with citations")
    @request_body(ask_request)
    async def ask(req, request: Request) -> AskResponse:
        service.admit("ask", client_of(request))
        done = await service.run(service.ask, req.question, [m.model_dump() for m in req.history], req.channel)
        return AskResponse(question_id=done.question_id, answer=done.answer, html=answer_html(done.answer))

    @r.post(
        "/ask/stream",
        summary="Answer a question, streamed as NDJSON",
        description='One JSON object per line: {"type":"delta","text":…} while the answer is written, then '
        '{"type":"answer","question_id":…,"answer":{…},"html":…}; {"type":"error","message":…} if it fails midway.',
        response_class=StreamingResponse,
    )
    @request_body(ask_request)
    async def ask_stream(req, request: Request) -> StreamingResponse:
        service.admit("ask", client_of(request))
        items = service.ask_stream(req.question, [m.model_dump() for m in req.history], req.channel)
        first = await service.run(next, items)  # bad input raises here, while a 4xx can still be sent
        return StreamingResponse(_ndjson(first, service.stream(items)), media_type="application/x-ndjson",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @r.get("/search", response_model=list[Passage], summary="Search the articles")
    async def search(
        request: Request,
        q: str = Query(min_length=1, max_length=max_chars, description="Words to search for."),
        k: int = Query(default=5, ge=1, le=50),
        doc_id: list[str] | None = Query(default=None, description="Only these documents."),
        status: list[DocStatus] | None = Query(default=None, description="Only documents with these statuses."),
    ) -> list[Passage]:
        known = {m.id for m in a.documents()}
        unknown = [d for d in doc_id or [] if d not in known]
        if unknown:
            raise InputError(f"Unknown document id(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
        service.admit("search", client_of(request))
        return await service.run(service.search, q, k, doc_id or None, status or None)

    @r.post("/eligibility", response_model=EligibilityResponse, summary="Check a lab against 第十二条")
    @request_body(eligibility_request)
    async def eligibility(req, request: Request) -> EligibilityResponse:
        if (req.text is None) == (req.profile is None):
            raise InputError("Give either `text` or `profile`. 请提供文字描述（text）或数据（profile）之一。")
        if req.profile is not None:
            errors = figure_errors(req.profile, req.lang)
            if errors:
                raise InputError(" ".join(errors))
            from assistant.eligibility import LabProfile

            subject: Any = LabProfile.model_validate(req.profile)
        else:
            if not req.text.strip():
                raise InputError(t("err_empty_form", req.lang))
            subject = req.text
        service.admit("eligibility", client_of(request))
        report = await service.run(service.check_eligibility, subject, req.lang)
        data = report.model_dump(mode="json") if hasattr(report, "model_dump") else dict(report)
        return EligibilityResponse(report=data, html=eligibility_html(report, req.lang))

    @r.get("/documents", response_model=list[DocumentMeta], summary="The policy documents")
    def documents() -> list[DocumentMeta]:
        return a.documents()

    @r.get("/documents/{doc_id}", response_model=DocumentOut, summary="One document with its tree of sections")
    def document(doc_id: str) -> DocumentOut:
        doc = _document(a, doc_id)
        return DocumentOut(meta=doc.meta, outline=[_outline(s) for s in doc.root.children])

    @r.get("/documents/{doc_id}/article", response_model=ArticleOut, summary="One article by locator")
    def article(
        doc_id: str,
        locator: str = Query(min_length=1, max_length=300, description="e.g. 第十二条 or 第十二条（四）3"),
        quote: str | None = Query(default=None, max_length=4000, description="Words to highlight."),
    ) -> ArticleOut:
        return article_out(service, doc_id, locator, quote)

    @r.post("/feedback", response_model=FeedbackResponse, summary="Rate an answer (thumbs up/down, optional comment)")
    def feedback(req: FeedbackRequest, request: Request) -> FeedbackResponse:
        service.admit("feedback", client_of(request))
        try:
            fid = service.store.add_feedback(req.question_id, 1 if req.rating == "up" else -1, clean_text(req.comment))
        except UnknownQuestion as e:
            raise HTTPException(404, str(e)) from None
        return FeedbackResponse(feedback_id=fid)

    @r.get("/widget/config", response_model=WidgetConfig, summary="What the embeddable widget needs to start")
    def widget_config(lang: Literal["zh", "en"] = "zh") -> WidgetConfig:
        # Served with CORS for the allowed host sites only: the widget loader calls this first, so
        # on a site that is not allowed it stays hidden instead of showing a panel that cannot load.
        return WidgetConfig(title=t("app_title", lang), languages=["zh", "en"], chat_path="/widget")

    return r


async def _ndjson(first: str | Answered, rest: AsyncIterator[str | Answered]) -> AsyncIterator[str]:
    def line(item: str | Answered) -> str:
        if isinstance(item, Answered):
            obj = {
                "type": "answer",
                "question_id": item.question_id,
                "answer": item.answer.model_dump(mode="json"),
                "html": answer_html(item.answer),
            }
        else:
            obj = {"type": "delta", "text": item}
        return json.dumps(obj, ensure_ascii=False) + "\n"

    yield line(first)
    try:
        async for item in rest:
            yield line(item)
    except Exception as e:  # the headers are gone: report the failure in the stream itself
        log.exception("answer stream failed")
        msg = str(e) if isinstance(e, InputError) else "The answer could not be completed. 回答生成失败，请重试。"
        yield json.dumps({"type": "error", "message": msg}, ensure_ascii=False) + "\n"


def _document(a, doc_id: str):
    try:
        return a.document(doc_id)
    except InputError as e:
        raise HTTPException(404, str(e)) from None


def _outline(s: Section) -> OutlineNode:
    return OutlineNode(kind=s.kind, label=s.label, title=s.title, locator=s.locator,
                       children=[_outline(k) for k in s.children])


def article_out(service: WebService, doc_id: str, locator: str, quote: str | None) -> ArticleOut:
    """The article holding ``locator``, with ``quote`` highlighted (also used by the /article page)."""
    a = service.assistant
    doc = _document(a, doc_id)
    section = a.section(doc_id, locator)
    if section is None:
        raise HTTPException(404, f"{doc.meta.short_title} has no section {locator!r}. 未找到条文“{locator}”。")
    art = enclosing_article(doc, section)
    html, found = article_body_html(art, quote)
    return ArticleOut(
        doc_id=doc_id,
        doc_title=doc.meta.title,
        doc_short_title=doc.meta.short_title,
        doc_number=doc.meta.number,
        doc_date=doc.meta.date,
        status=doc.meta.status,
        status_label=label(DOC_STATUS, doc.meta.status, "zh"),
        locator=section.locator,
        article_locator=art.locator,
        path=art.path,
        text=art.text,
        quote_found=found,
        html=html,
    )


# --------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------


def _error(status: int, message: str, details: Any = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        message = "; ".join(f"{d['field']}: {d['problem']}" if d["field"] else d["problem"] for d in details)
        return _error(422, f"Invalid request — {message}", details)

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        return _error(429, str(exc), headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, exc: ServiceUnavailable) -> JSONResponse:
        return _error(503, str(exc), {"dependency": exc.dependency}, headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(ValidationError)
    async def invalid_model(request: Request, exc: ValidationError) -> JSONResponse:
        details = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()]
        message = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
        return _error(422, f"Invalid figures — {message}", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    # Any other error is answered by ``middleware.RequestContext`` (a JSON 500 that keeps the
    # connection open; Starlette's last-resort handler would reset it).
