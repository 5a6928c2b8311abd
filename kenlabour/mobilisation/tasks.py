"""Background tasks of the mobilisation (Django's tasks framework, django-tasks backport).

The e-mails to a need's requester are rendered when the task runs, from the need as it is
then, so that a delayed worker never announces a stale status. They carry the need's
secret link (absolute, from the `site_url` the service was given).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils import translation
from django_tasks import task

# What an e-mail about a need says: submitted (with the link to follow it), validated by a
# coordinator, cancelled by a coordinator (with the reason).
NEED_EMAIL_KINDS = {"submitted", "validated", "cancelled"}


@task()
def send_need_email(need_id: int, kind: str, site_url: str) -> None:
    from kenlabour.mobilisation.models import Need

    if kind not in NEED_EMAIL_KINDS:
        raise ValueError(f"Unknown need e-mail: {kind}")
    need = (
        Need.objects.select_related("campaign", "item_type", "commune").filter(pk=need_id).first()
    )
    if need is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "need": need,
            "kind": kind,
            "site_url": site_url.rstrip("/"),
            "platform_name": settings.PLATFORM_NAME,
        }
        subject = "".join(
            loader.render_to_string("mobilisation/emails/need_subject.txt", context).splitlines()
        )
        body = loader.render_to_string("mobilisation/emails/need.txt", context)
    EmailMultiAlternatives(subject, body, None, [need.contact_email]).send()
