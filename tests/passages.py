"""Helpers of the answering tests that hand real passages of the parsed corpus to the extractive
composer (no index needed). Imported by the test modules, like fake_llm.py."""

from __future__ import annotations

from assistant.answering.question import analyse


def P(sources, doc_id, locator):
    """The passage of ``locator`` in document ``doc_id``, as retrieval would return it."""
    p = sources.section(doc_id, locator)
    assert p is not None, locator
    return p


def answer(gen, lexicon, question, passages):
    return gen.answer(analyse(question, lexicon), passages)


def assert_grounded(ans, corpus):
    """Every citation quotes a verbatim span of its document and of its passage, and is marked in the text."""
    texts = {d.meta.id: "".join(d.text.split()) for d in corpus}
    assert ans.citations
    for c in ans.citations:
        assert "".join(c.quote.split()) in texts[c.doc_id]
        assert c.quote in c.text  # the quote is a span of the passage it cites
        assert f"[{c.marker}]" in ans.text
