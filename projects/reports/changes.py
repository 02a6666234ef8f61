"""What changed since the previous report of the same schedule: pure work on two snapshots.

- milestones newly reached (reached now, not in the previous report) or newly late;
- figures added (a subject, metric, period and kind the previous report did not have) or restated
  (the same, with another value);
- portfolios, indicators and zones whose 超序进度 changed sign (from behind to ahead or back).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils.translation import gettext

from ..periods import MilestoneStatus


def changes_between(previous: dict | None, current: dict, previous_meta: dict | None = None) -> dict:
    """The changes section of `current`; `previous_meta` says which run it is compared with."""
    if previous is None:
        return {
            "previous": None,
            "unchanged": False,
            "milestones_reached": [],
            "milestones_late": [],
            "figures_added": [],
            "figures_restated": [],
            "sign_changes": [],
        }
    before = {m["id"]: m for m in previous.get("milestones", [])}
    reached, late = [], []
    for milestone in current.get("milestones", []):
        old = before.get(milestone["id"], {}).get("status")
        if milestone["status"] == MilestoneStatus.DONE and old != MilestoneStatus.DONE:
            reached.append(milestone)
        elif milestone["status"] == MilestoneStatus.LATE and old != MilestoneStatus.LATE:
            late.append(milestone)

    old_figures = _by_key(previous.get("figures", []))
    added, restated = [], []
    for key, figures in _by_key(current.get("figures", [])).items():
        if key not in old_figures:
            added.extend(figures)
        elif _values(figures) != _values(old_figures[key]):
            restated.append({"before": old_figures[key][0], "after": figures[0]})

    sign_changes = []
    old_gaps = dict(_gaps(previous))
    for (kind, subject), after in _gaps(current):
        before_gap = old_gaps.get((kind, subject))
        if before_gap is None or after is None or (before_gap < 0) == (after < 0):
            continue
        sign_changes.append(
            {
                "subject": subject,
                "kind": kind,
                "before": before_gap,
                "after": after,
                "direction": gettext("转正") if after >= 0 else gettext("转负"),
            }
        )
    changes = {
        "previous": previous_meta,
        "milestones_reached": reached,
        "milestones_late": late,
        "figures_added": added,
        "figures_restated": restated,
        "sign_changes": sign_changes,
    }
    changes["unchanged"] = not any(changes[k] for k in list(changes)[1:])
    return changes


def _by_key(figures: Iterable[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for figure in figures:
        grouped[figure["key"]].append(figure)
    return grouped


def _values(figures: list[dict]) -> list:
    return sorted((str(f["value"]), str(f.get("yoy_growth"))) for f in figures)


def _gaps(snapshot: dict) -> list[tuple[tuple[str, str], float | None]]:
    """超序进度 of every portfolio, indicator and ranked zone of a snapshot."""
    gaps = []
    for report in snapshot.get("reports", []):
        for p in report.get("portfolios", []):
            gaps.append((("portfolio", f"{p['zone']}·{p['name']}"), p.get("ahead_of_schedule")))
        for i in report.get("indicators", []):
            gaps.append((("indicator", f"{i['zone']}·{i['metric_name']}"), i.get("ahead_of_schedule")))
    for row in snapshot.get("ranking", []):
        gaps.append((("zone", row["zone"]), row.get("value")))
    return gaps
