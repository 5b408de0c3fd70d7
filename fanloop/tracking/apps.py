from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


def _cost_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    # A budget actual deleted in the campaign cascades to its cost mirror without going
    # through the cost services; the rollup must still hear of the day.
    from fanloop.analytics.rollups import mark_dirty
    from fanloop.core.models import Workspace

    origin = kwargs.get("origin")
    model = getattr(origin, "model", type(origin))
    if model is Workspace:
        return  # the whole workspace goes, its rollup with it
    mark_dirty([(instance.workspace_id, instance.day)])


class TrackingConfig(AppConfig):
    name = "fanloop.tracking"
    label = "tracking"
    verbose_name = _("Tracking")

    def ready(self) -> None:
        from fanloop.core.demo import register_seeder
        from fanloop.tracking.demo import seed_tracking
        from fanloop.tracking.models import CostEntry

        register_seeder(seed_tracking)

        post_delete.connect(_cost_deleted, sender=CostEntry, dispatch_uid="tracking_cost_deleted")
