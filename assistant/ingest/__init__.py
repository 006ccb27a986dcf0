"""Policy files in any of the usual formats -> text and the facts their header states.

``read_text(data, filename)`` (``readers``) and ``read_header(text)`` (``header``); the corpus
itself is changed by ``assistant.library``.
"""

from assistant.ingest.header import HeaderFacts, iso_date, kind_of, read_header
from assistant.ingest.readers import FORMATS, IngestError, read_text

__all__ = ["FORMATS", "HeaderFacts", "IngestError", "iso_date", "kind_of", "read_header", "read_text"]
