"""The Ledger application: the only writer. Validates, authorises and appends events."""

from iro_ledger.application.access import Principal, Role
from iro_ledger.application.ledger import Ledger, Outcome, RecordView

__all__ = ["Ledger", "Outcome", "Principal", "RecordView", "Role"]
