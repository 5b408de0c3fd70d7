"""The one connector interface every platform module implements.

A connector speaks one platform's documented HTTP API for one account. Capabilities
differ per platform and are declared, never faked: calling an undeclared capability
raises :class:`Unsupported`. Every call goes through :meth:`Connector.call`, which
applies the account's rate limit, retries transient errors with back-off, and turns the
platform's error codes into :class:`ConnectorError` with a clear message.
"""

import enum
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext

# A credentials mapping as stored (decrypted) on the account: app id/secret, tokens...
Credentials = dict[str, Any]


class Capability(enum.StrEnum):
    PUBLISH = "publish"
    LOOKUP = "lookup"  # find an earlier publish by its idempotency key (reconciliation)
    # Ask how an accepted-but-still-processing publish ended (WeChat's freepublish/get).
    PUBLISH_STATUS = "publish_status"
    FETCH_COMMENTS = "fetch_comments"
    REPLY = "reply"
    FETCH_POST_METRICS = "fetch_post_metrics"
    FETCH_ACCOUNT_METRICS = "fetch_account_metrics"
    REFRESH_TOKEN = "refresh_token"


@dataclass(frozen=True)
class MediaFile:
    path: str  # local file path (storage path resolved by the caller)
    mime: str
    kind: str  # "image" | "video"
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None


@dataclass(frozen=True)
class PublishRequest:
    idempotency_key: str
    title: str
    body: str
    topics: Sequence[str] = ()
    mentions: Sequence[str] = ()
    media: Sequence[MediaFile] = ()
    cover: MediaFile | None = None
    link: str = ""
    content_type: str = ""


@dataclass(frozen=True)
class PublishResult:
    """What a publish produced. ``pending``: the platform accepted the post but is still
    processing it (``remote_id`` names the submission); ask ``publish_status`` later."""

    remote_id: str
    url: str
    published_at: datetime | None = None
    pending: bool = False


@dataclass(frozen=True)
class RemoteComment:
    remote_id: str
    post_remote_id: str
    author_id: str
    author_name: str
    text: str
    created_at: datetime
    parent_remote_id: str = ""
    likes: int = 0


@dataclass(frozen=True)
class PostMetrics:
    remote_id: str
    day: date
    impressions: int = 0
    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    favourites: int = 0
    follows: int = 0
    profile_visits: int = 0
    completion_rate: float | None = None
    avg_watch_seconds: float | None = None
    cumulative: bool = False  # True when the platform reports running totals


@dataclass(frozen=True)
class AccountMetrics:
    day: date
    followers_total: int | None = None
    followers_gained: int = 0
    followers_lost: int = 0


