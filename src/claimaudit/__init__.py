"""claimaudit: audit promotional claims against the research they cite."""

__version__ = "0.1.0"
__all__ = ["audit", "Audit", "__version__"]


def __getattr__(name: str):
    # The API pulls in pandas and the whole engine; the fast `check` path and
    # `--version` should not pay for that unless the API is used.
    if name in {"audit", "Audit"}:
        from claimaudit import api

        return getattr(api, name)
    raise AttributeError(f"module 'claimaudit' has no attribute {name!r}")
