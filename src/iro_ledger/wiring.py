"""The one place dependencies meet: builds the Ledger and its companions for a process.

The API builds one `Services` in its lifespan, the CLI one per command; nothing is built at
import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from iro_ledger.application import Ledger
from iro_ledger.application.rate_limit import RateLimiter
from iro_ledger.application.store import store_env
from iro_ledger.identity.service import Identity, identity_for
from iro_ledger.projections import Database, Projections, ReadModel
from iro_ledger.projections.challenges import ChallengeRegister
from iro_ledger.projections.flags import Flags
from iro_ledger.projections.measures import Measures
from iro_ledger.projections.officers import OfficerRecord
from iro_ledger.projections.rules.config import load_config
from iro_ledger.projections.timeline import Timeline
from iro_ledger.reads import Reads
from iro_ledger.settings import Settings
from iro_ledger.trust import guard
from iro_ledger.trust.log import MerkleLogModel
from iro_ledger.trust.service import Trust


@dataclass
class Services:
    settings: Settings
    ledger: Ledger
    projections: Projections
    trust: Trust
    reads: Reads
    """The one door every surface reads through."""
    limiter: RateLimiter
    """Each principal's allowance of writes and recorded reads in this process."""
    identity: Identity
    """The one door every presented token comes through."""

    def close(self) -> None:
        self.trust.close()
        self.projections.db.close()
        self.ledger.close()


def read_models(settings: Settings) -> list[ReadModel]:
    """Every read model the projections run (a new read model is added here)."""
    rules = load_config(settings.rules_path)
    return [Timeline(), ChallengeRegister(), OfficerRecord(), Measures(rules), Flags(rules),
            MerkleLogModel()]


def forget_erased(projections: Projections) -> None:
    """After an erasure, replay every read model but the Merkle log (which holds hashes of
    the sealed bytes, never text), so none keeps text whose key is gone; then compact."""
    projections.replay([m.name for m in projections.models.values()
                        if not isinstance(m, MerkleLogModel)])
    projections.db.compact()


def build_services(settings: Settings) -> Services:
    url = settings.resolved_database_url()
    db = Database(url)
    guard.refuse_superuser(db, settings.allow_superuser)
    ledger = Ledger(env=store_env(url), cache_size=settings.records_cached)
    projections = Projections(ledger, db, read_models(settings))
    trust = Trust(ledger, projections, settings.resolved_signing_key_path(), settings.log_origin,
                  settings.checkpoint_every_events, settings.checkpoint_every_seconds)
    trust.install_guard()
    projections.after_commit.append(trust.after_commit)
    ledger.after_erasure.append(lambda case: forget_erased(projections))
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    return Services(settings=settings, ledger=ledger, projections=projections, trust=trust,
                    reads=Reads(ledger, projections, limiter=limiter, trust=trust),
                    limiter=limiter,
                    identity=identity_for(settings, db))
