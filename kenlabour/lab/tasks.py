"""Background tasks of the lab (Django's tasks framework, django-tasks backport).

The e-mails about a registration are rendered when the task runs, from the record as it
is then, so that a delayed worker never announces a stale status.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils import translation
from django_tasks import task

# What an e-mail about a registration says: its subject template's kind.
EMAIL_KINDS = {"confirmed", "waiting", "promoted", "cancelled", "reminder"}


@task()
def send_registration_email(registration_id: int, kind: str, site_url: str) -> None:
    from kenlabour.lab.models import Registration

    if kind not in EMAIL_KINDS:
        raise ValueError(f"Unknown registration e-mail: {kind}")
    registration = (
        Registration.objects.select_related("workshop__lab", "workshop__commune")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "registration": registration,
            "workshop": registration.workshop,
            "kind": kind,
            "site_url": site_url.rstrip("/"),
            "platform_name": settings.PLATFORM_NAME,
        }
        subject = "".join(
            loader.render_to_string("lab/emails/registration_subject.txt", context).splitlines()
        )
        body = loader.render_to_string("lab/emails/registration.txt", context)
    message = EmailMultiAlternatives(subject, body, None, [registration.email])
    message.send()
