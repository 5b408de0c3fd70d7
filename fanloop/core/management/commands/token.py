from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from fanloop.core import queries, services
from fanloop.core.management.base import FanloopCommand
from fanloop.core.models import User


class Command(FanloopCommand):
    help = "Create, list or revoke a user's API tokens (for scripts)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("operation", choices=["create", "list", "revoke"])
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="token name (create)")
        parser.add_argument("--id", type=int, help="token id (revoke)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        try:
            if options["operation"] == "create":
                token, raw = services.create_api_token(actor=user, name=options["name"])
                self.emit(options, {"id": token.pk, "name": token.name, "key": raw}, raw)
            elif options["operation"] == "list":
                rows = [
                    {
                        "id": t.pk,
                        "name": t.name,
                        "prefix": t.prefix,
                        "created_at": t.created_at,
                        "last_used_at": t.last_used_at,
                        "revoked": t.revoked_at is not None,
                    }
                    for t in queries.tokens_of(user)
                ]
                text = (
                    "\n".join(
                        f"{r['id']:>5}  {r['prefix']}…  {r['name']}"
                        f"{'  (revoked)' if r['revoked'] else ''}"
                        for r in rows
                    )
                    or "No tokens."
                )
                self.emit(options, rows, text)
            else:
                if options["id"] is None:
                    raise CommandError("revoke needs --id (see `fanloop token list USERNAME`).")
                found = queries.tokens_of(user).filter(pk=options["id"]).first()
                if found is None:
                    raise CommandError(f"{user.username} has no token with id {options['id']}.")
                services.revoke_api_token(actor=user, token=found)
                self.emit(options, {"id": found.pk, "revoked": True}, f"Revoked token {found.pk}.")
        except ValidationError as exc:
            raise self.fail(exc) from exc
