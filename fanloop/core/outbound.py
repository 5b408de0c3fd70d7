"""Outbound requests to addresses that users type in (alert webhooks) must not reach this
machine or its private network.

Whoever may set a webhook URL could otherwise make the server POST to
``http://127.0.0.1:6379/``, to another service on the host's network or to a cloud
metadata address (169.254.169.254), and read the reply's status back in the delivery
log. An address is refused when it is, or its host name resolves to, anything but a
public (globally routable) address. The check runs when the URL is saved and again just
before each request, since a name can resolve elsewhere later. A self-hosted install
that posts to its own intranet sets ``FANLOOP_OUTBOUND_ALLOW_PRIVATE=true``.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


def private_address_reason(url: str) -> str:
    """Why a request to ``url`` would reach a private address, or "" when it would not.

    A name that does not resolve now is let through: the request will fail on its own,
    and refusing it would refuse every address while the DNS is down."""
    if getattr(settings, "OUTBOUND_ALLOW_PRIVATE", False):
        return ""
    host = urlsplit(url).hostname or ""
    if not host:
        return _("The address has no host name.")
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return ""
    for address in sorted(addresses):
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            return _(
                "%(host)s is a private address (%(ip)s): Fanloop does not send to this "
                "machine or its local network."
            ) % {"host": host, "ip": ip}
    return ""
