"""Every analytics table downloads as CSV (UTF-8 with BOM) or Excel with the rows the
page shows, named after the workspace, the table and the dates."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from fanloop.analytics.export import PAGE_ROWS, Table, csv_bytes, xlsx_bytes
from fanloop.analytics.tests.test_dashboard_pages import fact, make_campaign, period

pytestmark = pytest.mark.django_db


def test_csv_has_bom_header_and_rows_and_defuses_formulas():
    data = csv_bytes(["平台", "曝光"], [["小红书", 1000], ['=HYPERLINK("x")', None]])

    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["平台", "曝光"], ["小红书", "1000"], ['\'=HYPERLINK("x")', ""]]


def test_xlsx_opens_with_typed_cells():
    data = xlsx_bytes(
        ["日期", "曝光", "GMV (¥)"], [[date(2026, 3, 1), 1000, Decimal("12.34")]], sheet="trend"
    )

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("日期", "曝光", "GMV (¥)")
    assert rows[1][0].date() == date(2026, 3, 1)
    assert rows[1][1:] == (1000, 12.34)


@pytest.fixture
def campaign_with_figures(workspace):
    campaign = make_campaign(workspace, "双11")
    fact(
        workspace,
        date(2026, 3, 2),
        campaign=campaign,
        platform="weibo",
        impressions=1000,
        likes=50,
        net_gmv_fen=123456,
        orders=2,
    )
    fact(workspace, date(2026, 3, 3), platform="douyin", impressions=300)
    return campaign


def test_overview_platform_table_as_csv(client_for, admin_user, workspace, campaign_with_figures):
    response = client_for(admin_user).get(
        reverse("analytics", args=[workspace.slug]),
        {**period(date(2026, 3, 1), date(2026, 3, 7)), "export": "csv", "table": "platforms"},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="brand-a-overview-platforms-2026-03-01-2026-03-07.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Platform", "Exposure", "Engagements"]
    assert [row[:2] for row in rows[1:]] == [["Weibo", "1000"], ["Douyin", "300"]]
    gmv = rows[0].index("GMV (¥)")
    assert rows[1][gmv] == "1234.56"


def test_campaign_table_as_excel(client_for, admin_user, workspace, campaign_with_figures):
    url = reverse("analytics_campaign", args=[workspace.slug, campaign_with_figures.pk])
    response = client_for(admin_user).get(
        url, {**period(date(2026, 3, 1), date(2026, 3, 7)), "export": "xlsx", "table": "trend"}
    )

    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    assert (
        f"brand-a-campaign-{campaign_with_figures.pk}-trend-2026-03-01"
        in response["Content-Disposition"]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Day", "Exposure")
    assert len(rows) == 1 + 7  # every day of the period, empty days as zeros
    assert rows[2][0].date() == date(2026, 3, 2)
    assert rows[2][1] == 1000


def test_every_table_on_the_page_has_both_links(
    client_for, admin_user, workspace, campaign_with_figures
):
    url = reverse("analytics_campaign", args=[workspace.slug, campaign_with_figures.pk])
    response = client_for(admin_user).get(url)

    html = response.content.decode()
    for name in response.context["page"].tables:
        assert f'data-testid="csv-{name}"' in html
        assert f'data-testid="xlsx-{name}"' in html
        assert client_for(admin_user).get(url, {"export": "csv", "table": name}).status_code == 200


def test_unknown_table_or_format_is_404(client_for, admin_user, workspace):
    client = client_for(admin_user)
    url = reverse("analytics", args=[workspace.slug])
    assert client.get(url, {"export": "csv", "table": "nope"}).status_code == 404
    assert client.get(url, {"export": "pdf", "table": "platforms"}).status_code == 404


def test_a_long_table_shows_its_first_rows_and_the_file_has_them_all(
    client_for, admin_user, workspace, campaign_with_figures
):
    # given a period of 130 days: a daily table of 130 rows
    url = reverse("analytics_campaign", args=[workspace.slug, campaign_with_figures.pk])
    days = period(date(2026, 1, 1), date(2026, 5, 10))
    client = client_for(admin_user)

    # when the page is opened
    html = client.get(url, days).content.decode()

    # then it lists the first 100 days and says where the other 30 are
    trend = html.split('data-testid="table-trend"')[1].split("</table>")[0]
    assert trend.count('data-testid="row-trend"') == PAGE_ROWS == 100
    assert "30 more rows are in the CSV and Excel files." in html
    assert 'data-testid="more-platforms"' not in html  # short tables say nothing

    # and the CSV of that table has every day
    response = client.get(url, {**days, "export": "csv", "table": "trend"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 130


def test_table_cells_are_escaped(client_for, admin_user, workspace, campaign_with_figures):
    campaign_with_figures.name = '<script>alert("x")</script>'
    campaign_with_figures.save()

    overview = reverse("analytics", args=[workspace.slug])
    days = period(date(2026, 3, 1), date(2026, 3, 7))
    html = client_for(admin_user).get(overview, days).content.decode()

    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_lazy_row_is_computed_once_and_only_when_read():
    # given a table of 150 lazy rows
    computed: list[int] = []

    def cells(n: int) -> tuple[list, list[str]]:
        computed.append(n)
        return [n, Decimal(n) / 2], [str(n), f"{n / 2:.1f}"]

    table = Table(name="t", title="T", headers=["n", "half"])
    for n in range(150):
        table.add_lazy(lambda n=n: cells(n), url=f"/n/{n}/")

    # when the page body is taken, only the shown rows are computed
    shown = table.body()
    assert [row.display for row, _cells in shown][:2] == [["0", "0.0"], ["1", "0.5"]]
    assert sorted(computed) == list(range(PAGE_ROWS))

    # and when the file is written, every row's values are there, each computed once
    data = csv_bytes(table.headers, [row.values for row in table.rows])
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 151
    assert lines[150] == "149,74.5"
    assert sorted(computed) == list(range(150))
