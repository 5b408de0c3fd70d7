"""``fanloop campaign list`` and ``fanloop campaign export ID``: campaigns from the shell."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from fanloop.campaigns import queries
from fanloop.campaigns.export import campaign_to_dict, campaign_to_xlsx
from fanloop.campaigns.models import Campaign, CampaignState
from fanloop.core.management.base import FanloopCommand
from fanloop.core.models import Workspace


class Command(FanloopCommand):
    help = (
        "List campaigns (list [--workspace SLUG] [--state STATE]) or export one campaign's "
        "whole plan (export ID [--format json|xlsx] [--output FILE])."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("operation", choices=["list", "export"])
        parser.add_argument("id", nargs="?", type=int, help="campaign id (export)")
        parser.add_argument("--workspace", help="workspace slug")
        parser.add_argument("--state", choices=CampaignState.values, help="only this state (list)")
        parser.add_argument(
            "--format", choices=["json", "xlsx"], default="json", help="export format"
        )
        parser.add_argument(
            "--output",
            help="file to write (export); xlsx defaults to campaign-ID.xlsx, json to stdout",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self._workspace(options["workspace"])
        if options["operation"] == "list":
            self._list(options, workspace)
        else:
            self._export(options, workspace)

    @staticmethod
    def _workspace(slug: str | None) -> Workspace | None:
        if slug is None:
            return None
        found = Workspace.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No workspace with slug {slug!r}.")
        return found

    def _list(self, options: dict[str, Any], workspace: Workspace | None) -> None:
        workspaces = [workspace] if workspace else list(Workspace.objects.order_by("slug"))
        rows = [
            {
                "id": campaign.pk,
                "workspace": ws.slug,
                "name": campaign.name,
                "state": campaign.state,
                "owner": str(campaign.owner) if campaign.owner else None,
                "start_date": campaign.start_date,
                "end_date": campaign.end_date,
            }
            for ws in workspaces
            for campaign in queries.campaigns(ws, state=options["state"] or "")
        ]
        text = (
            "\n".join(
                f"{r['id']:>5}  {r['workspace']:<16} {r['state']:<12} "
                f"{r['start_date']}..{r['end_date']}  {r['name']}"
                for r in rows
            )
            or "No campaigns."
        )
        self.emit(options, rows, text)

    def _export(self, options: dict[str, Any], workspace: Workspace | None) -> None:
        if options["id"] is None:
            raise CommandError("export needs a campaign id (see `fanloop campaign list`).")
        found = Campaign.objects.select_related("workspace", "owner").filter(pk=options["id"])
        if workspace is not None:
            found = found.filter(workspace=workspace)
        campaign = found.first()
        if campaign is None:
            where = f" in workspace {workspace.slug!r}" if workspace else ""
            raise CommandError(f"No campaign with id {options['id']}{where}.")
        output = options["output"]
        if options["format"] == "json":
            body = json.dumps(
                campaign_to_dict(campaign), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
            )
            if output is None:
                self.stdout.write(body)
                return
            self._write(Path(output), body.encode())
        else:
            self._write(Path(output or f"campaign-{campaign.pk}.xlsx"), campaign_to_xlsx(campaign))
        path = str(Path(output or f"campaign-{campaign.pk}.xlsx"))
        self.emit(
            options,
            {"id": campaign.pk, "format": options["format"], "path": path},
            f"Wrote {path}.",
        )

    @staticmethod
    def _write(path: Path, content: bytes) -> None:
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
