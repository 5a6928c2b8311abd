"""Background tasks of the network (Django's tasks framework, django-tasks backport).

The e-mails (`notifications`) are rendered when the task runs, from the records as they are
then, so that a delayed worker never announces a stale status. A big import is checked and
written by `run_import`, which records how far it went for the progress page.
"""

from django_tasks import task


@task()
def send_email(kind: str, pk: int, site_url: str) -> None:
    from kenlabour.network import notifications

    notifications.send(kind, pk, site_url)


@task()
def run_import(pending_pk: int, max_rows: int) -> None:
    """Check and import a big file (import_services.run_import), telling how far it went."""
    from kenlabour.network.services import imports as import_services

    import_services.run_import(pending_pk, max_rows)
