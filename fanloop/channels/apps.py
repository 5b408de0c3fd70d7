import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Importing a connector module registers it (``@register``); one module per platform.
CONNECTOR_MODULES = (
    "fanloop.channels.connectors.wechat_oa",
    "fanloop.channels.connectors.weibo",
    "fanloop.channels.connectors.douyin",
    "fanloop.channels.connectors.bilibili",
    "fanloop.channels.connectors.wecom",
    "fanloop.channels.sandbox.connector",
)


class ChannelsConfig(AppConfig):
    name = "fanloop.channels"
    label = "channels"
    verbose_name = _("Channels and publishing")

    def ready(self) -> None:
        from fanloop.channels.demo import seed_channels
        from fanloop.channels.metrics_sync import engagement_history
        from fanloop.channels.services import publishing
        from fanloop.content.services.scheduling import register_engagement_source
        from fanloop.core.demo import register_seeder

        for module in CONNECTOR_MODULES:
            importlib.import_module(module)
        publishing.register()
        register_seeder(seed_channels)
        register_engagement_source(engagement_history)
