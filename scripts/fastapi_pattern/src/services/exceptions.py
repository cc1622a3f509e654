"""Service errors imported by the pattern's tasks.py; main.py answers
UnauthorizedError with 403."""


class UnauthorizedError(Exception):
    """The path's user_id is not the token's."""
