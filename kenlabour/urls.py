from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("kenlabour.web.urls")),
    path("compte/", include("kenlabour.accounts.urls")),
    path("territoires/", include("kenlabour.territories.urls")),
    path("reseau/", include("kenlabour.network.urls")),
    path("labo/", include("kenlabour.lab.urls")),
    path("mobilisation/", include("kenlabour.mobilisation.urls")),
    path("financement/", include("kenlabour.funding.urls")),
    path("journal/", include("kenlabour.audit.urls")),
    path("compte/donnees/", include("kenlabour.privacy.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler403 = "kenlabour.web.views.permission_denied"
handler404 = "kenlabour.web.views.page_not_found"
handler500 = "kenlabour.web.views.server_error"
