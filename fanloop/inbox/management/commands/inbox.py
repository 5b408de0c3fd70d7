"""``fanloop inbox classify FILE.csv --out OUT.csv`` and ``fanloop inbox retrain``.

``classify`` streams any CSV (UTF-8 with or without BOM, or GB18030, as Excel on a
Chinese Windows saves it) through the classifier in batches and adds ``sentiment``,
``sentiment_score`` and ``intent`` columns. It writes to a temporary file beside the
output and renames it only when every row is done, so a failure leaves nothing behind.
The output is UTF-8 with a BOM, which Excel needs to show Chinese correctly.
"""

import codecs
import csv
import io
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser

from fanloop.core.management.base import FanloopCommand
from fanloop.core.models import User, Workspace
from fanloop.inbox.nlp import SentimentModel, classify_many, default_model

ADDED = ("sentiment", "sentiment_score", "intent")
BATCH = 2_000
SNIFF_BYTES = 1 << 20


def detect_encoding(path: Path) -> str:
    """utf-8-sig or gb18030, judged from the first megabyte."""
    with open(path, "rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in sample:  # UTF-16/32 or a binary file: no CSV reader of ours reads it
        raise CommandError(
            f"{path} is not a UTF-8 or GB18030 text file (it holds NUL bytes; "
            "UTF-16 files must be saved again as UTF-8)."
        )
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise CommandError(f"{path} is neither UTF-8 nor GB18030 text; save it as UTF-8 CSV.")


class _Progress:
    def __init__(
        self, command: FanloopCommand, raw: io.BufferedReader, size: int, on: bool
    ) -> None:
        self.command, self.raw, self.size, self.on = command, raw, size, on
        self.started = self.last = time.monotonic()
        self.shown = -1

    def __call__(self, rows: int, final: bool = False) -> None:
        now = time.monotonic()
        if not self.on or rows == self.shown or (not final and now - self.last < 1.0):
            return
        self.last, self.shown = now, rows
        rate = rows / max(now - self.started, 1e-9)
        share = 1.0 if final else min(self.raw.tell() / self.size, 1.0) if self.size else 1.0
        self.command.stderr.write(f"{share:6.1%}  {rows:,} rows  {rate:,.0f} rows/s")
        self.command.stderr.flush()


def _classified(
    reader: Iterator[list[str]], column: int, width: int, model: SentimentModel
) -> Iterator[list[list[str]]]:
    batch: list[list[str]] = []
    for row in reader:
        batch.append(row)
        if len(batch) >= BATCH:
            yield _label(batch, column, width, model)
            batch = []
    if batch:
        yield _label(batch, column, width, model)


def _label(
    batch: list[list[str]], column: int, width: int, model: SentimentModel
) -> list[list[str]]:
    texts = [row[column] if column < len(row) else "" for row in batch]
    out = []
    for row, result in zip(batch, classify_many(texts, model), strict=True):
        padded = row + [""] * (width - len(row))
        out.append([*padded, result.sentiment, f"{result.sentiment_score:.4f}", result.intent])
    return out


def classify_file(
    command: FanloopCommand,
    source: Path,
    out: Path,
    column_name: str,
    model: SentimentModel,
    progress: bool,
) -> int:
    """Classify ``source`` into ``out``; the number of rows written."""
    if not source.is_file():
        raise CommandError(f"No such file: {source}.")
    if out.exists() and out.is_dir():
        raise CommandError(f"--out {out} is a directory; name a file.")
    if out.resolve() == source.resolve() or (out.exists() and out.samefile(source)):
        raise CommandError("--out must not be the input file; name a new file.")
    if not out.parent.is_dir():
        raise CommandError(f"The folder of --out does not exist: {out.parent}.")
    encoding = detect_encoding(source)
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    rows = 0
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as sink,
            open(source, "rb") as raw,
            io.TextIOWrapper(raw, encoding=encoding, newline="") as text,
        ):
            rows = _copy(command, raw, text, sink, source, column_name, model, progress)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return rows


