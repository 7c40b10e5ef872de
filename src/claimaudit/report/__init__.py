"""Renderers: turn an :class:`~claimaudit.model.AuditResult` into report files.

Every writer renders fully in memory first and then replaces the target file
in one step, so a failed render never leaves a half-written or clobbered file.
"""

from .common import write_atomic
from .csv_export import render_claims_csv, write_claims_csv
from .html_report import render_html, write_html
from .json_report import SCHEMA_VERSION, render_json, report_data, write_json
from .xlsx_report import render_xlsx, write_xlsx

__all__ = [
    "SCHEMA_VERSION",
    "render_claims_csv",
    "render_html",
    "render_json",
    "render_xlsx",
    "report_data",
    "write_atomic",
    "write_claims_csv",
    "write_html",
    "write_json",
    "write_xlsx",
]
