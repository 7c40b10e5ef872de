"""What a compliance team has already signed off, held against the copy.

:mod:`claimaudit.review.library` reads a claims library (``--library FILE``),
marks each claim of an audit that matches an approved claim, and builds or
updates the library from a reviewed workbook (``claimaudit review library``).
"""
