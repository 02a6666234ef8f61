"""The fields of an indicator value (IndicatorValue), named once for the forms, serializers and
queries that list them.

Kept beside the model rather than in it while projects/models.py is split into a package (issue
17); the admin's lists (IndicatorInline.fields, IndicatorValueAdmin.fieldsets) are to use them too.
"""

from .models import SUBJECTS

PERIOD_FIELDS = ("year", "start_month", "end_month")
# What a figure is a figure of, besides its subject: a restatement shares these with the value it
# restates.
FACT_FIELDS = ("metric", *PERIOD_FIELDS, "kind")
# The figure as a source states it: the amount (a range has an upper bound) and what comes with it.
AMOUNT_FIELDS = ("value", "value_upper", "scale", "currency", "qualifier")
# How it compares, where the source says so: year on year, its rank and its share, each with scope.
COMPARISON_FIELDS = ("yoy_growth", "rank", "rank_scope", "share", "share_scope")
FIGURE_FIELDS = (*AMOUNT_FIELDS, *COMPARISON_FIELDS)
# What a person enters for one value, in the order the forms show it.
ENTERED_FIELDS = (*SUBJECTS, *FACT_FIELDS, *FIGURE_FIELDS, "note")
