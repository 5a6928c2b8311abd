from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from kenlabour.accounts.tasks import send_email


class EmailAuthenticationForm(AuthenticationForm):
    """Login with an e-mail address; the same message for an unknown e-mail and a wrong
    password, so that the form does not reveal who has an account."""

    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie ; "
            "après plusieurs essais, le compte est bloqué quelques minutes."
        ),
        "inactive": _("Ce compte est désactivé. Écrivez à l'équipe du laboratoire."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Adresse e-mail")
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "inputmode": "email"}
        )
        self.fields["password"].label = _("Mot de passe")

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends the reset e-mail as a background task instead of during the request."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html_body = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        send_email.enqueue(subject, body, [to_email], html_body, from_email)


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Nom affiché"),
        max_length=150,
        required=False,
        help_text=_("Le nom que les autres voient, par exemple « Anne Le Goff »."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class SecondFactorForm(forms.Form):
    """The code of the authentication application, or a recovery code."""

    code = forms.CharField(
        label=_("Code à 6 chiffres ou code de secours"),
        max_length=32,
        help_text=_(
            "Ouvrez votre application d'authentification et saisissez le code qu'elle affiche. "
            "Sans votre téléphone, saisissez un de vos codes de secours (8 caractères)."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        error_messages={"required": _("Saisissez le code.")},
    )


class TotpSetupForm(forms.Form):
    code = forms.CharField(
        label=_("Code affiché par l'application"),
        max_length=12,
        help_text=_("Les 6 chiffres que l'application affiche après l'ajout du compte."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Saisissez le code affiché par l'application.")},
    )
