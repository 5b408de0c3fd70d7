"""Readable diffs between two versions of a variant's copy.

Chinese has no spaces, so a word diff is useless; lines are compared first and changed
lines are then compared character by character.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher

from fanloop.content.models import VariantVersion


@dataclass(frozen=True)
class Segment:
    op: str  # "equal" | "insert" | "delete"
    text: str


def diff_text(old: str, new: str) -> list[Segment]:
    segments: list[Segment] = []
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in SequenceMatcher(
        None, old_lines, new_lines, autojunk=False
    ).get_opcodes():
        before = "".join(old_lines[i1:i2])
        after = "".join(new_lines[j1:j2])
        if tag == "equal":
            segments.append(Segment("equal", before))
        elif tag == "replace":
            for ctag, a1, a2, b1, b2 in SequenceMatcher(
                None, before, after, autojunk=False
            ).get_opcodes():
                if ctag == "equal":
                    segments.append(Segment("equal", before[a1:a2]))
                else:
                    if a2 > a1:
                        segments.append(Segment("delete", before[a1:a2]))
                    if b2 > b1:
                        segments.append(Segment("insert", after[b1:b2]))
        elif tag == "delete":
            segments.append(Segment("delete", before))
        else:
            segments.append(Segment("insert", after))
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].op == segment.op:
            merged[-1] = Segment(segment.op, merged[-1].text + segment.text)
        elif segment.text:
            merged.append(segment)
    return merged


@dataclass(frozen=True)
class FieldDiff:
    field: str
    segments: list[Segment]

    @property
    def changed(self) -> bool:
        return any(s.op != "equal" for s in self.segments)


def diff_versions(old: VariantVersion, new: VariantVersion) -> list[FieldDiff]:
    """Per field, only the fields that changed."""
    pairs = [
        ("title", old.title, new.title),
        ("body", old.body, new.body),
        ("topics", " ".join(f"#{t}" for t in old.topics), " ".join(f"#{t}" for t in new.topics)),
        (
            "mentions",
            " ".join(f"@{m}" for m in old.mentions),
            " ".join(f"@{m}" for m in new.mentions),
        ),
        ("link", old.link, new.link),
        ("media", ",".join(map(str, old.media_ids)), ",".join(map(str, new.media_ids))),
    ]
    result = [FieldDiff(name, diff_text(a, b)) for name, a, b in pairs]
    return [d for d in result if d.changed]
