"""The highlight helper escapes everything and marks findings' spans."""

from django.template import Context, Template

from fanloop.compliance.engine import Finding, check_text
from fanloop.compliance.highlight import highlight


def test_marks_spans_and_escapes_text():
    text = '<b>最好</b> & "第一"\n下一行'
    html = str(highlight(text, check_text(text)))
    assert "<b>" not in html
    assert "&lt;b&gt;" in html
    assert "&amp;" in html
    assert "&quot;" in html
    assert '<mark class="finding finding-block finding-absolute_terms"' in html
    assert ">最好</mark>" in html
    assert ">第一</mark>" in html
    assert "<br>" in html


def test_title_is_escaped_and_empty_spans_ignored():
    evil = Finding("absolute_terms", "warn", 0, 2, "ab", "c", '"><script>', "s", "x")
    missing = Finding("ad_label", "block", 0, 0, "", "ad_label", "e", "s", "x")
    html = str(highlight("abc", [evil, missing]))
    assert "<script>" not in html
    assert html.count("<mark") == 1
    assert html.endswith("</mark>c")


def test_overlapping_findings_take_the_worst_severity():
    a = Finding("absolute_terms", "warn", 0, 3, "abc", "c", "e1", "s", "x")
    b = Finding("privacy", "block", 2, 4, "cd", "c", "e2", "s", "x")
    html = str(highlight("abcde", [a, b]))
    assert html.count("<mark") == 3
    assert (
        'finding-block finding-absolute_terms finding-privacy" title="s e1 → x | s e2 → x">c<'
        in html
    )


def test_template_filter():
    text = "最佳<i>"
    out = Template("{% load compliance_tags %}{{ t|highlight_findings:f }}").render(
        Context({"t": text, "f": check_text(text)})
    )
    assert "&lt;i&gt;" in out
    assert "<mark" in out
