from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "fanloop.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from fanloop.community.demo import seed_community
        from fanloop.core.demo import register_seeder

        register_seeder(seed_community)