class ConnectorError(Exception):
    """A platform call that failed, explained.

    ``transient``: worth retrying (network, 5xx, rate limit); ``auth``: the token is bad
    (refresh once, then the account needs attention); ``retry_after``: seconds to wait.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        transient: bool = False,
        auth: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.transient = transient
        self.auth = auth
        self.retry_after = retry_after


class Unsupported(ConnectorError):
    def __init__(self, platform: str, capability: Capability) -> None:
        super().__init__(
            f"{platform} does not offer {capability.value} through its open API.",
            code="unsupported",
        )


@dataclass(frozen=True)
class RateLimit:
    """At most ``calls`` per ``seconds`` per account for one API (documented limits)."""

    calls: int
    seconds: int


# Takes one call from the account's window for ``api``; returns seconds to wait (0 = go).
RateGate = Callable[[str, RateLimit], float]


def no_gate(api: str, limit: RateLimit) -> float:
    return 0.0


@dataclass
class Connector:
    """Base of every platform connector. Subclasses set ``platform``, ``capabilities``,
    ``default_base_url``, ``rate_limits`` and implement the capability methods."""

    credentials: Credentials
    base_url: str = ""
    client: httpx.Client | None = None
    rate_gate: RateGate = no_gate
    sleep: Callable[[float], None] = time.sleep
    max_attempts: int = 3
    backoff_seconds: float = 1.0
    max_inline_wait: float = 60.0
    on_credentials: Callable[[Credentials], None] | None = None
    _client: httpx.Client = field(init=False, repr=False)

    platform: ClassVar[str] = ""
    platform_label: ClassVar[str] = ""  # the name messages use, e.g. "Douyin"
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    default_base_url: ClassVar[str] = ""
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {}

    def __post_init__(self) -> None:
        self.base_url = (self.base_url or self.default_base_url).rstrip("/")
        self._client = self.client or httpx.Client(timeout=httpx.Timeout(20.0, connect=5.0))

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def require(self, capability: Capability) -> None:
        if capability not in self.capabilities:
            raise Unsupported(self.platform, capability)

    def call(self, api: str, send: Callable[[], Any]) -> Any:
        """Run ``send`` under the rate limit, retrying transient errors with back-off."""
        limit = self.rate_limits.get(api)
        attempt = 0
        while True:
            attempt += 1
            if limit is not None:
                wait = self.rate_gate(api, limit)
                if wait > 0:
                    raise ConnectorError(
                        f"Rate limit for {api} reached; next window in {wait:.0f} s.",
                        code="rate_limited",
                        transient=True,
                        retry_after=wait,
                    )
            try:
                return send()
            except httpx.TransportError as exc:
                error = ConnectorError(
                    f"Network error talking to {self.platform}: {exc}", transient=True
                )
            except ConnectorError as exc:
                error = exc
            if not error.transient or attempt >= self.max_attempts:
                raise error
            if (error.retry_after or 0) > self.max_inline_wait:
                # A quota that resets in hours is not slept on in a worker: the caller
                # reschedules (the error carries retry_after).
                raise error
            self.sleep(error.retry_after or self.backoff_seconds * 2 ** (attempt - 1))

    def json_body(self, response: httpx.Response) -> dict[str, Any]:
        """The response's JSON object ({} when it is not one); a 5xx is a transient
        server error (``creating`` turns it into an unknown outcome for creates)."""
        if response.status_code >= 500:
            raise ConnectorError(
                gettext("%(platform)s had a server error (HTTP %(status)s).")
                % {"platform": self.platform_label, "status": response.status_code},
                code="server_error",
                transient=True,
            )
        try:
            body = response.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def remember_credentials(self, new: Credentials) -> Credentials:
        """Use refreshed credentials from now on and hand them to the owner to store."""
        self.credentials = new
        if self.on_credentials is not None:
            self.on_credentials(new)
        return new

    def auth_is_refreshable(self, error: ConnectorError) -> bool:
        """Whether a refresh may cure this auth error (platforms narrow it to their code)."""
        return error.auth

    def call_authed(self, api: str, send: Callable[[], Any]) -> Any:
        """``call`` with ONE token refresh and one retry when the platform rejects the
        token; a second rejection means a person must connect the account again."""
        try:
            return self.call(api, send)
        except ConnectorError as exc:
            if not exc.auth or not self.auth_is_refreshable(exc):
                raise
        self.refresh_token()
        try:
            return self.call(api, send)
        except ConnectorError as exc:
            if exc.auth:
                raise ConnectorError(
                    gettext(
                        "%(platform)s still refuses the token after a refresh; connect the "
                        "account again."
                    )
                    % {"platform": self.platform_label}
                    + f" ({exc.message})",
                    code=exc.code,
                    auth=True,
                ) from exc
            raise

    def creating(self, send: Callable[[], Any]) -> Callable[[], Any]:
        """Guard a call that creates something: a dropped connection or a server error
        after sending leaves the outcome unknown, so it must not be retried blindly."""

        def guarded() -> Any:
            try:
                return send()
            except httpx.ConnectError:
                raise  # nothing was sent: safe to retry
            except httpx.TransportError as exc:
                raise ConnectorError(
                    gettext(
                        "The connection to %(platform)s broke after sending; check the account "
                        "before publishing again."
                    )
                    % {"platform": self.platform_label}
                    + f" ({exc})",
                    code="outcome_unknown",
                ) from exc
            except ConnectorError as exc:
                if exc.code == "server_error":
                    raise ConnectorError(
                        gettext(
                            "%(platform)s had a server error after receiving the request; "
                            "check the account before publishing again."
                        )
                        % {"platform": self.platform_label},
                        code="outcome_unknown",
                    ) from exc
                raise

        return guarded

    # Capabilities -----------------------------------------------------------------------

    def publish(self, request: PublishRequest) -> PublishResult:
        raise Unsupported(self.platform, Capability.PUBLISH)

    def lookup(self, idempotency_key: str) -> PublishResult | None:
        """The post an earlier publish with this key created, or None if there is none."""
        raise Unsupported(self.platform, Capability.LOOKUP)

    def publish_status(self, remote_id: str) -> PublishResult:
        """How a pending publish ended: ``pending`` again while the platform still works on
        it; a publish the platform rejected raises a non-transient ConnectorError."""
        raise Unsupported(self.platform, Capability.PUBLISH_STATUS)

    def fetch_comments(
        self, post_remote_id: str, *, since: datetime | None = None
    ) -> list[RemoteComment]:
        raise Unsupported(self.platform, Capability.FETCH_COMMENTS)

    def reply(self, comment: RemoteComment, text: str) -> str:
        raise Unsupported(self.platform, Capability.REPLY)

    def fetch_post_metrics(
        self, post_remote_ids: Sequence[str], start: date, end: date
    ) -> list[PostMetrics]:
        raise Unsupported(self.platform, Capability.FETCH_POST_METRICS)

    def fetch_account_metrics(self, start: date, end: date) -> list[AccountMetrics]:
        raise Unsupported(self.platform, Capability.FETCH_ACCOUNT_METRICS)

    def refresh_token(self) -> Credentials:
        raise Unsupported(self.platform, Capability.REFRESH_TOKEN)


# The registry: platform -> connector class. Platform modules register on import.
REGISTRY: dict[str, type[Connector]] = {}


def register(connector: type[Connector]) -> type[Connector]:
    REGISTRY[connector.platform] = connector
    return connector
