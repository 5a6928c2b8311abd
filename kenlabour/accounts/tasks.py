"""Background tasks of the accounts app (Django's tasks framework, django-tasks backport)."""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(
    subject: str, body: str, to: list[str], html_body: str | None = None, from_email=None
) -> None:
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()
