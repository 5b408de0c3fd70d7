from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "fanloop.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from fanloop.campaigns.dashboard import campaigns_panel
        from fanloop.campaigns.demo import seed_campaigns
        from fanloop.core.dashboard import register_panel
        from fanloop.core.demo import register_seeder

        register_seeder(seed_campaigns)
        register_panel(campaigns_panel)
