"""Helpers shared by Fanloop's commands: ``--json`` output and clear errors."""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder


class FanloopCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print machine-readable JSON")

    def emit(self, options: dict[str, Any], data: Any, text: str) -> None:
        if options.get("json"):
            self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))
        else:
            self.stdout.write(text)

    @staticmethod
    def fail(exc: ValidationError) -> CommandError:
        if hasattr(exc, "error_dict"):
            lines = [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
        else:
            lines = list(exc.messages)
        return CommandError("; ".join(lines))
