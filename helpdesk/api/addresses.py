"""Where a webhook may send (SSRF): never to the portal's own network unless an admin says so.

A target's host is resolved, and every address it resolves to must be public: not private,
loopback, link-local (169.254.169.254, the clouds' metadata service, is one), multicast,
reserved or unspecified, also when written as an IPv4-mapped IPv6 address
(``[::ffff:127.0.0.1]``). The check runs when a webhook is registered and before every
request of a delivery, redirects included. ``allowed_host`` is the one host name an admin
explicitly allowed for a webhook (an intranet receiver); it allows that name only, not the
addresses it resolves to under another name.

What remains: a name whose DNS answer changes between the check and the connection
(rebinding) is checked at each request, not pinned.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from helpdesk.i18n import lazy_gettext as _l


class AddressError(ValueError):
    """A target the portal does not send to; the message says why."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or getattr(ip, "is_site_local", False)
    )


def check(url: str, allowed_host: str | None = None) -> None:
    """Raise ``AddressError`` unless ``url`` is http(s) to a public address, or to the host
    an admin allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressError(_l("Please give an http or https address."))
    host = parts.hostname
    if allowed_host and host == allowed_host.lower():
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        raise AddressError(_l("The address's host cannot be found.")) from None
    if not found or not all(_public(info[4][0]) for info in found):
        raise AddressError(_l("The address leads to a private, loopback or link-local network."))
