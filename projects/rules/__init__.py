"""The validation rules of data entry: one registry, applied the same way by admin forms, API
writes and workbook imports.

Each rule has an id, a severity (an error blocks the save, a warning asks for confirmation) and a
message in Chinese and English. A rule checks a whole batch of objects at once: `check(objects)`
runs a constant number of queries however many objects there are, so an import of 100,000 rows is
validated in sets, and a single admin form is validated by the very same code.

Objects may be unsaved (pk None) or edited copies of saved rows; a saved row's stored state is
read once per batch where a rule compares before and after. The reason for a change is read from
`obj._change_reason` (django-simple-history keeps it).

The models do not know the rules: each path that saves data (the admin's forms, the API's writes,
text entry; imports and the monthly entry check whole batches with `check`) validates a row inside
`enforced(obj, confirmed=…)`, which runs `enforce` at the end of the row's own `clean()`, saying
whether the editor confirmed the warnings.

Deletes are checked too (`check_deletable`, at the end): a figure of a locked month is neither
changed nor deleted, by anyone, whatever the path and whatever the cascade that would remove it.

The package: `base` (the registry, `check`, `enforce`, `enforced`), the rules by what they check
(`figures`, `schedule`; importing them registers them, in this order), and `locks` (the lock on
deletes).
"""

from . import (
    figures,  # noqa: F401  (registers its rules)
    schedule,  # noqa: F401  (registers its rules)
)
from .base import (
    COMPLETED_INVESTMENT,
    OUTLIER_FACTOR,
    OUTLIER_MIN_HISTORY,
    RULES,
    Context,
    Finding,
    Rule,
    Severity,
    check,
    enforce,
    enforced,
    rule,
)
from .locks import (
    LockedDelete,
    check_deletable,
    deleted_values,
    deletes_reach,
    locked_in_deletion,
    locked_values,
)

__all__ = [
    "COMPLETED_INVESTMENT",
    "OUTLIER_FACTOR",
    "OUTLIER_MIN_HISTORY",
    "RULES",
    "Context",
    "Finding",
    "LockedDelete",
    "Rule",
    "Severity",
    "check",
    "check_deletable",
    "deleted_values",
    "deletes_reach",
    "enforce",
    "enforced",
    "locked_in_deletion",
    "locked_values",
    "rule",
]
