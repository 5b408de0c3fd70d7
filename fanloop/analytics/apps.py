from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "fanloop.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # Campaign goals read their actuals from the rollup from now on.
        from fanloop.analytics.goal_source import FactsMetricSource
        from fanloop.campaigns.pacing import set_metric_source

        set_metric_source(FactsMetricSource())
        from fanloop.analytics.demo import seed_analytics
        from fanloop.core.demo import register_seeder

        register_seeder(seed_analytics)
