"""Background tasks of the funding app (Django's tasks framework, django-tasks backport).

The e-mails about a claim (kenlabour.funding.notifications) are rendered when the task runs,
from the claim as it is then (its last transition gives the reason). Services queue them
once the change is committed.
"""

from django_tasks import task


@task()
def send_claim_email(claim_id: int, kind: str, site_url: str) -> None:
    from kenlabour.funding import notifications

    notifications.send(claim_id, kind, site_url)
