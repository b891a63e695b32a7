"""Domain refusals that pages show as form errors and the API as problem details."""

from __future__ import annotations


class ActionRefused(Exception):
    """An action could not be done for a reason the actor can act on (not a permission issue).

    ``code`` is a stable machine-readable slug; ``message`` is translated for people;
    ``status`` is the HTTP status the API answers with.
    """

    status = 409

    def __init__(self, message: str, code: str = "refused", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        if status is not None:
            self.status = status
