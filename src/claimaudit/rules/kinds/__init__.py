"""Check kinds: the Python behind rule files' ``extends:``.

Importing this package registers every built-in kind in
:data:`claimaudit.rules.context.KINDS`.
"""

from claimaudit.rules.kinds import alignment, certainty, figures, scope, status, support  # noqa: F401
