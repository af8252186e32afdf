"""``/docs``: Swagger UI from the node itself, so the API documents itself with no internet.

The assets are vendored in ``api/static/swagger-ui/`` (npm ``swagger-ui-dist``,
version and licence noted there) and served at ``/docs/static/``; the
validator badge (which would call out to the Swagger validator) is off.
``/docs`` and ``/openapi.json`` are open: they describe the API, not its data
(docs/security.md says why).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_UI_VERSION = "5.35.0"
ASSETS = Path(__file__).resolve().parent / "static" / "swagger-ui"
STATIC = "/docs/static"


def add_docs(app: FastAPI) -> None:
    """Serve Swagger UI at ``/docs`` from the vendored assets (the app is built with ``docs_url=None``)."""
    app.mount(STATIC, StaticFiles(directory=ASSETS), name="swagger-ui")
    title = f"{app.title} API"

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=title,
            swagger_js_url=f"{STATIC}/swagger-ui-bundle.js", swagger_css_url=f"{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon-32x32.png", oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
