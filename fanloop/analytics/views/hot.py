"""Hot content analysis: what the best-performing posts have in common."""

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from fanloop.analytics import hot_content
from fanloop.analytics.dashboard import chart_json
from fanloop.analytics.export import Table
from fanloop.analytics.hot_content import Group, HotContent
from fanloop.analytics.views.export import filter_form, maybe_export, page_context, scope_for
from fanloop.content.models.choices import ContentType, Purpose
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, workspace_local_view


def weekday_labels() -> dict[Any, str]:
    names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    return dict(enumerate(names))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def group_table(name: str, title: str, first: str, groups: list[Group]) -> Table:
    table = Table(
        name=name,
        title=title,
        headers=[
            first,
            _("Posts (n)"),
            _("Median engagement rate (%)"),
            _("Mean engagement rate (%)"),
            _("CTR (%)"),
            _("Exposure"),
        ],
        numeric=[False, True, True, True, True, True],
        empty=_("No posts to compare."),
    )
    for group in groups:
        note = _("too few posts to judge") if group.too_small else ""
        table.add(
            [group.label, group.n, group.median_er, group.mean_er, group.ctr, group.impressions],
            [
                group.label,
                str(group.n),
                _pct(group.median_er),
                _pct(group.mean_er),
                _pct(group.ctr),
                f"{group.impressions:,}",
            ],
            muted=group.too_small,
            note=note,
        )
    return table


def keyword_table(result: HotContent) -> Table:
    table = Table(
        name="keywords",
        title=_("Keywords"),
        headers=[
            _("Keyword"),
            _("Posts (n)"),
            _("In top-quartile posts"),
            _("Share of top posts (%)"),
            _("Share of other posts (%)"),
            _("Lift"),
            _("Median engagement rate (%)"),
        ],
        numeric=[False, True, True, True, True, True, True],
        empty=_("Not enough posts with text to compare keywords."),
    )
    for word in result.keywords:
        lift = "∞" if word.lift is None else f"{word.lift:.2f}×"
        table.add(
            [
                word.word,
                word.n,
                word.n_top,
                word.share_top,
                word.share_rest,
                word.lift,
                word.median_er,
            ],
            [
                word.word,
                str(word.n),
                str(word.n_top),
                f"{word.share_top:.1f}%",
                f"{word.share_rest:.1f}%",
                lift,
                _pct(word.median_er),
            ],
            muted=word.too_small,
            note=_("too few posts to judge") if word.too_small else "",
        )
    return table


def tables(result: HotContent) -> dict[str, Table]:
    return {
        "topics": group_table("topics", _("Topics / hashtags"), _("Topic"), result.topics),
        "content_types": group_table(
            "content_types", _("Content types"), _("Content type"), result.content_types
        ),
        "purposes": group_table("purposes", _("Purposes"), _("Purpose"), result.purposes),
        "hours": group_table("hours", _("Posting hour"), _("Hour"), result.hours),
        "weekdays": group_table("weekdays", _("Posting weekday"), _("Weekday"), result.weekdays),
        "keywords": keyword_table(result),
    }


def _bars(groups: list[Group]) -> str:
    return chart_json(
        {
            "categories": [group.label for group in groups],
            "median": [group.median_er for group in groups],
            "n": [group.n for group in groups],
            "small": [group.too_small for group in groups],
            "name": _("Median engagement rate (%)"),
            "n_label": _("posts"),
        }
    )


def charts(result: HotContent) -> dict[str, str]:
    weekdays = weekday_labels()
    return {
        "heatmap": chart_json(
            {
                "hours": [f"{hour:02d}" for hour in range(24)],
                "days": [weekdays[day] for day in range(7)],
                "cells": [[hour, day, er, n] for day, hour, er, n in result.heatmap],
                "name": _("Median engagement rate (%)"),
                "n_label": _("posts"),
            }
        ),
        "topics": _bars(result.topics[:15]),
        "content_types": _bars(result.content_types),
        "purposes": _bars(result.purposes),
        "hours": _bars(result.hours),
    }


@workspace_local_view(Action.ANALYTICS_VIEW)
def hot(request: WorkspaceRequest) -> HttpResponse:
    form, filters = filter_form(request, choose_campaign=True, show_grain=False)
    scope = scope_for(request, filters)
    labels = {
        "content_type": {code: str(label) for code, label in ContentType.choices},
        "purpose": {code: str(label) for code, label in Purpose.choices},
        "weekday": weekday_labels(),
    }
    result = hot_content.analyse(scope, request.workspace.zoneinfo, labels)
    page_tables = tables(result)
    download = maybe_export(request, page_tables, filters, "hot-content")
    if download is not None:
        return download
    context = page_context(
        request,
        form,
        filters,
        result=result,
        tables=page_tables,
        charts=charts(result),
        min_group=hot_content.MIN_GROUP,
        min_exposure=hot_content.MIN_EXPOSURE,
        tab="hot",
    )
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render_page(request, "analytics/hot.html", context, status=status)
