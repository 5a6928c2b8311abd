"""Background tasks of the network (Django's tasks framework, django-tasks backport).

The e-mails (`notifications`) are rendered when the task runs, from the records as they are
then, so that a delayed worker never announces a stale status.
"""

from django_tasks import task


@task()
def send_email(kind: str, pk: int, site_url: str) -> None:
    from kenlabour.network import notifications

    notifications.send(kind, pk, site_url)
