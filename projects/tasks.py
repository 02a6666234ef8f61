"""Background tasks (Django's tasks framework). They run in-process with the immediate backend,
or on `manage.py db_worker` processes with TASK_BACKEND=database; the work is in `reporting`."""

from django.tasks import task

from . import reporting


@task
def generate_report(run_id: int) -> str:
    """Make a report run's snapshot and files."""
    return reporting.generate(run_id)


@task
def deliver_report(run_id: int) -> str:
    """E-mail a finished report run to its recipients."""
    return reporting.deliver(run_id)
