"""One post's figures: its daily trend, KPIs, links, comments and its content variant."""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from fanloop.analytics import dashboard, queries
from fanloop.analytics.models import DailyFact
from fanloop.analytics.views.export import filter_form, maybe_export, page_context, scope_for
from fanloop.channels.models import PostMetricDaily
from fanloop.content.models import Variant
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, workspace_local_view


@dataclass
class PostRef:
    key: str
    title: str
    platform: str
    variant: Variant | None = None
    post_key: str = ""


def resolve(request: WorkspaceRequest, ref: str) -> PostRef:
    """``v<variant id>`` or ``<platform>:<post key>``, of this workspace only."""
    workspace = request.workspace
    if ref.startswith("v") and ref[1:].isdigit():
        variant = (
            Variant.objects.filter(workspace=workspace, pk=int(ref[1:]))
            .select_related("item")
            .first()
        )
        if variant is None:
            raise Http404(_("No such post."))
        return PostRef(ref, variant.title or variant.item.title, variant.platform, variant)
    platform, sep, post_key = ref.partition(":")
    if not sep or not post_key:
        raise Http404(_("No such post."))
    known = (
        DailyFact.objects.filter(workspace=workspace, platform=platform, post_key=post_key).exists()
        or PostMetricDaily.objects.filter(
            workspace=workspace, platform=platform, post_key=post_key
        ).exists()
    )
    if not known:
        raise Http404(_("No such post."))
    titles = queries.post_titles(workspace.pk, [(platform, post_key)])
    return PostRef(ref, titles.get((platform, post_key), post_key), platform, post_key=post_key)


def comment_threads(request: WorkspaceRequest, post: PostRef) -> int:
    from fanloop.inbox.models import Thread
    from fanloop.inbox.models.choices import MessageKind

    threads = Thread.objects.filter(workspace=request.workspace, kind=MessageKind.COMMENT)
    if post.variant is not None:
        return threads.filter(variant=post.variant).count()
    return threads.filter(platform=post.platform, post_remote_id=post.post_key).count()


@workspace_local_view(Action.ANALYTICS_VIEW)
def post_detail(request: WorkspaceRequest, ref: str) -> HttpResponse:
    post = resolve(request, ref)
    form, filters = filter_form(request)
    if post.variant is not None:
        scope = scope_for(request, filters, variant_id=post.variant.pk, platform=None)
    else:
        scope = scope_for(request, filters, platform=post.platform, post_key=post.post_key)
    page = dashboard.post_page(scope, filters.grain)
    download = maybe_export(request, page.tables, filters, f"post-{ref}")
    if download is not None:
        return download
    context = page_context(
        request,
        form,
        filters,
        page=page,
        post=post,
        comment_threads=comment_threads(request, post),
        tab="post",
    )
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render_page(request, "analytics/post.html", context, status=status)
