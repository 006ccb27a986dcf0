"""The web app: applicant chat and eligibility form (Gradio), help-desk console, embeddable
widget, and REST API v1 — one ASGI app built from one ``Assistant``.

``create_app(assistant, settings)`` builds it; ``serve(host, port, settings)`` builds the assistant
and runs it with uvicorn (``python -m assistant serve``, ``python app.py``).
"""

from __future__ import annotations

__all__ = ["create_app", "serve"]


def __getattr__(name: str):
    # Gradio and FastAPI load only when the web app is wanted, not on ``import assistant.web``.
    if name in __all__:
        from assistant.web import app

        return getattr(app, name)
    raise AttributeError(name)
