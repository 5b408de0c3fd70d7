"""The body of an analytics table, built in Python: a dashboard shows up to ten tables
of a hundred rows, and the template language's per-cell loops and conditions took
longer than every query of the page."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from fanloop.analytics.export import Table, TableRow

register = template.Library()

# constant markup, no data in it
_RIGHT = mark_safe(' class="text-end"')
_MUTED = mark_safe(' class="text-muted" data-too-small="yes"')


def _cell(row: TableRow, index: int, text: str, numeric: bool) -> SafeString:
    content = format_html("{}", text)
    if index == 0 and row.url:
        content = format_html('<a href="{}">{}</a>', row.url, text)
    if index == 0 and row.note:
        content = format_html(
            '{} <span class="badge text-bg-light border" title="{}">{}</span>',
            content,
            row.note,
            row.note,
        )
    align = _RIGHT if numeric else ""
    return format_html("<td{}>{}</td>", align, content)


@register.simple_tag
def table_rows(table: Table) -> SafeString:
    """The table's shown rows as <tr> elements (an empty string for no rows)."""
    rows = []
    for row, cells in table.body():
        muted = _MUTED if row.muted else ""
        rows.append(
            format_html(
                '<tr data-testid="row-{}"{}>{}</tr>',
                table.name,
                muted,
                format_html_join(
                    "",
                    "{}",
                    (
                        (_cell(row, index, text, numeric),)
                        for index, (text, numeric) in enumerate(cells)
                    ),
                ),
            )
        )
    return format_html_join("\n", "{}", ((row,) for row in rows))
