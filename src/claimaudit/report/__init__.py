"""Renderers: turn an :class:`~claimaudit.model.AuditResult` into report files.

Every writer renders fully in memory first and then replaces the target file
in one step, so a failed render never leaves a half-written or clobbered file.

The names below are imported on first use: importing one renderer module
(``claimaudit.report.sarif`` for the fast ``check`` path) must not load
jinja2 or openpyxl.
"""

from importlib import import_module

_EXPORTS = {
    "write_atomic": ".common",
    "render_claims_csv": ".csv_export",
    "write_claims_csv": ".csv_export",
    "render_html": ".html_report",
    "write_html": ".html_report",
    "SCHEMA_VERSION": ".json_report",
    "render_json": ".json_report",
    "report_data": ".json_report",
    "write_json": ".json_report",
    "render_xlsx": ".xlsx_report",
    "write_xlsx": ".xlsx_report",
    "render_check_text": ".check_text",
    "render_check_json": ".check_json",
    "render_sarif": ".sarif",
    "render_github": ".github",
    "render_junit": ".junit",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
