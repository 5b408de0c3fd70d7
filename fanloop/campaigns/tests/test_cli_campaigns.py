"""``fanloop campaign list`` and ``fanloop campaign export``."""

import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from fanloop.campaigns import services

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("campaign", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def theirs(other_workspace):
    return services.create_campaign(
        actor=other_workspace.memberships.get().user,
        workspace=other_workspace,
        data={"name": "B 的活动", "start_date": "2026-01-01", "end_date": "2026-01-31"},
    )


def test_list_as_json_with_workspace_and_state_filters(planned_ready, theirs, marketer):
    rows = json.loads(run("list", "--json"))
    assert {(row["id"], row["workspace"]) for row in rows} == {
        (planned_ready.pk, "brand-a"),
        (theirs.pk, "brand-b"),
    }
    mine = json.loads(run("list", "--workspace", "brand-a", "--json"))
    assert mine == [
        {
            "id": planned_ready.pk,
            "workspace": "brand-a",
            "name": "双11 预售",
            "state": "draft",
            "owner": str(marketer),
            "start_date": "2026-10-20",
            "end_date": "2026-11-12",
        }
    ]
    assert json.loads(run("list", "--state", "planned", "--json")) == []
    assert "双11 预售" in run("list")
    assert run("list", "--state", "closed") == "No campaigns.\n"


def test_export_json_to_stdout_and_to_a_file(planned_ready, tmp_path):
    plan = json.loads(run("export", str(planned_ready.pk)))
    assert plan["campaign"]["name"] == "双11 预售"
    assert plan["budget"]["totals"]["planned_fen"] == 5_000_000
    target = tmp_path / "plan.json"
    said = json.loads(run("export", str(planned_ready.pk), "--output", str(target), "--json"))
    assert said == {"id": planned_ready.pk, "format": "json", "path": str(target)}
    assert json.loads(target.read_text(encoding="utf-8"))["goals"][0]["metric"] == "orders"


def test_export_xlsx_to_a_file_or_the_default_name(planned_ready, tmp_path, monkeypatch):
    target = tmp_path / "plan.xlsx"
    assert run("export", str(planned_ready.pk), "--format", "xlsx", "--output", str(target)) == (
        f"Wrote {target}.\n"
    )
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[:3] == ["概览 Overview", "目标 Goals", "预算 Budget"]
    monkeypatch.chdir(tmp_path)
    run("export", str(planned_ready.pk), "--format", "xlsx")
    assert (tmp_path / f"campaign-{planned_ready.pk}.xlsx").exists()


def test_unknown_ids_and_workspaces_are_clear_errors(planned_ready, theirs, tmp_path):
    with pytest.raises(CommandError, match="No campaign with id 999999"):
        run("export", "999999")
    with pytest.raises(CommandError, match="brand-a"):
        run("export", str(theirs.pk), "--workspace", "brand-a")
    with pytest.raises(CommandError, match="nowhere"):
        run("list", "--workspace", "nowhere")
    with pytest.raises(CommandError, match="needs a campaign id"):
        run("export")
    with pytest.raises(CommandError, match="Cannot write"):
        run("export", str(planned_ready.pk), "--output", str(tmp_path / "missing" / "x.json"))
    with pytest.raises(CommandError):
        run("list", "--state", "paused")
