"""Which organisation a mail address belongs to, by its domain (ACC-3).

Free-mail providers' domains never name an organisation, whatever an admin enters: anyone
can get an address there.
"""

from helpdesk.accounts.models import Organisation, OrganisationDomain

#: Providers where anyone gets an address; extend with FREE_MAIL_DOMAINS in the config.
FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.de",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.at",
        "gmx.de",
        "gmx.net",
        "gmx.ch",
        "web.de",
        "t-online.de",
        "freenet.de",
        "posteo.de",
        "mailbox.org",
        "proton.me",
        "protonmail.com",
        "aon.at",
        "chello.at",
        "a1.net",
        "bluewin.ch",
    }
)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def is_free_mail(domain: str, extra: frozenset[str] = frozenset()) -> bool:
    domain = domain.lower()
    return domain in FREE_MAIL or domain in extra


def organisation_for_address(address: str, extra_free: frozenset[str] = frozenset()):
    """The active organisation whose domain ``address`` is at, or None (free mail, unknown)."""
    domain = domain_of(address)
    if not domain or is_free_mail(domain, extra_free):
        return None
    return (
        Organisation.select()
        .join(OrganisationDomain)
        .where((OrganisationDomain.domain == domain) & Organisation.is_active)
        .first()
    )
