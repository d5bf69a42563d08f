"""`Identity`: the one place a presented token becomes a principal, for every surface.

Built once per process by `wiring.build_services`. The API's bearer tokens, the dashboard's
sign-in and the CLI's `--token` all call `verify`, so each accepts exactly the same tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from iro_ledger.identity.tokens import TokenPolicy, Verified, verify_token


@dataclass
class Identity:
    policy: TokenPolicy

    def verify(self, token: str) -> Verified:
        """The principal `token` names, or `TokenError` saying why it is refused."""
        return verify_token(self.policy, token.strip())
