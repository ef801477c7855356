"""Where a webhook may send (SSRF): never to the portal's own network unless an admin says so.

A target's host is resolved, and every address it resolves to must be public: not private,
loopback, link-local (169.254.169.254, the clouds' metadata service, is one), multicast,
reserved or unspecified, also when written as an IPv4-mapped IPv6 address
(``[::ffff:127.0.0.1]``). ``allowed_host`` is the one host name an admin explicitly allowed
for a webhook (an intranet receiver); it allows that name only, not the addresses it
resolves to under another name.

The check runs when a webhook is registered (``check``) and before every request of a
delivery, redirects included (``resolve``). A delivery connects to exactly the address
``resolve`` checked (``Target.address``), never resolving the name again, so a DNS answer
that changes between the check and the connection (rebinding) cannot lead it inside.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from helpdesk.i18n import lazy_gettext as _l


class AddressError(ValueError):
    """A target the portal does not send to; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked target: where to connect (``address``, ``port``) and what to ask for."""

    scheme: str
    host: str
    port: int
    address: str
    path: str

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


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


def _parts(url: str):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressError(_l("Please give an http or https address."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressError(_l("Please give an http or https address.")) from None
    return parts, port


def _allowed(host: str, allowed_host: str | None) -> bool:
    return bool(allowed_host) and host == allowed_host.lower()


def resolve(url: str, allowed_host: str | None = None) -> Target:
    """``url``'s target resolved once: raise ``AddressError`` unless it is http(s) and every
    address of its host is public, or the host is the one an admin allowed."""
    parts, port = _parts(url)
    host = parts.hostname
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        raise AddressError(_l("The address's host cannot be found.")) from None
    if not found:
        raise AddressError(_l("The address's host cannot be found."))
    if not _allowed(host, allowed_host) and not all(_public(info[4][0]) for info in found):
        raise AddressError(_l("The address leads to a private, loopback or link-local network."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, found[0][4][0], path)


def check(url: str, allowed_host: str | None = None) -> None:
    """Raise ``AddressError`` unless ``url`` is http(s) to a public address, or to the host
    an admin allowed (which need not resolve yet)."""
    parts, _port = _parts(url)
    if not _allowed(parts.hostname, allowed_host):
        resolve(url)
