"""Staff of several zones using the API at once: reads of their zone and writes to it.

Run by loadtest/run.py, which prepares the database, the users and their tokens and writes the plan
this file reads (LOADTEST_PLAN, JSON): one account per zone role, with the zone's projects and the
period to ask about. Editors read and write their zone; viewers only read it.

Every request is logged to LOADTEST_REQUESTS (JSON lines: time, name, status, milliseconds), every
write to LOADTEST_WRITES (JSON lines), so that run.py can report latency and errors by status and
count the writes in the database afterwards. A write carries a unique marker (the new project's
name, the milestone's phase, the indicator value's note, the update's change_reason) and is logged
twice: "sent" before the request, then its outcome: the id the server acknowledged, the statuses
it answered, or "uncertain" when no answer came (the write may or may not have happened).

A client that gets 503 (the database is restarting) or no answer waits for Retry-After and sends
the same write again with the same marker, as a careful client would; a 409 or 412 on a project
update made on a stale version is a correct answer, not an error. A refusal that follows a 503 or
no answer is "uncertain" too: the first attempt may have been committed just before the database
went away (the answer is built after the commit), and the retry is then refused as a stale
version or a taken name, which is what keeps the write from being made twice.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text(encoding="utf-8"))
REQUESTS_LOG = open(os.environ["LOADTEST_REQUESTS"], "a", encoding="utf-8", buffering=1)
WRITES_LOG = open(os.environ["LOADTEST_WRITES"], "a", encoding="utf-8", buffering=1)

# Seconds: a request never waits longer for an answer (none may hang forever).
TIMEOUT = float(os.environ.get("LOADTEST_TIMEOUT", "30"))
RETRIES = 6
STAGES = ["signed", "preparation", "construction", "production"]
# A stale version is refused: the client read the project before someone else saved it.
STALE_ANSWERS = (409, 412)


@events.request.add_listener
def log_request(request_type, name, response_time, response, exception, start_time=None, **kwargs) -> None:
    status = getattr(response, "status_code", 0) or 0
    REQUESTS_LOG.write(
        json.dumps(
            {
                "t": start_time or time.time(),
                "method": request_type,
                "name": name,
                "status": status,
                "ms": round(response_time, 2),
                "error": None if exception is None else type(exception).__name__,
            }
        )
        + "\n"
    )


def log_write(**fields: Any) -> None:
    WRITES_LOG.write(json.dumps({"t": time.time(), **fields}, ensure_ascii=False) + "\n")


def accounts(role: str) -> itertools.cycle:
    return itertools.cycle([account for account in PLAN["accounts"] if account["role"] == role])


class ZoneUser(HttpUser):
    abstract = True
    wait_time = between(0.05, 0.3)
    role = "viewer"
    _accounts: itertools.cycle

    def on_start(self) -> None:
        self.account = next(type(self)._accounts)
        self.zone = self.account["zone_id"]
        self.client.headers["Authorization"] = f"Token {self.account['token']}"
        self.client.headers["Accept"] = "application/json"

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, timeout=TIMEOUT, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    # Reads: what a zone's office and its leaders look at.

    @task(6)
    def project_list(self) -> None:
        stage = random.choice(STAGES)
        self.get(
            f"/api/projects/?zone={self.zone}&stage={stage}&ordering=-total_investment&page_size=50",
            "GET /api/projects/?zone&stage&ordering",
        )

    @task(4)
    def project_detail(self) -> None:
        self.get(f"/api/projects/{random.choice(self.account['projects'])}/", "GET /api/projects/<id>/")

    @task(3)
    def late_milestones(self) -> None:
        self.get(f"/api/milestones/?zone={self.zone}&status=late", "GET /api/milestones/?zone&status")

    @task(2)
    def indicator_values(self) -> None:
        self.get(
            f"/api/indicator-values/?zone={self.zone}&year={PLAN['year']}",
            "GET /api/indicator-values/?zone&year",
        )

    @task(1)
    def progress_report(self) -> None:
        self.get(
            f"/api/reports/progress/?zone={self.zone}&as_of={PLAN['as_of']}",
            "GET /api/reports/progress/?zone",
        )


class ZoneViewer(ZoneUser):
    weight = 1
    _accounts = accounts("viewer")


class ZoneEditor(ZoneUser):
    weight = 3
    _accounts = accounts("editor")

    def marker(self) -> str:
        return f"{PLAN['marker_prefix']}{uuid.uuid4().hex[:16]}"

    def write(
        self, kind: str, marker: str, method: str, path: str, body: dict, name: str, **extra: Any
    ) -> int:
        """Send a write until it is answered other than 503 (or RETRIES times); log its outcome.
        Returns the final status (0: no answer)."""
        log_write(marker=marker, kind=kind, state="sent", **extra)
        statuses: list[int] = []
        for _attempt in range(RETRIES):
            with self.client.request(
                method, path, json=body, name=name, timeout=TIMEOUT, catch_response=True
            ) as response:
                status = response.status_code or 0
                statuses.append(status)
                if status in (200, 201):
                    created = response.json()["id"]
                    log_write(marker=marker, kind=kind, state="ack", id=created, statuses=statuses)
                    return status
                # A refusal after a 503 or no answer may be the refusal of a write the earlier
                # attempt made (its commit went through, the database then went away before the
                # answer): uncertain, found at most once, not refused.
                refused = "uncertain" if {0, 503} & set(statuses[:-1]) else "refused"
                if kind == "update" and status in STALE_ANSWERS:
                    response.success()
                    log_write(marker=marker, kind=kind, state=refused, statuses=statuses)
                    return status
                response.failure(f"HTTP {status}")
                if status not in (0, 503):
                    answer = response.text[:500]
                    log_write(marker=marker, kind=kind, state=refused, statuses=statuses, body=answer)
                    return status
                retry_after = float(response.headers.get("Retry-After", "1")) if status else 1.0
            time.sleep(min(retry_after, 5.0))
        state = "uncertain" if 0 in statuses else "refused"
        log_write(marker=marker, kind=kind, state=state, statuses=statuses)
        return statuses[-1]

    @task(2)
    def create_project(self) -> None:
        marker = self.marker()
        self.write(
            "project",
            marker,
            "POST",
            "/api/projects/",
            {
                "zone": self.zone,
                "name": marker,
                "total_investment": "500000000",
                "total_investment_scale": 100000000,
                "currency": "CNY",
                "stage": "signed",
                "description": "负载测试新建项目",
            },
            "POST /api/projects/",
        )

    @task(2)
    def create_milestone(self) -> None:
        marker = self.marker()
        self.write(
            "milestone",
            marker,
            "POST",
            "/api/milestones/",
            {
                "project": random.choice(self.account["projects"]),
                "kind": "other",
                "phase": marker,
                "planned_date": f"{PLAN['year'] + 1}-03-01",
                "planned_precision": "month",
                "note": "负载测试新增节点",
            },
            "POST /api/milestones/",
        )

    @task(2)
    def create_indicator_value(self) -> None:
        marker = self.marker()
        value = {"value": str(random.randint(1, 500))}
        if PLAN["metric_is_amount"]:  # in 万元, stored in yuan
            value = {"value": f"{random.randint(1, 50000)}0000", "scale": 10000, "currency": "CNY"}
        self.write(
            "indicator",
            marker,
            "POST",
            "/api/indicator-values/?confirm_warnings=1",
            {
                "zone": self.zone,
                "metric": PLAN["metric"],
                "period": f"{PLAN['year']}年1-12月",
                "kind": "forecast",
                **value,
                "note": marker,
            },
            "POST /api/indicator-values/",
        )

    @task(3)
    def update_project(self) -> None:
        """Read a project, then change it on the version read: several editors of a zone share a
        few projects, so some of these lose the race and are refused with 409."""
        project = random.choice(self.account["contended"])
        with self.client.get(
            f"/api/projects/{project}/", name="GET /api/projects/<id>/", timeout=TIMEOUT, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            version = response.json()["version"]
        marker = self.marker()
        self.write(
            "update",
            marker,
            "PATCH",
            f"/api/projects/{project}/",
            {"version": version, "capacity": marker, "change_reason": marker},
            "PATCH /api/projects/<id>/",
            project=project,
        )
