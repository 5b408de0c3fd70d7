"""Tracking link pages: list (with export), create, bulk create, detail, edit, archive, QR."""

import csv
import io
import json
import zipfile
from typing import Any

import segno
import xlsxwriter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.tracking import queries
from fanloop.tracking.forms import BulkLinkForm, LinkFilterForm, LinkForm
from fanloop.tracking.models import TrackingLink, UserAgentClass
from fanloop.tracking.services import links as link_service

NAV = "analytics"
QR_SCALE = 10  # ~ 330 px for a short URL: sharp on posters, small enough for chat
QR_BORDER = 4  # the quiet zone the QR standard asks for
ZIP_MAX = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_manage(request: WorkspaceRequest) -> bool:
    return allowed(request.role, Action.TRACKING_MANAGE)


def short_url(request: HttpRequest, link: TrackingLink) -> str:
    return request.build_absolute_uri(queries.short_path(link.code))


def _with_short_urls(request: HttpRequest, found: Any) -> list[TrackingLink]:
    rows = list(found)
    for row in rows:
        row.short_url = short_url(request, row)
        row.is_expired = link_service.expired(row)
    return rows


def _filtered(request: WorkspaceRequest) -> tuple[LinkFilterForm, QuerySet[TrackingLink]]:
    form = LinkFilterForm(request.GET or None, workspace=request.workspace)
    ids = _ids(request)
    if ids is not None:
        return form, queries.links(request.workspace, archived=None, ids=ids)
    return form, queries.links(request.workspace, **form.filters())


def _ids(request: HttpRequest) -> list[int] | None:
    raw = request.GET.get("ids", "")
    if not raw:
        return None
    return [int(part) for part in raw.split(",") if part.strip().isdigit()][:ZIP_MAX]


@workspace_local_view(Action.ANALYTICS_VIEW)
def link_list(request: WorkspaceRequest) -> HttpResponse:
    form, found = _filtered(request)
    export = request.GET.get("export", "")
    if export in ("csv", "xlsx"):
        return _export(request, found, export)
    page = Paginator(found, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "tracking/links/list.html",
        {
            "form": form,
            "page": page,
            "rows": _with_short_urls(request, page.object_list),
            "query": query.urlencode(),
            "can_manage": can_manage(request),
            "nav": NAV,
        },
    )


def _form_page(
    request: WorkspaceRequest, form: LinkForm, link: TrackingLink | None, status: int
) -> HttpResponse:
    return render_page(
        request,
        "tracking/links/form.html",
        {"form": form, "link": link, "nav": NAV},
        status=status,
    )


@workspace_local_view(Action.TRACKING_MANAGE)
def link_new(request: WorkspaceRequest) -> HttpResponse:
    form = LinkForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            link = link_service.create_link(
                actor=acting_user(request), workspace=request.workspace, data=form.service_data()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Link created: %(url)s") % {"url": short_url(request, link)}
            )
            return redirect("tracking_link", request.workspace.slug, link.pk)
    return _form_page(request, form, None, 400 if form.errors else 200)


