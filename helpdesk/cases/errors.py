"""The one error the case domain raises for a request its rules refuse."""


class CaseError(ValueError):
    """A request the rules refuse; ``field`` names the form field it concerns, if any.

    The message is already in the user's language; channels show it next to ``field``.
    """

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.field = field
