"""Check kinds: the Python behind rule files' ``extends:``.

Importing this package registers every built-in kind in
:data:`claimaudit.rules.context.KINDS`: a few generic kinds, each choosing
among the comparisons of the other modules by its options.
"""

from claimaudit.rules.kinds import conditional, elements, existence  # noqa: F401
