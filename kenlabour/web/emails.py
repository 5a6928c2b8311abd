"""What the e-mails of every app share: a subject, a plain-text part and an HTML part
rendered from one template name, and the message that carries them. Each app's
`notifications.py` says what its e-mails say and to whom; their HTML parts extend
`web/emails/_base.html`.

The plain-text part and the subject are rendered without HTML escaping (their templates
say `{% autoescape off %}`: a title « l'atelier » reads as typed, never « l&#x27;atelier »).
"""

from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.template import loader


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str
    to: list[str]

    def message(self) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(self.subject, self.text, None, self.to)
        message.attach_alternative(self.html, "text/html")
        return message


def render(template: str, context: dict, to: list[str]) -> Email:
    """`template` without its ending: "app/emails/name" reads name_subject.txt, name.txt and
    name.html; the subject is one line, and the parts have it as `subject`."""
    subject = " ".join(loader.render_to_string(f"{template}_subject.txt", context).split())
    context = {**context, "subject": subject}
    return Email(
        subject=subject,
        text=loader.render_to_string(f"{template}.txt", context),
        html=loader.render_to_string(f"{template}.html", context),
        to=to,
    )
