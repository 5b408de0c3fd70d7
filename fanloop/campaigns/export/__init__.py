"""A campaign's whole plan as a JSON-ready dict or as an Excel workbook for the boss.

``campaign_to_dict(campaign)`` holds only JSON types (dates as ISO strings, decimals as
strings, money as integer fen plus a yuan string), so ``json.dumps`` takes it as is.
``campaign_to_xlsx(campaign)`` writes one sheet per section (概览 Overview, 目标 Goals,
预算 Budget, 时间线 Timeline, 任务 Tasks, 调研 Research, 风险 Risks, 复盘 Retrospective,
then 文档 Documents and 历史 History) with Chinese + English headers, a frozen header
row, real Excel dates, and yuan amounts in a ¥ number format.
"""

from fanloop.campaigns.export.book import XLSX_CONTENT_TYPE
from fanloop.campaigns.export.plan import EXPORT_FORMAT, campaign_to_dict
from fanloop.campaigns.export.sheets import campaign_to_xlsx

__all__ = ["EXPORT_FORMAT", "XLSX_CONTENT_TYPE", "campaign_to_dict", "campaign_to_xlsx"]
