"""Errors the domain raises when a command would break the record's rules."""


class DomainError(Exception):
    """Base of every refusal the domain makes; the message is shown to the recorder."""


class InvariantViolation(DomainError):
    """The command is well formed but the record's rules forbid it (HTTP 409)."""


class AlreadyRecorded(InvariantViolation):
    """A record with this id already exists in the authority."""


class NotRecorded(DomainError):
    """The command refers to a record that does not exist (HTTP 404)."""


class InvalidValue(DomainError):
    """A value is outside the domain language (an unknown kind, a malformed hash)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class BadTiming(InvalidValue):
    """`occurred_on` is in the future or before the record it refers to existed."""


class NotPermitted(DomainError):
    """The principal may not do this (HTTP 403)."""
