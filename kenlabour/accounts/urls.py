from django.urls import path

from kenlabour.accounts import views, webauthn

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oublie/envoye/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/fait/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # --- Second factor
    path("second-facteur/", views.second_factor_check, name="second_factor"),
    path("second-facteur/activer/", views.second_factor_setup, name="second_factor_setup"),
    path("second-facteur/codes/", views.recovery_codes, name="recovery_codes"),
    path("second-facteur/retirer/", views.second_factor_remove, name="second_factor_remove"),
    # --- Security keys and passkeys (WebAuthn): pages, then the ceremonies' JSON endpoints
    path("second-facteur/cles/ajouter/", views.security_key_add, name="security_key_add"),
    path(
        "second-facteur/cles/<int:pk>/retirer/",
        views.security_key_remove,
        name="security_key_remove",
    ),
    path(
        "second-facteur/cles/inscription/debut/",
        webauthn.BeginRegistrationView.as_view(),
        name="webauthn_register_begin",
    ),
    path(
        "second-facteur/cles/inscription/fin/",
        webauthn.CompleteRegistrationView.as_view(),
        name="webauthn_register_complete",
    ),
    path(
        "second-facteur/cles/verification/debut/",
        webauthn.BeginAuthenticationView.as_view(),
        name="webauthn_auth_begin",
    ),
    path(
        "second-facteur/cles/verification/fin/",
        webauthn.CompleteAuthenticationView.as_view(),
        name="webauthn_auth_complete",
    ),
    # --- Open sessions
    path("sessions/<int:pk>/fermer/", views.session_close, name="session_close"),
    # --- Identity provider (OpenID Connect: ProConnect for public agents)
    path("agent/connexion/", views.OIDCLoginView.as_view(), name="oidc_login"),
    path("agent/retour/", views.OIDCCallbackView.as_view(), name="oidc_callback"),
]
