"""沙盒平台连接器（模拟）: the connector of the simulated sandbox platform.

Nothing here talks to a network and nothing it returns is real: posts, metrics,
followers and comments are SIMULATED (模拟) by :mod:`.model` and :mod:`.comments` so the
whole loop can be demonstrated and tested without a platform account.

Remote ids carry what the model needs
-------------------------------------
A sandbox post id looks like ``sbx-<ts36>-<type>-<hash16>``:

* ``ts36`` — the publish time, whole seconds since the Unix epoch, in base 36;
* ``type`` — one letter for the content type (``v`` short video, ``n`` note,
  ``i`` image-text, ``a`` article, ``l`` live plan, ``x`` other; see
  :data:`.model.TYPE_CODES`);
* ``hash16`` — ``sha1(idempotency key)[:16]``.

Metrics and comments of a post are therefore a pure function of ``(seed, remote id,
as_of)``: the connector never stores them, it recomputes them from the id. The post's
text does not enter the model (the interface only hands the connector ids).

Idempotency
-----------
The publish time is only known at the first publish, so the connector keeps one small
record per idempotency key in a :class:`SandboxLedger` (key -> remote id): publishing a
key again returns the first post, and :meth:`SandboxConnector.lookup` finds it. The
default ledger lives in process memory (``MEMORY_LEDGER``); a database-backed ledger can
be injected (``ledger=``) so lookups survive restarts and work across workers.

Simulated failures
------------------
``credentials["failure_rate"]`` (0..1, default 0) makes a publish attempt fail with a
transient :class:`ConnectorError` (code ``sandbox_unavailable``) before any post is
created; ``credentials["lost_response_rate"]`` makes an attempt create the post and then
fail (code ``sandbox_lost_response``), the case reconciliation by ``lookup`` exists for.
Both are decided by a hash of ``(seed, key, attempt)``, where ``attempt`` counts this
connector instance's publish attempts for the key — the same run always fails the same
way.
"""

import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Protocol

from django.utils import timezone

from fanloop.channels.connectors.base import (
    AccountMetrics,
    Capability,
    Connector,
    ConnectorError,
    PostMetrics,
    PublishRequest,
    PublishResult,
    RemoteComment,
    register,
)
from fanloop.channels.models.accounts import SANDBOX
from fanloop.channels.sandbox import comments as sim_comments
from fanloop.channels.sandbox import model

URL_PREFIX = "https://sandbox.fanloop.invalid/p/"
# Names for helpers that create sandbox accounts: always say it is simulated.
SIMULATED_ACCOUNT_NAME = "沙盒账号（模拟数据）"
REMOTE_ID = re.compile(r"^sbx-([0-9a-z]{1,12})-([a-z])-([0-9a-f]{16})$")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def simulated_account_name(seed: int) -> str:
    """A display name for a sandbox account that cannot be mistaken for a real one."""
    return f"{SIMULATED_ACCOUNT_NAME} #{seed}"


def _base36(value: int) -> str:
    if value <= 0:
        return "0"
    out = []
    while value:
        value, digit = divmod(value, 36)
        out.append(_DIGITS[digit])
    return "".join(reversed(out))


def key_hash(idempotency_key: str) -> str:
    return hashlib.sha1(idempotency_key.encode(), usedforsecurity=False).hexdigest()[:16]


def make_remote_id(idempotency_key: str, published_at: datetime, content_type: str) -> str:
    """``sbx-<ts36>-<type>-<hash16>``; see the module docstring."""
    code = model.TYPE_CODES.get(content_type, model.TYPE_CODES[model.OTHER])
    return f"sbx-{_base36(int(published_at.timestamp()))}-{code}-{key_hash(idempotency_key)}"


@lru_cache(maxsize=65536)
def parse_remote_id(remote_id: str) -> tuple[datetime, str] | None:
    """(published_at, content type) carried by a sandbox remote id, or None."""
    found = REMOTE_ID.match(remote_id)
    if found is None or found.group(2) not in model.TYPES_BY_CODE:
        return None
    published = datetime.fromtimestamp(int(found.group(1), 36), tz=UTC)
    return published, model.TYPES_BY_CODE[found.group(2)]


