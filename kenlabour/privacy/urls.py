from django.urls import path

from kenlabour.privacy import views

app_name = "privacy"
urlpatterns = [
    path("export/", views.export, name="export"),
    path("telecharger/", views.download, name="download"),
    path("consentement/", views.withdraw_consent, name="withdraw_consent"),
    path("effacer/", views.erase, name="erase"),
]
