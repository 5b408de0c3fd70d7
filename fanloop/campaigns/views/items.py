"""One add/edit/delete path for every kind of plan item (goal, budget line, phase, ...)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.campaigns import queries, services
from fanloop.campaigns.forms import ItemForm
from fanloop.campaigns.models import Campaign
from fanloop.campaigns.services.items import KINDS
from fanloop.campaigns.views.common import back_to, campaign_view
from fanloop.campaigns.views.pages import _user, tab_context
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest

TAB_OF = {
    "goal": "goals",
    "budget_line": "budget",
    "phase": "timeline",
    "milestone": "timeline",
    "task": "timeline",
    "competitor": "research",
    "research_note": "research",
    "risk": "risks",
}
FORM_NAME = {
    "goal": "add_form",
    "budget_line": "add_form",
    "phase": "phase_form",
    "milestone": "milestone_form",
    "task": "task_form",
    "competitor": "competitor_form",
    "research_note": "note_form",
    "risk": "risk_form",
}


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise Http404("No such kind of item")
    return kind


@campaign_view(Action.CAMPAIGN_VIEW)
def item_save(
    request: WorkspaceRequest, campaign: Campaign, kind: str, item_pk: int | None = None
) -> HttpResponse:
    kind = _kind(kind)
    item = queries.item(campaign, KINDS[kind].model, item_pk) if item_pk else None
    form = ItemForm(kind, campaign, data=request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_item(
                actor=_user(request),
                campaign=campaign,
                kind=kind,
                data=form.service_data(),
                item=item,
            )
        except ValidationError as exc:
            form.add_error(exc)
        else:
            messages.success(request, _("Saved."))
            return back_to(campaign, TAB_OF[kind])
    status = 400 if request.method == "POST" else 200
    if item is None and request.method == "POST":
        # Show the tab again with the add form holding the errors.
        context = tab_context(request, campaign, TAB_OF[kind])
        context[FORM_NAME[kind]] = form
        context["open_form"] = kind
        return render_page(request, f"campaigns/tab_{TAB_OF[kind]}.html", context, status=status)
    return render_page(
        request,
        "campaigns/item_edit.html",
        {
            "campaign": campaign,
            "kind": kind,
            "item": item,
            "item_form": form,
            "back_tab": TAB_OF[kind],
            "nav": "campaigns",
        },
        status=status,
    )


@require_POST
@campaign_view(Action.CAMPAIGN_VIEW)
def item_delete(
    request: WorkspaceRequest, campaign: Campaign, kind: str, item_pk: int
) -> HttpResponse:
    kind = _kind(kind)
    item = queries.item(campaign, KINDS[kind].model, item_pk)
    try:
        services.delete_item(actor=_user(request), campaign=campaign, kind=kind, item=item)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Deleted."))
    return back_to(campaign, TAB_OF[kind])
