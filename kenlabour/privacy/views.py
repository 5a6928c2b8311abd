"""A person's rights, from their account page: download, consent, erasure."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kenlabour.accounts import selectors as account_selectors
from kenlabour.accounts.forms import ProfileForm
from kenlabour.privacy import documents, selectors, services
from kenlabour.privacy.forms import ExportForm
from kenlabour.web.confirm import confirmation_page

DOWNLOAD_SALT = "kenlabour.privacy.download"
DOWNLOAD_MAX_AGE = 10 * 60  # seconds a download link stays valid


@login_required
@require_POST
def export(request):
    """The download is asked by a form (and recorded); it is then served by a link valid
    ten minutes, for this account only."""
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/account.html",
            {
                "form": ProfileForm(initial={"display_name": request.user.display_name}),
                "roles": account_selectors.roles_for_display(request.user),
                "export_form": form,
            },
            status=400,
        )
    export_format = form.cleaned_data["export_format"]
    services.record_export(request.user, export_format)
    token = signing.dumps({"user": request.user.pk, "format": export_format}, salt=DOWNLOAD_SALT)
    return redirect(reverse("privacy:download") + f"?jeton={token}")


@never_cache
@login_required
@require_GET
def download(request):
    try:
        asked = signing.loads(
            request.GET.get("jeton", ""), salt=DOWNLOAD_SALT, max_age=DOWNLOAD_MAX_AGE
        )
    except signing.BadSignature:
        asked = None
    if (
        not asked
        or asked.get("user") != request.user.pk
        or asked.get("format") not in (services.EXPORT_FORMATS)
    ):
        messages.error(
            request, _("Ce lien de téléchargement a expiré : demandez de nouveau vos données.")
        )
        return redirect(reverse("accounts:account") + "#mes-donnees")
    data = selectors.personal_data(request.user)
    stamp = timezone.localdate().isoformat()
    if asked["format"] == "pdf":
        response = HttpResponse(documents.as_pdf(data), content_type=documents.PDF_CONTENT_TYPE)
    else:
        response = HttpResponse(documents.as_json(data), content_type=documents.JSON_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="mes-donnees-{stamp}.{asked["format"]}"'
    )
    return response


@login_required
@require_POST
def withdraw_consent(request):
    actor = services.withdraw_consent(request.user)
    if actor is not None:
        messages.success(
            request,
            _("Votre page n'est plus publique : seuls les animateurs du laboratoire la voient."),
        )
    return redirect(reverse("accounts:account") + "#mes-donnees")


@login_required
@require_POST
def erase(request):
    page = confirmation_page(
        request,
        title=_("Effacer mon compte"),
        message=_(
            "Votre compte sera fermé et vos données effacées. Ce qui doit rester pour les "
            "comptes publics (une demande de compensation payée, le registre) reste, mais "
            "ne porte plus votre nom."
        ),
        details=[
            _("Vos inscriptions aux ateliers, vos rôles et vos profils sont supprimés."),
            _("Votre nom est remplacé par « Personne anonyme » dans les feuilles de présence."),
            _("Vous ne pourrez plus vous connecter avec ce compte."),
        ],
        back_url=reverse("accounts:account") + "#mes-donnees",
        confirm_label=_("Effacer définitivement mon compte"),
        danger=True,
    )
    if page:
        return page
    services.erase(request.user, request.user)
    logout(request)
    messages.success(request, _("Votre compte est effacé. Merci d'avoir participé."))
    return redirect("web:home")
