"""Background tasks of the audit log (Django's tasks framework, django-tasks backport)."""

from django_tasks import task


@task()
def purge_audit() -> int:
    """Delete the events past their retention period (run daily, see docs/deploy.md)."""
    from kenlabour.audit import services

    return services.purge()