def _copy(
    command: FanloopCommand,
    raw: io.BufferedReader,
    text: TextIO,
    sink: TextIO,
    source: Path,
    column_name: str,
    model: SentimentModel,
    progress: bool,
) -> int:
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if not header:
            raise CommandError(f"{source} is empty: it has no header row.")
        header = [name.strip() for name in header]
        if column_name not in header:
            raise CommandError(
                f"{source} has no column {column_name!r}; its columns are: "
                f"{', '.join(repr(h) for h in header)}. Choose one with --column."
            )
        column = header.index(column_name)
        # Re-classifying a file we wrote replaces the old labels instead of repeating them.
        kept = [i for i, name in enumerate(header) if name not in ADDED or i == column]
        writer = csv.writer(sink)
        writer.writerow([header[i] for i in kept] + list(ADDED))
        bar = _Progress(command, raw, source.stat().st_size, progress)
        rows = 0
        for chunk in _classified(reader, column, len(header), model):
            if len(kept) != len(header):
                chunk = [[row[i] for i in kept] + row[len(header) :] for row in chunk]
            writer.writerows(chunk)
            rows += len(chunk)
            bar(rows)
        bar(rows, final=True)
        return rows
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{source} is not valid {text.encoding} text after row {reader.line_num} "
            f"({exc.reason}); save it as UTF-8 CSV."
        ) from exc
    except csv.Error as exc:
        raise CommandError(
            f"{source} is not a readable CSV at line {reader.line_num}: {exc}."
        ) from exc


def _workspace(slug: str) -> Workspace:
    found = Workspace.objects.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"No workspace with slug {slug!r}.")
    return found


class Command(FanloopCommand):
    help = (
        "Inbox classifier: classify a CSV file's messages (sentiment and intent), "
        "or retrain a workspace's classifier from its label corrections"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subs = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        classify = subs.add_parser(
            "classify", help="add sentiment, sentiment_score and intent columns to a CSV file"
        )
        classify.add_argument("file", help="the CSV file (UTF-8, UTF-8 with BOM, or GB18030)")
        classify.add_argument("--out", required=True, help="the CSV file to write")
        classify.add_argument(
            "--column", default="review", help="the column holding the text (default: review)"
        )
        classify.add_argument(
            "--workspace", help="use this workspace's retrained classifier (slug)"
        )
        classify.add_argument("--no-progress", action="store_true", help="no progress on stderr")
        classify.add_argument("--json", action="store_true", help="print machine-readable JSON")
        retrain = subs.add_parser(
            "retrain", help="retrain a workspace's classifier from its label corrections"
        )
        retrain.add_argument("--workspace", required=True, help="workspace slug")
        retrain.add_argument(
            "--user", required=True, help="act as this member (needs the inbox reply permission)"
        )
        retrain.add_argument("--json", action="store_true", help="print machine-readable JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "classify":
            self._classify(options)
        else:
            self._retrain(options)

    def _classify(self, options: dict[str, Any]) -> None:
        from fanloop.inbox.services.training import model_for

        model = model_for(_workspace(options["workspace"])) if options["workspace"] else None
        started = time.monotonic()
        rows = classify_file(
            self,
            Path(options["file"]),
            Path(options["out"]),
            options["column"],
            model or default_model(),
            not options["no_progress"],
        )
        seconds = time.monotonic() - started
        self.emit(
            options,
            {"rows": rows, "out": options["out"], "seconds": round(seconds, 3)},
            f"Classified {rows:,} rows into {options['out']} in {seconds:.1f} s.",
        )

    def _retrain(self, options: dict[str, Any]) -> None:
        from fanloop.inbox.services.training import retrain_workspace

        workspace = _workspace(options["workspace"])
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        try:
            classifier = retrain_workspace(actor=user, workspace=workspace)
        except PermissionDenied as exc:
            raise CommandError(
                f"{user.username} may not retrain {workspace.slug}'s classifier: {exc}"
            ) from exc
        except ValidationError as exc:
            raise self.fail(exc) from exc
        data = {
            "workspace": workspace.slug,
            "version": classifier.version,
            "corrections_used": classifier.corrections_used,
            "sentiment_accuracy_before": classifier.sentiment_accuracy_before,
            "sentiment_accuracy_after": classifier.sentiment_accuracy_after,
            "intent_accuracy_before": classifier.intent_accuracy_before,
            "intent_accuracy_after": classifier.intent_accuracy_after,
        }
        self.emit(options, data, _retrain_text(data))


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _retrain_text(data: dict[str, Any]) -> str:
    sentiment_before = _pct(data["sentiment_accuracy_before"])
    return (
        f"Workspace {data['workspace']}: classifier v{data['version']} is active, "
        f"learned from {data['corrections_used']} corrected messages.\n"
        f"  sentiment accuracy on the corrections: before {sentiment_before}, "
        f"after {_pct(data['sentiment_accuracy_after'])} (5-fold cross-validated)\n"
        f"  intent accuracy on the corrections:    before {_pct(data['intent_accuracy_before'])}, "
        f"after {_pct(data['intent_accuracy_after'])} (5-fold cross-validated)"
    )
