from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from kenlabour.accounts import selectors, services, throttle
from kenlabour.accounts.forms import EmailAuthenticationForm, ProfileForm, QueuedPasswordResetForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/emails/password_reset.txt"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        address = get_client_ip_address(self.request) or ""
        if not throttle.password_reset_allowed(form.cleaned_data["email"], address):
            # The same answer whether an account has this address or not.
            form.add_error(
                "email",
                _(
                    "Trop de demandes de nouveau mot de passe pour cette adresse ou depuis "
                    "ce réseau. Réessayez dans une heure ; si un compte existe, le lien déjà "
                    "envoyé reste valable."
                ),
            )
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        messages.success(self.request, _("Votre mot de passe a été changé."))
        return super().form_valid(form)


@login_required
def account(request):
    form = ProfileForm(request.POST or None, initial={"display_name": request.user.display_name})
    if request.method == "POST" and form.is_valid():
        services.update_profile(
            request.user, request.user, display_name=form.cleaned_data["display_name"]
        )
        messages.success(request, _("Votre profil a été enregistré."))
        return redirect("accounts:account")
    return render(
        request,
        "accounts/account.html",
        {"form": form, "roles": selectors.roles_for_display(request.user)},
    )