@workspace_local_view(Action.TRACKING_MANAGE)
def link_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    link = queries.link(request.workspace, pk)
    form = LinkForm(request.POST or None, workspace=request.workspace, link=link)
    if request.method == "POST" and form.is_valid():
        try:
            link_service.update_link(
                actor=acting_user(request), link=link, data=form.service_data(include_code=False)
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Link saved."))
            return redirect("tracking_link", request.workspace.slug, link.pk)
    return _form_page(request, form, link, 400 if form.errors else 200)


@require_POST
@workspace_local_view(Action.TRACKING_MANAGE)
def link_archive(request: WorkspaceRequest, pk: int) -> HttpResponse:
    link = queries.link(request.workspace, pk)
    archive = request.POST.get("archived", "1") != "0"
    link_service.set_archived(actor=acting_user(request), link=link, archived=archive)
    messages.success(request, _("Link archived.") if archive else _("Link restored."))
    return redirect("tracking_link", request.workspace.slug, link.pk)


@workspace_local_view(Action.TRACKING_MANAGE)
def link_bulk(request: WorkspaceRequest) -> HttpResponse:
    form = BulkLinkForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            created = link_service.bulk_create_links(
                actor=acting_user(request), workspace=request.workspace, **form.service_args()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Created %(n)d links.") % {"n": len(created)})
            return render_page(
                request,
                "tracking/links/bulk_done.html",
                {
                    "rows": _with_short_urls(request, created),
                    "ids": ",".join(str(link.pk) for link in created),
                    "nav": NAV,
                },
            )
    return render_page(
        request,
        "tracking/links/bulk.html",
        {"form": form, "nav": NAV},
        status=400 if form.errors else 200,
    )


@workspace_local_view(Action.ANALYTICS_VIEW)
def link_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    link = queries.link(request.workspace, pk)
    breakdown = queries.click_breakdown(link)
    ua_labels = dict(UserAgentClass.choices)
    chart = {
        "days": [day.strftime("%m-%d") for day, _n, _h in breakdown.days],
        "counts": [h for _d, _n, h in breakdown.days],
        "label": _("Human clicks"),
    }
    return render_page(
        request,
        "tracking/links/detail.html",
        {
            "link": link,
            "short_url": short_url(request, link),
            "tagged_url": link_service.tagged_url(link),
            "expired": link_service.expired(link),
            "days": [row for row in reversed(breakdown.days) if row[1]],
            "ua_classes": [(ua_labels.get(k, k), n) for k, n in breakdown.ua_classes],
            "referrers": breakdown.referrers,
            "chart": json.dumps(chart, ensure_ascii=False),
            "codes": list(link.codes.all()),
            "can_manage": can_manage(request),
            "nav": NAV,
        },
    )


# QR codes --------------------------------------------------------------------------------


def qr_bytes(url: str, kind: str) -> bytes:
    out = io.BytesIO()
    # Medium error correction survives a smudged print without making the code dense.
    segno.make(url, error="m").save(out, kind=kind, scale=QR_SCALE, border=QR_BORDER)
    return out.getvalue()


def _qr_response(request: WorkspaceRequest, pk: int, kind: str) -> HttpResponse:
    link = queries.link(request.workspace, pk)
    content_type = "image/png" if kind == "png" else "image/svg+xml"
    response = HttpResponse(qr_bytes(short_url(request, link), kind), content_type=content_type)
    if request.GET.get("inline") != "1":
        response["Content-Disposition"] = f'attachment; filename="qr-{link.code}.{kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@workspace_local_view(Action.ANALYTICS_VIEW)
def link_qr_png(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _qr_response(request, pk, "png")


@workspace_local_view(Action.ANALYTICS_VIEW)
def link_qr_svg(request: WorkspaceRequest, pk: int) -> HttpResponse:
    response = _qr_response(request, pk, "svg")
    # An SVG is a document: never let it run script if opened directly.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@workspace_local_view(Action.ANALYTICS_VIEW)
def links_qr_zip(request: WorkspaceRequest) -> HttpResponse:
    """PNG QR codes of a bulk batch (``?ids=``) or of the filtered list, one zip."""
    _form, found = _filtered(request)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for link in found[:ZIP_MAX]:
            archive.writestr(f"qr-{link.code}.png", qr_bytes(short_url(request, link), "png"))
    response = HttpResponse(out.getvalue(), content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="qr-codes-{stamp}.zip"'
    return response


# Export ----------------------------------------------------------------------------------

COLUMNS = (
    ("code", "短码 Code"),
    ("short_url", "短链接 Short URL"),
    ("name", "名称 Name"),
    ("campaign", "活动 Campaign"),
    ("platform", "平台 Platform"),
    ("channel", "渠道 Channel"),
    ("partner", "合作方 Partner"),
    ("variant", "内容 Content"),
    ("destination_url", "目标地址 Destination"),
    ("tagged_url", "带 UTM 地址 Destination with UTM"),
    ("utm_source", "utm_source"),
    ("utm_medium", "utm_medium"),
    ("utm_campaign", "utm_campaign"),
    ("utm_content", "utm_content"),
    ("utm_term", "utm_term"),
    ("expires_at", "过期时间 Expires"),
    ("archived", "已归档 Archived"),
    ("created_at", "创建时间 Created"),
    ("clicks_total", "点击 Clicks"),
    ("clicks_human", "真人点击 Human clicks"),
    ("clicks_unique", "独立点击 Unique clicks"),
)
NUMERIC = {"clicks_total", "clicks_human", "clicks_unique"}


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _row(request: HttpRequest, link: TrackingLink) -> dict[str, Any]:
    return {
        "code": link.code,
        "short_url": short_url(request, link),
        "name": link.name,
        "campaign": str(link.campaign or ""),
        "platform": link.get_platform_display() if link.platform else "",
        "channel": link.channel,
        "partner": str(link.partner or ""),
        "variant": str(link.variant or ""),
        "destination_url": link.destination_url,
        "tagged_url": link_service.tagged_url(link),
        **{key: getattr(link, key) for key in link_service.UTM_FIELDS},
        "expires_at": _local(link.expires_at),
        "archived": "是 Yes" if link.archived else "",
        "created_at": _local(link.created_at),
        "clicks_total": link.clicks_total,  # type: ignore[attr-defined]
        "clicks_human": link.clicks_human,  # type: ignore[attr-defined]
        "clicks_unique": link.clicks_unique,  # type: ignore[attr-defined]
    }


def _safe(value: Any) -> Any:
    # A cell starting with = + - @ would run as a formula in Excel (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _export(request: WorkspaceRequest, found: QuerySet[TrackingLink], kind: str) -> HttpResponse:
    rows = [_row(request, link) for link in found.iterator()]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if kind == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow([header for _key, header in COLUMNS])
        for row in rows:
            writer.writerow([_safe(row[key]) for key, _h in COLUMNS])
        # The BOM makes Excel open the UTF-8 file with Chinese intact.
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
        sheet = book.add_worksheet("Links")
        bold = book.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1})
        for col, (_key, header) in enumerate(COLUMNS):
            sheet.write_string(0, col, header, bold)
            sheet.set_column(col, col, 14 if _key in NUMERIC else 22)
        for line, row in enumerate(rows, start=1):
            for col, (key, _h) in enumerate(COLUMNS):
                if key in NUMERIC:
                    sheet.write_number(line, col, row[key])
                else:
                    sheet.write_string(line, col, str(row[key]))
        sheet.freeze_panes(1, 0)
        book.close()
        response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="tracking-links-{stamp}.{kind}"'
    return response