def post_for(seed: int, remote_id: str) -> model.SandboxPost:
    parsed = parse_remote_id(remote_id)
    if parsed is None:
        raise ConnectorError(
            f"{remote_id!r} is not a sandbox post id (sbx-<time>-<type>-<hash>).",
            code="not_found",
        )
    return model.SandboxPost(
        seed=seed, post_id=remote_id, published_at=parsed[0], content_type=parsed[1]
    )


def url_for(remote_id: str) -> str:
    return URL_PREFIX + remote_id


def content_type_of(request: PublishRequest) -> str:
    """The request's content type, or one inferred from its media."""
    if request.content_type:
        return request.content_type if request.content_type in model.TYPE_CODES else model.OTHER
    kinds = {media.kind for media in request.media}
    if "video" in kinds:
        return model.SHORT_VIDEO
    if kinds:
        return model.IMAGE_TEXT
    return model.ARTICLE if len(request.body) > 1000 else model.NOTE


class SandboxLedger(Protocol):
    """Where the sandbox remembers which remote id an idempotency key created."""

    def find(self, namespace: str, key: str) -> str | None: ...

    def record(self, namespace: str, key: str, remote_id: str) -> str:
        """Store ``remote_id`` unless the key already has one; return the stored id."""
        ...

    def remote_ids(self, namespace: str) -> list[str]: ...


class MemoryLedger:
    """A ledger in process memory (the default): fine for tests, demos and benchmarks."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def find(self, namespace: str, key: str) -> str | None:
        return self._entries.get(namespace, {}).get(key)

    def record(self, namespace: str, key: str, remote_id: str) -> str:
        with self._lock:
            return self._entries.setdefault(namespace, {}).setdefault(key, remote_id)

    def remote_ids(self, namespace: str) -> list[str]:
        return list(self._entries.get(namespace, {}).values())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


MEMORY_LEDGER = MemoryLedger()


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from ``parts``."""
    text = "\x1f".join(str(part) for part in parts)
    digest = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
    return int(digest[:13], 16) / 16**13


