"""The shipped term dictionaries (``data/*.tsv``) and the Aho-Corasick matcher over them.

Each dictionary file holds one term a line: ``term<TAB>category<TAB>severity<TAB>suggestion``;
lines starting with ``#`` are comments and one of them is ``# version: YYYY.MM.N``. The file
name (without ``.tsv``) is the rule the terms belong to. ``exceptions.tsv`` holds harmless
phrases (first column only): a hit lying entirely inside an exception phrase found at that
place in the text is dropped (``第一次`` hides ``第一``; ``最好不要`` hides ``最好``).

Matching runs on :func:`normalise`'s copy of the text, which has *exactly* the same length
as the input (one character in, one out), so offsets found in it are offsets into the
original text: full-width ASCII (``ＮＯ．１``) becomes half-width and Latin letters become
lower case.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

DATA_DIR = Path(__file__).resolve().parent / "data"
RULE_FILES = ("absolute_terms", "medical_claims", "platform_traffic")
EXCEPTIONS_FILE = "exceptions"
SEVERITIES = ("block", "warn", "info")

# Full-width letters, digits and the few symbols Latin terms use ("ＮＯ．１", "１００％").
# Full-width *punctuation* (，！？) is left alone: no term needs it and it is everywhere.
_WIDE = "０-９Ａ-Ｚａ-ｚ．％＋＃"
_WIDE_RUN = re.compile(f"[{_WIDE}]+")
_WIDE_TABLE = str.maketrans(
    {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
    | {code: code + 32 - 0xFEE0 for code in range(0xFF21, 0xFF3B)}
)
_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")


def normalise(text: str) -> str:
    """Lower-case Latin letters and fold full-width letters/digits; the length is unchanged.

    ASCII lower-casing runs on the UTF-8 bytes (multi-byte sequences never contain bytes
    below 0x80), so it is one C pass; full-width runs are rare and folded one by one.
    """
    if not text.isascii():
        text = text.encode("utf-8").translate(_ASCII_LOWER).decode("utf-8")
        if _WIDE_RUN.search(text):
            text = _WIDE_RUN.sub(lambda m: m.group().translate(_WIDE_TABLE), text)
        return text
    return text.translate(_ASCII_LOWER_STR)


_ASCII_LOWER_STR = str.maketrans({code: code + 32 for code in range(ord("A"), ord("Z") + 1)})


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


@dataclass(frozen=True)
class Term:
    term: str
    rule: str
    category: str
    severity: str
    suggestion: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        return normalise(self.term)


@dataclass(frozen=True)
class Dictionary:
    version: str
    terms: tuple[Term, ...]
    exceptions: tuple[str, ...]

    def categories(self) -> list[str]:
        return sorted({term.category for term in self.terms})


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield number, [cell.strip() for cell in line.split("\t")]


def _version(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# version:"):
            return line.split(":", 1)[1].strip()
    return ""


def read_terms(path: Path, rule: str) -> list[Term]:
    terms = []
    for number, cells in _rows(path):
        if len(cells) < 3 or not cells[0] or cells[2] not in SEVERITIES:
            raise ValueError(f"{path.name}:{number}: expected term, category, severity, suggestion")
        suggestion = cells[3] if len(cells) > 3 else ""
        terms.append(Term(cells[0], rule, cells[1], cells[2], suggestion))
    return terms


@functools.cache
def load() -> Dictionary:
    """The shipped dictionary (read once per process). The first file naming a term wins."""
    versions = set()
    seen: set[str] = set()
    terms: list[Term] = []
    for rule in RULE_FILES:
        path = DATA_DIR / f"{rule}.tsv"
        versions.add(_version(path))
        for term in read_terms(path, rule):
            if term.key not in seen:
                seen.add(term.key)
                terms.append(term)
    path = DATA_DIR / f"{EXCEPTIONS_FILE}.tsv"
    versions.add(_version(path))
    exceptions = tuple(cells[0] for _number, cells in _rows(path))
    return Dictionary(version=max(versions), terms=tuple(terms), exceptions=exceptions)


Hit = tuple[int, int, Term]  # start, end (exclusive), term


def _latin(text: str) -> str:
    """The UTF-8 bytes of ``text`` as a latin-1 string (one character per byte)."""
    return text.encode("utf-8").decode("latin-1")


class Matcher:
    """One Aho-Corasick automaton over terms *and* exception phrases: one pass finds both.

    The automaton runs over the text's UTF-8 *bytes* (as a latin-1 string). pyahocorasick
    looks a node's children up linearly, and a dictionary of hundreds of CJK terms gives
    the root hundreds of children; over bytes every node has at most 64, which makes the
    scan about twice as fast. Matches always start on a character boundary (a term's
    first byte is never a continuation byte), and byte offsets are mapped back to
    character offsets for the (few) hits.
    """

    def __init__(self, terms: Iterable[Term], exceptions: Iterable[str] = ()) -> None:
        self.automaton = ahocorasick.Automaton()
        self.size = 0
        for term in terms:
            key = term.key
            if not key:
                continue
            checks = (_is_ascii_alnum(key[0]), _is_ascii_alnum(key[-1]))
            key = _latin(key)
            existing = self.automaton.get(key, None)
            payload = (len(key), term, checks)
            self.automaton.add_word(key, (payload, existing[1] if existing else 0))
            self.size += 1
        for phrase in exceptions:
            key = _latin(normalise(phrase))
            if not key:
                continue
            existing = self.automaton.get(key, None)
            self.automaton.add_word(key, (existing[0] if existing else None, len(key)))
        if len(self.automaton):
            self.automaton.make_automaton()

    def scan(self, norm: str) -> tuple[list[Hit], list[tuple[int, int]]]:
        """All term hits (overlapping) and all exception spans in the normalised text."""
        hits: list[Hit] = []
        spans: list[tuple[int, int]] = []
        if not len(self.automaton):
            return hits, spans
        raw = norm.encode("utf-8")
        found: list[tuple[int, int, Term | None, tuple[bool, bool]]] = []
        for last, (payload, exception_length) in self.automaton.iter(raw.decode("latin-1")):
            end = last + 1
            if exception_length:
                found.append((end - exception_length, end, None, (False, False)))
            if payload is not None:
                length, term, checks = payload
                found.append((end - length, end, term, checks))
        if not found:
            return hits, spans
        to_char = _char_offsets(raw, len(norm), {o for f in found for o in f[:2]})
        size = len(norm)
        for start_b, end_b, term, (check_start, check_end) in found:
            start, end = to_char[start_b], to_char[end_b]
            if term is None:
                spans.append((start, end))
                continue
            if check_start and start > 0 and _is_ascii_alnum(norm[start - 1]):
                continue
            if check_end and end < size and _is_ascii_alnum(norm[end]):
                continue
            hits.append((start, end, term))
        return hits, spans

    def count_longest(self, norm: str) -> int:
        """Non-overlapping leftmost-longest term hits (the benchmark's raw count)."""
        latin = norm.encode("utf-8").decode("latin-1")
        return sum(1 for _end, (payload, _exc) in self.automaton.iter_long(latin) if payload)


def _char_offsets(raw: bytes, chars: int, offsets: set[int]) -> dict[int, int]:
    """Map byte offsets (on character boundaries) of ``raw`` to character offsets."""
    if len(raw) == chars:  # ASCII: bytes are characters
        return {offset: offset for offset in offsets}
    result: dict[int, int] = {}
    previous_byte = previous_char = 0
    for offset in sorted(offsets):
        previous_char += len(raw[previous_byte:offset].decode("utf-8"))
        previous_byte = offset
        result[offset] = previous_char
    return result


@functools.cache
def base_matcher() -> Matcher:
    """The automaton for the shipped dictionary, built once per process."""
    dictionary = load()
    return Matcher(dictionary.terms, dictionary.exceptions)
