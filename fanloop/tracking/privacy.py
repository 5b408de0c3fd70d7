"""Salted hashes for the personal data tracking touches: visitors' IPs and buyers' ids.

The key is derived from SECRET_KEY, so hashes are stable across restarts (repeat clicks
and repurchases can be recognised) but cannot be reversed by a dictionary of all IPv4
addresses without the server's secret.
"""

import hashlib
import hmac

from django.conf import settings


def _keyed(purpose: str, value: str) -> str:
    key = hashlib.sha256(f"fanloop-tracking:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def hash_ip(ip: str) -> str:
    return _keyed("ip", ip.strip())


def hash_buyer(workspace_id: int, shop_platform: str, buyer: str) -> str:
    """Empty for an empty id, so "no buyer" never looks like one shared buyer."""
    buyer = buyer.strip()
    if not buyer:
        return ""
    return _keyed("buyer", f"{workspace_id}:{shop_platform}:{buyer}")
