"""The one kind of error a use case raises for something the user can put right."""


class DomainError(Exception):
    """A user-caused problem: `field` names the input, `message` says why (translatable),
    `status` is the HTTP answer (422 invalid, 409 conflict, 403 wrong side)."""

    def __init__(self, field: str, message, status: int = 422):
        super().__init__(field, message)
        self.field, self.message, self.status = field, message, status

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    def as_errors(self) -> dict[str, list[str]]:
        return {self.field: [str(self.message)]}
