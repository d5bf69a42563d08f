"""The server-rendered dashboard: HTML pages over the read models for IROs, NAIRO and
arbitrators, inspectors and an authority's managers.

`api.app` composes it: `routes.router` is one of its routers and `assets.mount_static` serves
the stylesheets. The dashboard never imports the API or the CLI.
"""

from iro_ledger.web.assets import mount_static
from iro_ledger.web.routes import router

__all__ = ["mount_static", "router"]
