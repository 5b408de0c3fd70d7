"""``fanloop kpi``: KPIs of a campaign or workspace from the shell."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fanloop.analytics import rollups
from fanloop.analytics.tests import rollup_fixtures as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def camp(workspace):
    camp = f.campaign(workspace)
    link = f.link(workspace, "k1", campaign=camp, platform="weibo")
    for minute in range(4):
        f.click(link, f.local(2026, 6, 2, 10, minute), ip_hash=f"ip{minute}")
    f.order(workspace, f.local(2026, 6, 2, 12, 0), paid=12345, link=link, campaign=camp)
    f.cost(workspace, date(2026, 6, 2), 5000, campaign=camp)
    rollups.rebuild_range(workspace, date(2026, 6, 1), date(2026, 6, 3))
    return camp


def _run(*args: str) -> str:
    out = StringIO()
    call_command("kpi", *args, stdout=out)
    return out.getvalue()


def test_json_has_every_kpi_as_text_with_its_formula(workspace, camp):
    data = json.loads(
        _run("--workspace", "brand-a", "--campaign", str(camp.pk), "--by", "day", "--json")
    )
    assert data["from"] == "2026-06-01"
    assert data["to"] == "2026-06-30"
    assert data["totals"]["unique_clicks"] == 4
    assert data["kpis"]["clicks"]["value"] == "4"
    assert data["kpis"]["conversion_rate"]["value"] == "25.0000"
    assert data["kpis"]["roi"]["value"] == "1.4690"  # (12,345 − 5,000) ÷ 5,000
    assert data["kpis"]["ctr"]["value"] is None  # no exposure: unknown
    assert data["kpis"]["ctr"]["formula"] == "Clicks ÷ exposure × 100%."
    assert [row["key"] for row in data["rows"]] == ["2026-06-02"]
    assert data["rows"][0]["kpis"]["orders"] == "1"


def test_table_for_people(workspace, camp):
    text = _run("--workspace", "brand-a", "--all", "--from", "2026-06-01", "--to", "2026-06-03",
                "--by", "platform")  # fmt: skip
    assert "Conversion rate" in text
    assert "¥123.45" in text
    assert "weibo" in text.lower()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workspace", "nope", "--all"], "No workspace with slug 'nope'"),
        (["--workspace", "brand-a", "--campaign", "999999"], "No campaign with id 999999"),
        (["--workspace", "brand-a", "--all", "--by", "hour"], "Unknown breakdown 'hour'"),
        (["--workspace", "brand-a", "--all", "--from", "June"], "Not a date: 'June'"),
        (
            ["--workspace", "brand-a", "--all", "--from", "2026-06-05", "--to", "2026-06-01"],
            "is after",
        ),
    ],
)
def test_clear_errors(workspace, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_another_workspaces_campaign_is_not_found(workspace, other_workspace, camp):
    with pytest.raises(CommandError, match="No campaign"):
        _run("--workspace", "brand-b", "--campaign", str(camp.pk))
