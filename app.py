"""Run the web app: ``python app.py`` (host and port from settings: QSL_WEB__HOST, QSL_WEB__PORT).

Builds one Assistant (loading the index, or building it on first run) and serves the applicant UI
at /ui/, the help-desk console at /console/, the widget at /widget.js and the REST API at /api/v1.
"""

from assistant.web import serve

if __name__ == "__main__":
    serve()
