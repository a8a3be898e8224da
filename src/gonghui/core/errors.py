from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A refused action, with a message in the user's language. Services raise it; views show it."""


class ConflictError(ServiceError):
    """Someone else got there first (the last place, an offer already taken)."""
