"""The one write path for channels: accounts, publishing, metrics and imports."""

from fanloop.channels.services.accounts import (
    connect_account,
    connector_for,
    credentials_of,
    db_rate_gate,
    disconnect_account,
    masked,
    record_problem,
    update_credentials,
)

__all__ = [
    "connect_account",
    "connector_for",
    "credentials_of",
    "db_rate_gate",
    "disconnect_account",
    "masked",
    "record_problem",
    "update_credentials",
]
