"""The ``fanloop`` command: Fanloop's own commands plus every manage.py command."""

import os
import sys

FANLOOP_COMMANDS = {
    "run": "serve web + worker + scheduler in the foreground (--host, --port)",
    "worker": "run a background worker (--burst to drain the queue and exit)",
    "scheduler": "enqueue periodic jobs when due (--once for one tick)",
    "publisher": "publish scheduled posts when due (--once for one round)",
    "import metrics": "import a platform's metrics export FILE (--profile NAME | --map f=列,...)",
    "import messages": "import fans' comments/DMs FILE into the inbox (CSV, Excel, JSON)",
    "import orders": "import shop orders FILE (--profile taobao|jd|... | --map f=列,...)",
    "kpi": "KPIs of a campaign or the workspace (--workspace SLUG --campaign ID|--all --by ...)",
    "inbox classify": "add sentiment, sentiment_score and intent columns to a CSV (--out)",
    "inbox retrain": "retrain a workspace's classifier from operators' corrections",
    "demo": "seed the demo workspace and users (--reset to start over)",
    "createuser": "create a user (--username --password --workspace --role)",
    "token": "create | list | revoke USERNAME's API tokens",
    "campaign list": "list campaigns (--workspace SLUG, --state STATE, --json)",
    "campaign export": "export campaign ID's whole plan (--format json|xlsx, --output FILE)",
    "migrate": "apply database migrations",
}


def usage() -> str:
    lines = ["usage: fanloop COMMAND [options]   (fanloop COMMAND --help for its options)", ""]
    lines += [f"  {name:<16} {text}" for name, text in FANLOOP_COMMANDS.items()]
    lines += [
        "",
        "Every Django manage.py command works too (fanloop help --all lists them).",
        "Commands that print data accept --json.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanloop.settings")
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"} or args == ["help"]:
        print(usage())
        return
    if args[:2] == ["help", "--all"]:
        args = ["help"]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fanloop", *args])


if __name__ == "__main__":
    main()
