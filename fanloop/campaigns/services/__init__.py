"""The one write path for campaigns; see the modules for each part of the plan."""

from fanloop.campaigns.services.campaigns import (
    create_campaign,
    transition,
    update_campaign,
)
from fanloop.campaigns.services.documents import delete_document, upload_document
from fanloop.campaigns.services.items import (
    add_spend,
    delete_item,
    record_measurement,
    save_feasibility,
    save_item,
    update_my_task,
)
from fanloop.campaigns.services.retro import (
    adopt_improvements,
    complete_retrospective,
    save_retrospective,
)

__all__ = [
    "add_spend",
    "adopt_improvements",
    "complete_retrospective",
    "create_campaign",
    "delete_document",
    "delete_item",
    "record_measurement",
    "save_feasibility",
    "save_item",
    "save_retrospective",
    "transition",
    "update_campaign",
    "update_my_task",
    "upload_document",
]
