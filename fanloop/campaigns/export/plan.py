"""The whole plan as a dict of JSON types only: dates as ISO strings, decimals as
strings, money as integer fen plus a yuan string."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fanloop.campaigns import pacing, queries
from fanloop.campaigns.models import Campaign, Feasibility, Retrospective
from fanloop.core.metrics import CATALOGUE
from fanloop.core.money import fen_to_yuan

EXPORT_FORMAT = "fanloop.campaign/1"


def _name(user: Any) -> str | None:
    return str(user) if user is not None else None


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _yuan(fen: int) -> str:
    return str(fen_to_yuan(fen))


# The dict ---------------------------------------------------------------------------------


def _pacing(pace: pacing.Pacing) -> dict[str, Any]:
    return {
        "actual": _dec(pace.actual),
        "as_of": _iso(pace.as_of),
        "progress": _dec(pace.progress),
        "elapsed": _dec(pace.elapsed),
        "needed_per_day": _dec(pace.needed_per_day),
        "projected": _dec(pace.projected),
        "on_pace": pace.on_pace,
    }


def _goals(campaign: Campaign, today: date) -> list[dict[str, Any]]:
    rows = []
    for goal, pace in queries.goals_with_pacing(campaign, today):
        metric = CATALOGUE[goal.metric]
        rows.append(
            {
                "id": goal.pk,
                "goal_type": goal.goal_type,
                "goal_type_label": str(goal.get_goal_type_display()),
                "metric": goal.metric,
                "metric_label": str(metric.label),
                "unit": metric.unit,
                "higher_is_better": metric.higher_is_better,
                "baseline": _dec(goal.baseline),
                "target": _dec(goal.target),
                "scope": goal.scope,
                "scope_value": goal.scope_value,
                "deadline": _iso(goal.deadline),
                "note": goal.note,
                "pacing": _pacing(pace),
                "measurements": [
                    {
                        "measured_on": _iso(m.measured_on),
                        "value": _dec(m.value),
                        "source_note": m.source_note,
                    }
                    for m in goal.measurements.all()
                ],
            }
        )
    return rows


def _budget(campaign: Campaign) -> dict[str, Any]:
    summary = queries.budget(campaign)
    lines = []
    for row in summary.rows:
        line = row.line
        lines.append(
            {
                "id": line.pk,
                "category": line.category,
                "category_label": str(line.get_category_display()),
                "description": line.description,
                "vendor": line.vendor,
                "note": line.note,
                "currency": line.currency,
                "planned_fen": line.planned_fen,
                "actual_fen": row.actual_fen,
                "variance_fen": row.variance_fen,
                "planned_yuan": _yuan(line.planned_fen),
                "actual_yuan": _yuan(row.actual_fen),
                "variance_yuan": _yuan(row.variance_fen),
                "spends": [
                    {
                        "spent_on": _iso(spend.spent_on),
                        "amount_fen": spend.amount_fen,
                        "amount_yuan": _yuan(spend.amount_fen),
                        "source": spend.source,
                        "external_ref": spend.external_ref,
                        "note": spend.note,
                    }
                    for spend in line.spends.all()
                ],
            }
        )
    return {
        "currency": "CNY",
        "lines": lines,
        "totals": {
            "planned_fen": summary.planned_fen,
            "actual_fen": summary.actual_fen,
            "variance_fen": summary.variance_fen,
            "planned_yuan": _yuan(summary.planned_fen),
            "actual_yuan": _yuan(summary.actual_fen),
            "variance_yuan": _yuan(summary.variance_fen),
            "used_share": summary.used_share,
        },
        "by_category": [
            {
                "category": category,
                "planned_fen": planned,
                "actual_fen": actual,
                "variance_fen": planned - actual,
                "planned_yuan": _yuan(planned),
                "actual_yuan": _yuan(actual),
                "variance_yuan": _yuan(planned - actual),
            }
            for category, (planned, actual) in summary.by_category.items()
        ],
    }


def _phases(campaign: Campaign) -> list[dict[str, Any]]:
    return [
        {
            "id": phase.pk,
            "kind": phase.kind,
            "name": phase.name,
            "start_date": _iso(phase.start_date),
            "end_date": _iso(phase.end_date),
            "owner_id": phase.owner_id,
            "owner": _name(phase.owner),
            "milestones": [
                {"id": m.pk, "name": m.name, "due_date": _iso(m.due_date), "done": m.done}
                for m in phase.milestones.all()
            ],
        }
        for phase in campaign.phases.select_related("owner").prefetch_related("milestones")
    ]


def _tasks(campaign: Campaign, today: date) -> list[dict[str, Any]]:
    rows = []
    for task in queries.tasks(campaign):
        deps = sorted(task.depends_on.all(), key=lambda dep: dep.pk)
        rows.append(
            {
                "id": task.pk,
                "title": task.title,
                "phase_id": task.phase_id,
                "phase": task.phase.name if task.phase else None,
                "owner_id": task.owner_id,
                "owner": _name(task.owner),
                "role": task.role,
                "due_date": _iso(task.due_date),
                "status": task.status,
                "status_label": str(task.get_status_display()),
                "overdue": task.is_overdue(today),
                "depends_on": [dep.pk for dep in deps],
                "depends_on_titles": [dep.title for dep in deps],
                "checklist": [
                    {"text": str(item.get("text", "")), "done": bool(item.get("done", False))}
                    for item in task.checklist
                ],
            }
        )
    return rows


def _feasibility(campaign: Campaign) -> dict[str, Any] | None:
    found = Feasibility.objects.filter(campaign=campaign).first()
    if found is None:
        return None
    return {
        "market_demand": found.market_demand,
        "market_demand_rationale": found.market_demand_rationale,
        "user_acceptance": found.user_acceptance,
        "user_acceptance_rationale": found.user_acceptance_rationale,
        "cost": found.cost,
        "cost_rationale": found.cost_rationale,
        "risk": found.risk,
        "risk_rationale": found.risk_rationale,
        "overall": found.overall,
    }


def _research(campaign: Campaign) -> dict[str, Any]:
    return {
        "competitors": [
            {
                "id": c.pk,
                "brand": c.brand,
                "platforms": list(c.platforms),
                "content_strategy": c.content_strategy,
                "interaction_style": c.interaction_style,
                "audience": c.audience,
                "share_position": c.share_position,
                "strengths": c.strengths,
                "weaknesses": c.weaknesses,
                "links": list(c.links),
            }
            for c in campaign.competitors.all()
        ],
        "notes": [
            {
                "id": n.pk,
                "kind": n.kind,
                "kind_label": str(n.get_kind_display()),
                "title": n.title,
                "body": n.body,
                "source_url": n.source_url,
                "created_at": _iso(n.created_at),
            }
            for n in campaign.research_notes.all()
        ],
        "feasibility": _feasibility(campaign),
    }


def _risks(campaign: Campaign) -> list[dict[str, Any]]:
    return [
        {
            "id": r.pk,
            "title": r.title,
            "category": r.category,
            "category_label": str(r.get_category_display()),
            "probability": r.probability,
            "impact": r.impact,
            "score": r.score,
            "priority": r.priority,
            "owner_id": r.owner_id,
            "owner": _name(r.owner),
            "mitigation": r.mitigation,
            "contingency": r.contingency,
            "status": r.status,
            "status_label": str(r.get_status_display()),
        }
        for r in campaign.risks.select_related("owner")
    ]


def _documents(campaign: Campaign) -> list[dict[str, Any]]:
    rows = []
    for doc in queries.documents(campaign.workspace, campaign=campaign):
        versions = sorted(doc.versions.all(), key=lambda v: -v.number)
        current = versions[0] if versions else None
        rows.append(
            {
                "id": doc.pk,
                "title": doc.title,
                "doc_type": doc.doc_type,
                "doc_type_label": str(doc.get_doc_type_display()),
                "tags": list(doc.tags),
                "versions": len(versions),
                "current_version": current.number if current else None,
                "file_name": current.original_name if current else None,
                "size": current.size if current else None,
                "updated_at": _iso(doc.updated_at),
            }
        )
    return rows


def _improvement(item: Any) -> dict[str, Any]:
    return {
        "id": item.pk,
        "text": item.text,
        "owner_id": item.owner_id,
        "owner": _name(item.owner),
        "apply_to_next": item.apply_to_next,
        "status": item.status,
        "status_label": str(item.get_status_display()),
        "from_campaign_id": item.retrospective.campaign_id,
        "from_campaign": item.retrospective.campaign.name,
        "adopted_by_id": item.adopted_by_id,
        "adopted_at": _iso(item.adopted_at),
    }


def _retrospective(campaign: Campaign) -> dict[str, Any] | None:
    retro = Retrospective.objects.filter(campaign=campaign).first()
    if retro is None:
        return None
    return {
        "highlights": retro.highlights,
        "shortfalls": retro.shortfalls,
        "lessons": retro.lessons,
        "completed_at": _iso(retro.completed_at),
        "improvements": [
            _improvement(item)
            for item in retro.improvements.select_related("owner", "retrospective__campaign")
        ],
    }


def campaign_to_dict(campaign: Campaign, today: date | None = None) -> dict[str, Any]:
    """The whole plan; every value is a JSON type, so ``json.dumps`` takes it as is."""
    today = today or timezone.localdate()
    source = campaign.source_campaign
    adopted = campaign.adopted_improvements.select_related("owner", "retrospective__campaign")
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "campaign": {
            "id": campaign.pk,
            "workspace": {
                "id": campaign.workspace_id,
                "name": campaign.workspace.name,
                "slug": campaign.workspace.slug,
            },
            "name": campaign.name,
            "state": campaign.state,
            "state_label": str(campaign.get_state_display()),
            "owner_id": campaign.owner_id,
            "owner": _name(campaign.owner),
            "start_date": _iso(campaign.start_date),
            "end_date": _iso(campaign.end_date),
            "theme": campaign.theme,
            "key_message": campaign.key_message,
            "visual_notes": campaign.visual_notes,
            "background": campaign.background,
            "audience": {
                "age_bands": list(campaign.audience_age_bands),
                "gender": campaign.audience_gender,
                "gender_label": str(campaign.get_audience_gender_display()),
                "regions": campaign.audience_regions,
                "interests": campaign.audience_interests,
                "habits": campaign.audience_habits,
            },
            "platforms": [dict(row) for row in campaign.platforms],
            "products": list(campaign.products),
            "source_campaign": {"id": source.pk, "name": source.name} if source else None,
            "created_at": _iso(campaign.created_at),
        },
        "goals": _goals(campaign, today),
        "budget": _budget(campaign),
        "phases": _phases(campaign),
        "tasks": _tasks(campaign, today),
        "research": _research(campaign),
        "risks": _risks(campaign),
        "documents": _documents(campaign),
        "retrospective": _retrospective(campaign),
        "adopted_improvements": [_improvement(item) for item in adopted],
        "history": [
            {
                "from_state": change.from_state,
                "to_state": change.to_state,
                "actor": _name(change.actor),
                "note": change.note,
                "created_at": _iso(change.created_at),
            }
            for change in campaign.state_changes.select_related("actor")
        ],
    }
