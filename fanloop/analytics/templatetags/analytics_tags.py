"""The body of an analytics table, built in Python: a dashboard shows up to ten tables
of a hundred rows, and the template language's per-cell loops and conditions (or
format_html per cell) took longer than every query of the page."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from fanloop.analytics.export import Table, TableRow

register = template.Library()


def _cell(row: TableRow, first: bool, text: str, numeric: bool) -> str:
    content = escape(str(text))
    if first and row.url:
        content = f'<a href="{escape(row.url)}">{content}</a>'
    if first and row.note:
        note = escape(str(row.note))
        content += f' <span class="badge text-bg-light border" title="{note}">{note}</span>'
    return f'<td class="text-end">{content}</td>' if numeric else f"<td>{content}</td>"


@register.simple_tag
def table_rows(table: Table) -> SafeString:
    """The table's shown rows as <tr> elements (an empty string for no rows); every
    value is escaped here."""
    name = escape(table.name)
    muted = ' class="text-muted" data-too-small="yes"'
    rows = [
        f'<tr data-testid="row-{name}"{muted if row.muted else ""}>'
        + "".join(
            _cell(row, index == 0, text, numeric) for index, (text, numeric) in enumerate(cells)
        )
        + "</tr>"
        for row, cells in table.body()
    ]
    return mark_safe("\n".join(rows))  # noqa: S308  (built from escaped values above)
