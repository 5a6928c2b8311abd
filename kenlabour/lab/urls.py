from django.urls import path

from kenlabour.lab import views

app_name = "lab"
urlpatterns = [
    # --- workshops, registration, attendance, series, methods, calendars (workshops helper)
    path("ateliers/", views.workshops, name="workshops"),
    path("ateliers/nouveau/", views.workshop_create, name="workshop_create"),
    path("ateliers/<slug:slug>.ics", views.workshop_ics, name="workshop_ics"),
    path("ateliers/<slug:slug>/", views.workshop, name="workshop"),
    path("ateliers/<slug:slug>/modifier/", views.workshop_edit, name="workshop_edit"),
    path("ateliers/<slug:slug>/annuler/", views.workshop_cancel, name="workshop_cancel"),
    path("ateliers/<slug:slug>/fichiers/", views.workshop_file_add, name="workshop_file_add"),
    path("ateliers/<slug:slug>/fichiers/<int:pk>/", views.workshop_file, name="workshop_file"),
    path("ateliers/<slug:slug>/inscription/", views.register, name="register"),
    path("ateliers/<slug:slug>/invitation/", views.invite, name="invite"),
    path("ateliers/<slug:slug>/presences/", views.attendance, name="attendance"),
    path("ateliers/<slug:slug>/presences/retirer/", views.attendance_undo, name="attendance_undo"),
    path(
        "ateliers/<slug:slug>/presences/imprimer/",
        views.attendance_print,
        name="attendance_print",
    ),
    path("inscription/<str:token>/", views.registration, name="registration"),
    path("presence/", views.attendance_code, name="attendance_code"),
    path("series/<slug:slug>/", views.series, name="series"),
    path("methodes/", views.methods, name="methods"),
    path("methodes/<slug:slug>/", views.method, name="method"),
    path("<slug:lab_slug>/calendrier.ics", views.lab_calendar, name="lab_calendar"),
    # --- impact dashboard and exports (impact helper)
    path("impact/", views.impact, name="impact"),
    path("impact/export.csv", views.impact_csv, name="impact_csv"),
    path("impact/export.xlsx", views.impact_xlsx, name="impact_xlsx"),
    # --- experiments and interconnections (experiments helper)
    path("experimentations/", views.experiments, name="experiments"),
    path("experimentations/nouvelle/", views.experiment_create, name="experiment_create"),
    path("experimentations/<slug:slug>/", views.experiment, name="experiment"),
    path("experimentations/<slug:slug>/modifier/", views.experiment_edit, name="experiment_edit"),
    path("experimentations/<slug:slug>/etape/", views.experiment_phase, name="experiment_phase"),
    path("experimentations/<slug:slug>/mesure/", views.measurement_add, name="measurement_add"),
    path("experimentations/<slug:slug>/hypothese/", views.hypothesis_add, name="hypothesis_add"),
    path(
        "experimentations/<slug:slug>/hypotheses/<int:pk>/statut/",
        views.hypothesis_status,
        name="hypothesis_status",
    ),
    path("experimentations/<slug:slug>/indicateur/", views.indicator_add, name="indicator_add"),
    path("experimentations/<slug:slug>/resultat/", views.result_add, name="result_add"),
    path(
        "experimentations/<slug:slug>/preconisation/",
        views.recommendation_add,
        name="recommendation_add",
    ),
    path(
        "experimentations/<slug:slug>/preconisations/<int:pk>/suite/",
        views.recommendation_follow_up,
        name="recommendation_follow_up",
    ),
    path(
        "experimentations/<slug:slug>/liens/",
        views.interconnection_decide,
        name="interconnection_decide",
    ),
]
