from fanloop.channels.models.accounts import (
    ACCOUNT_PLATFORM_CHOICES,
    SANDBOX,
    AccountStatus,
    ChannelAccount,
    RateWindow,
)
from fanloop.channels.models.imports import ImportBatch, ImportProfile, ImportState
from fanloop.channels.models.metrics import (
    AccountMetricDaily,
    MetricSource,
    PostMetricDaily,
    PostMetricSnapshot,
)
from fanloop.channels.models.publishing import JobState, PublishAttempt, PublishJob
from fanloop.channels.models.sandbox import SandboxPost

__all__ = [
    "ACCOUNT_PLATFORM_CHOICES",
    "SANDBOX",
    "AccountMetricDaily",
    "AccountStatus",
    "ChannelAccount",
    "ImportBatch",
    "ImportProfile",
    "ImportState",
    "JobState",
    "MetricSource",
    "PostMetricDaily",
    "PostMetricSnapshot",
    "PublishAttempt",
    "PublishJob",
    "RateWindow",
    "SandboxPost",
]
