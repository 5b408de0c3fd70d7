"""The content security policy allows no inline styles or scripts; the pages of tracking
and analytics must not rely on them (a browser would silently drop them)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    [*ROOT.glob("analytics/templates/**/*.html"), *ROOT.glob("tracking/templates/**/*.html")]
)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_inline_style_or_script(template: Path) -> None:
    text = template.read_text()

    assert not re.search(r"\sstyle=|<style", text)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text)
    assert not re.search(r"\son(click|change|load|submit)=", text)
