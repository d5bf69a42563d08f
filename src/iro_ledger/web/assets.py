"""The dashboard's stylesheets, served from this machine: nothing is fetched at run time.

Pico CSS comes from the npm registry at install time (`make install` puts it under the venv's
`web-assets/`); it is never committed and never linked from a CDN. Our own small stylesheet
(`web/static/app.css`) ships in the package. Without Pico the pages still work, unstyled but
for app.css: they link only the stylesheets that are there.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from iro_ledger.settings import Settings

PICO = "pico.min.css"
STATIC_PREFIX = "/static"


def pico_dir(settings: Settings) -> Path:
    """Where `make install` puts Pico's css/ directory, unless settings say otherwise."""
    if settings.static_dir is not None:
        return settings.static_dir
    return Path(sys.prefix) / "web-assets" / "node_modules" / "@picocss" / "pico" / "css"


def mount_static(app: FastAPI, settings: Settings) -> None:
    """Serve /static from Pico's directory (if installed) and the package's own static files."""
    vendor = pico_dir(settings)
    has_pico = (vendor / PICO).is_file()
    app.mount(STATIC_PREFIX, StaticFiles(directory=vendor if has_pico else None,
                                         packages=[("iro_ledger.web", "static")]),
              name="static")
    sheets = [f"{STATIC_PREFIX}/{PICO}"] if has_pico else []
    app.state.web_stylesheets = [*sheets, f"{STATIC_PREFIX}/app.css"]
