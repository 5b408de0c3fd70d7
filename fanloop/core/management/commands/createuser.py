import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from fanloop.core import services
from fanloop.core.management.base import FanloopCommand
from fanloop.core.models import Workspace
from fanloop.core.permissions import Role


class Command(FanloopCommand):
    help = "Create a user, optionally as a member of a workspace with a role."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--username", help="login name (asked for when missing)")
        parser.add_argument("--password", help="password (asked for when missing)")
        parser.add_argument("--email", default="")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--workspace", help="slug of the workspace to add the user to")
        parser.add_argument(
            "--role",
            choices=Role.values,
            default=Role.VIEWER.value,
            help="role in --workspace (default: viewer)",
        )
        parser.add_argument(
            "--staff",
            action="store_true",
            help="may create workspaces when that is limited to staff",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"] or input("Username: ")
        password = options["password"] or getpass.getpass("Password: ")
        workspace = None
        if options["workspace"]:
            workspace = Workspace.objects.filter(slug=options["workspace"]).first()
            if workspace is None:
                raise CommandError(f"No workspace with slug {options['workspace']!r}.")
        try:
            with transaction.atomic():
                user = services.create_user(
                    actor=None,
                    username=username,
                    password=password,
                    email=options["email"],
                    display_name=options["display_name"],
                    is_staff=options["staff"],
                )
                if workspace is not None:
                    # The server operator acts here; record the membership as theirs.
                    services.grant_membership_as_operator(
                        workspace=workspace, user=user, role=options["role"]
                    )
        except ValidationError as exc:
            raise self.fail(exc) from exc
        data = {
            "id": user.pk,
            "username": user.username,
            "workspace": workspace.slug if workspace else None,
            "role": options["role"] if workspace else None,
        }
        where = f" in {workspace.slug} as {options['role']}" if workspace else ""
        self.emit(options, data, f"Created user {user.username}{where}.")
