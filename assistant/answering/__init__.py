"""Grounded answers with exact article citations.

One module per stage, in the order a message meets them: ``followup`` (follow-ups made
self-contained against the previous question and answer), ``scope`` (declines, document facts,
injected instructions), ``spans`` (which sentences answer: the calibrated span model), ``compose``
(the direct answer, then the quotes; refusals and declines), ``gate`` (the calibrated refusal
decision), ``citations`` (naming, markers, verification), ``prompts`` and ``openai_backend``
(any OpenAI-compatible model), ``chain`` (the LangChain answer chain and ``build_answerer``).
The question itself is read once, by ``assistant.question``.
"""

from .chain import Answerer, build_answerer

__all__ = ["Answerer", "build_answerer"]
