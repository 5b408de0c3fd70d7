from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "fanloop.content"
    label = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        from fanloop.content.demo import seed_content
        from fanloop.core.demo import register_seeder

        register_seeder(seed_content)
