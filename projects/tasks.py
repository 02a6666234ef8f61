"""Background tasks (Django's tasks framework). They run in-process with the immediate backend,
or on `manage.py db_worker` processes with TASK_BACKEND=database; the work is in `report_runs`."""

from django.tasks import task

from . import report_runs


@task
def generate_report(run_id: int) -> str:
    """Make a report run's snapshot and files."""
    return report_runs.generate(run_id)


@task
def deliver_report(run_id: int) -> str:
    """E-mail a finished report run to its recipients."""
    return report_runs.deliver(run_id)
