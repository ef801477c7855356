"""Names the vendor gives a row in German and English (products, components, teams).

The two names are columns of the row, so a page reads them in the query it already runs;
``name`` is the one in the language of the person looking (or of a mail's recipient, inside
``speaking``).
"""

from helpdesk.i18n import current_language


class BilingualName:
    """A model mixin for the columns ``name_de`` and ``name_en``."""

    @property
    def name(self) -> str:
        """The name in the current language, the other one when it is empty."""
        if current_language() == "de":
            return self.name_de or self.name_en
        return self.name_en or self.name_de

    @name.setter
    def name(self, value: str) -> None:
        """One name for both languages: a proper name ("EDI Connector") reads the same."""
        self.name_de = self.name_en = value

    @classmethod
    def name_column(cls, language: str):
        """The column of the name in ``language``, for ordering in SQL."""
        return cls.name_de if language == "de" else cls.name_en


def name_in(row: dict, prefix: str, language: str) -> str:
    """``prefix``'s name in ``language`` from a row of a query that selected both names as
    ``<prefix>_de`` and ``<prefix>_en``, the other one when it is empty."""
    first, second = ("de", "en") if language == "de" else ("en", "de")
    return row.get(f"{prefix}_{first}") or row.get(f"{prefix}_{second}") or ""
