from django.urls import path

from kenlabour.network import views

app_name = "network"
urlpatterns = [
    # --- directory, actor pages, map, exports (directory helper)
    path("", views.directory, name="directory"),
    path("acteurs/<slug:slug>/", views.actor, name="actor"),
    path("carte/", views.map_view, name="map"),
    path("carte/donnees.geojson", views.map_data, name="map_data"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("export.geojson", views.export_geojson, name="export_geojson"),
    # --- registration, moderation, edition, import (contributions helper)
    path("inscrire/", views.register, name="register"),
    path("moderation/", views.moderation, name="moderation"),
    path("acteurs/<slug:slug>/modifier/", views.edit, name="edit"),
    path("importer/", views.import_actors, name="import"),
    path("importer/colonnes/", views.import_columns, name="import_columns"),
    path("importer/valeurs/", views.import_values, name="import_values"),
    path("importer/apercu/", views.import_preview, name="import_preview"),
    path("importer/abandonner/", views.import_cancel, name="import_cancel"),
    path("importer/progression/", views.import_progress, name="import_progress"),
    # --- who could help, territorial engagement (graph helper)
    path("qui-peut-aider/", views.who_could_help, name="who_could_help"),
    path("engagement/", views.territorial_engagement, name="engagement"),
    # --- introductions (mises en relation)
    path(
        "acteurs/<slug:slug>/mise-en-relation/",
        views.introduction_new,
        name="introduction_new",
    ),
    path("mises-en-relation/", views.introductions, name="introductions"),
    path("mises-en-relation/<int:pk>/", views.introduction, name="introduction"),
    path(
        "mises-en-relation/<int:pk>/repondre/",
        views.introduction_answer,
        name="introduction_answer",
    ),
    path(
        "mises-en-relation/<int:pk>/signaler/",
        views.introduction_report,
        name="introduction_report",
    ),
    path(
        "mises-en-relation/blocages/<int:pk>/lever/",
        views.introduction_unblock,
        name="introduction_unblock",
    ),
]
