"""The dashboard's look, served from this machine: nothing is fetched at run time.

GOV.UK Frontend (the Design System's CSS, JavaScript and images) comes from the npm registry
at install time (`make install` puts it under the venv's `web-assets/`); it is never committed
and never linked from a CDN. Our own small stylesheet and the script that starts GOV.UK
Frontend's components (`web/static/`) ship in the package. Without GOV.UK Frontend the pages
still work, plain: they link only what is there, and every form works without scripts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from iro_ledger.settings import Settings

GOVUK_CSS = "govuk-frontend.min.css"
GOVUK_JS = "govuk-frontend.min.js"
STATIC_PREFIX = "/static"
GOVUK_PREFIX = "/static/govuk"
ASSETS_PREFIX = "/assets"
"""Where GOV.UK Frontend's stylesheet expects its fonts and images (`url(/assets/...)`)."""


def govuk_dir(settings: Settings) -> Path:
    """Where `make install` puts GOV.UK Frontend's `dist/govuk`, unless settings say otherwise."""
    if settings.static_dir is not None:
        return settings.static_dir
    return (Path(sys.prefix) / "web-assets" / "node_modules" / "govuk-frontend" / "dist"
            / "govuk")


def mount_static(app: FastAPI, settings: Settings) -> None:
    """Serve GOV.UK Frontend (if installed) and the package's own static files."""
    vendor = govuk_dir(settings)
    has_govuk = (vendor / GOVUK_CSS).is_file()
    if has_govuk:
        app.mount(GOVUK_PREFIX, StaticFiles(directory=vendor), name="govuk")
        if (vendor / "assets").is_dir():
            app.mount(ASSETS_PREFIX, StaticFiles(directory=vendor / "assets"), name="assets")
    app.mount(STATIC_PREFIX, StaticFiles(packages=[("iro_ledger.web", "static")]),
              name="static")
    sheets = [f"{GOVUK_PREFIX}/{GOVUK_CSS}"] if has_govuk else []
    app.state.web_stylesheets = [*sheets, f"{STATIC_PREFIX}/app.css"]
    app.state.web_scripts = [f"{STATIC_PREFIX}/start.mjs"] if has_govuk else []
