"""Grounded answers with exact article citations.

One module per stage: ``language`` (zh/en), ``condense`` (follow-ups made self-contained),
``question`` (what is asked), ``lexicon`` (applicant words -> document words), ``units``
(quotable sentences), ``extractive`` (the offline default generator), ``refusal`` (the gate that
says when the documents do not answer), ``standing`` (versions and document status),
``citations`` (naming, markers, verification), ``prompts`` and ``openai_backend`` (any
OpenAI-compatible model), ``chain`` (the LangChain answer chain and ``build_answerer``).
"""

from .chain import Answerer, build_answerer

__all__ = ["Answerer", "build_answerer"]
