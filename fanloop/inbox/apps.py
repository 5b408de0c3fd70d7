from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "fanloop.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not news
        from fanloop.core.demo import register_seeder
        from fanloop.inbox.demo import seed_inbox

        register_seeder(seed_inbox)