@register
@dataclass
class SandboxConnector(Connector):
    """The simulated platform. ``credentials`` may hold ``seed`` (int, default 0),
    ``failure_rate`` and ``lost_response_rate`` (0..1, default 0)."""

    now: Callable[[], datetime] = timezone.now
    ledger: SandboxLedger = MEMORY_LEDGER
    # Remote ids of the account's posts (for follower growth); default: the ledger's.
    posts: Callable[[], Iterable[str]] | None = None
    comment_mix: sim_comments.CommentMix = sim_comments.DEFAULT_MIX
    seed: int = field(default=0, init=False)
    failure_rate: float = field(default=0.0, init=False)
    lost_response_rate: float = field(default=0.0, init=False)
    namespace: str = field(default="", init=False)
    _attempts: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    platform = SANDBOX
    platform_label = "Sandbox (simulated)"
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.LOOKUP,
            Capability.FETCH_COMMENTS,
            Capability.REPLY,
            Capability.FETCH_POST_METRICS,
            Capability.FETCH_ACCOUNT_METRICS,
        }
    )
    default_base_url = "https://sandbox.fanloop.invalid"

    def __post_init__(self) -> None:
        # No HTTP client: the sandbox never touches the network.
        self.base_url = (self.base_url or self.default_base_url).rstrip("/")
        try:
            self.seed = int(self.credentials.get("seed", 0))
            self.failure_rate = float(self.credentials.get("failure_rate", 0.0))
            self.lost_response_rate = float(self.credentials.get("lost_response_rate", 0.0))
        except (TypeError, ValueError) as exc:
            raise ConnectorError(
                "Sandbox credentials: seed must be a whole number and the rates numbers "
                "between 0 and 1.",
                code="invalid_credentials",
            ) from exc
        self.namespace = f"seed:{self.seed}"

    # Publishing -------------------------------------------------------------------------

    def publish(self, request: PublishRequest) -> PublishResult:
        result: PublishResult = self.call("publish", lambda: self._publish(request))
        return result

    def _publish(self, request: PublishRequest) -> PublishResult:
        key = request.idempotency_key
        if not key:
            raise ConnectorError("A sandbox publish needs an idempotency key.", code="invalid")
        existing = self.ledger.find(self.namespace, key)
        if existing is not None:
            return self._result(existing)
        attempt = self._attempts.get(key, 0) + 1
        self._attempts[key] = attempt
        if self._fails("unavailable", key, attempt, self.failure_rate):
            raise ConnectorError(
                f"Simulated transient error (sandbox, attempt {attempt}); try again.",
                code="sandbox_unavailable",
                transient=True,
            )
        remote_id = make_remote_id(key, self.now(), content_type_of(request))
        remote_id = self.ledger.record(self.namespace, key, remote_id)
        if self._fails("lost", key, attempt, self.lost_response_rate):
            raise ConnectorError(
                "Simulated lost response (sandbox): the post may exist; look it up.",
                code="sandbox_lost_response",
                transient=True,
            )
        return self._result(remote_id)

    def _fails(self, what: str, key: str, attempt: int, rate: float) -> bool:
        return rate > 0 and _unit(self.seed, what, key, attempt) < rate

    def _result(self, remote_id: str) -> PublishResult:
        published = post_for(self.seed, remote_id).published_at
        return PublishResult(remote_id=remote_id, url=url_for(remote_id), published_at=published)

    def lookup(self, idempotency_key: str) -> PublishResult | None:
        existing = self.ledger.find(self.namespace, idempotency_key)
        return None if existing is None else self._result(existing)

    # Comments ---------------------------------------------------------------------------

    def fetch_comments(
        self, post_remote_id: str, *, since: datetime | None = None
    ) -> list[RemoteComment]:
        post = post_for(self.seed, post_remote_id)
        found = sim_comments.comments_between(post, self.now(), since, self.comment_mix)
        return [
            RemoteComment(
                remote_id=c.remote_id,
                post_remote_id=c.post_remote_id,
                author_id=c.author_id,
                author_name=c.author_name,
                text=c.text,
                created_at=c.created_at,
                parent_remote_id=c.parent_remote_id,
                likes=c.likes,
            )
            for c in found
        ]

    def reply(self, comment: RemoteComment, text: str) -> str:
        post_for(self.seed, comment.post_remote_id)
        if not text.strip():
            raise ConnectorError("A reply needs some text.", code="invalid")
        return sim_comments.reply_id(comment.remote_id, text)

    # Metrics ----------------------------------------------------------------------------

    def fetch_post_metrics(
        self, post_remote_ids: Sequence[str], start: date, end: date
    ) -> list[PostMetrics]:
        """One row per post per day from its publishing day to today (increments)."""
        as_of = self.now()
        rows: list[PostMetrics] = []
        for remote_id in post_remote_ids:
            post = post_for(self.seed, remote_id)
            shape = model.profile(post)
            for day in model.daily(post, start, end, as_of):
                counts = day.counts
                watched = counts.views > 0
                rows.append(
                    PostMetrics(
                        remote_id=remote_id,
                        day=day.day,
                        impressions=counts.impressions,
                        views=counts.views,
                        likes=counts.likes,
                        comments=counts.comments,
                        shares=counts.shares,
                        favourites=counts.favourites,
                        follows=counts.follows,
                        profile_visits=counts.profile_visits,
                        completion_rate=shape.completion_rate if watched else None,
                        avg_watch_seconds=shape.avg_watch_seconds if watched else None,
                        cumulative=False,
                    )
                )
        return rows

    def fetch_account_metrics(self, start: date, end: date) -> list[AccountMetrics]:
        """Simulated followers: base + organic gain - churn + the posts' follows."""
        ids = self.posts() if self.posts is not None else self.ledger.remote_ids(self.namespace)
        posts = [post_for(self.seed, remote_id) for remote_id in ids if parse_remote_id(remote_id)]
        return [
            AccountMetrics(
                day=row.day,
                followers_total=row.followers_total,
                followers_gained=row.followers_gained,
                followers_lost=row.followers_lost,
            )
            for row in model.followers(self.seed, posts, start, end, self.now())
        ]
