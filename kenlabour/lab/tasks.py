"""Background tasks of the lab (Django's tasks framework, django-tasks backport).

The e-mails (notifications.py) are rendered when the task runs, from the records as they
are then, so that a delayed worker never announces a stale status.
"""

from django_tasks import task

from kenlabour.lab import notifications


@task()
def send_registration_email(registration_id: int, kind: str, site_url: str) -> None:
    notifications.deliver_registration_email(registration_id, kind, site_url)


@task()
def send_workshop_email(workshop_id: int, kind: str, before: dict, site_url: str) -> None:
    notifications.deliver_workshop_email(workshop_id, kind, before, site_url)
