from django import forms
from django.utils.translation import gettext_lazy as _


class ExportForm(forms.Form):
    export_format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("json", _("JSON (pour un logiciel ou une autre plateforme)")),
            ("pdf", _("PDF (à lire ou imprimer)")),
        ],
        initial="json",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choisissez le format JSON ou PDF.")},
    )
