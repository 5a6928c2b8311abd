from django.urls import path

from kenlabour.mobilisation.views import coordination, figures, needs, producers

app_name = "mobilisation"
urlpatterns = [
    # --- public figures: dashboard, map, exports (figures helper)
    path("", figures.campaigns, name="campaigns"),
    path("<slug:slug>/", figures.campaign, name="campaign"),
    path("<slug:slug>/carte/", figures.campaign_map, name="campaign_map"),
    path("<slug:slug>/chiffres.csv", figures.figures_csv, name="figures_csv"),
    path("<slug:slug>/chiffres.xlsx", figures.figures_xlsx, name="figures_xlsx"),
    # --- needs: public form, the requester's page, coordinators' verification (needs helper)
    path("<slug:slug>/besoin/", needs.submit, name="need_submit"),
    path("suivi/<str:token>/", needs.follow, name="need_follow"),
    path("suivi/<str:token>/livraisons/<int:pk>/", needs.confirm_delivery, name="delivery_confirm"),
    path("suivi/<str:token>/retrait/", needs.withdraw, name="need_withdraw"),
    path("<slug:slug>/besoins/", needs.needs, name="needs"),
    path("besoins/<int:pk>/", needs.need, name="need"),
    path("besoins/<int:pk>/decision/", needs.decide, name="need_decide"),
    path("<slug:slug>/ecarts/", needs.discrepancies, name="discrepancies"),
    path("livraisons/<int:pk>/ecart/", needs.resolve_discrepancy, name="discrepancy_resolve"),
    # --- producers: capacities, production, their deliveries, materials (producers helper)
    path("<slug:slug>/producteur/", producers.dashboard, name="producer"),
    path("<slug:slug>/capacites/nouvelle/", producers.capacity_add, name="capacity_add"),
    path("capacites/<int:pk>/", producers.capacity_edit, name="capacity_edit"),
    path("<slug:slug>/production/", producers.production_add, name="production_add"),
    path("livraisons/<int:pk>/declarer/", producers.declare_delivery, name="delivery_declare"),
    path("<slug:slug>/matieres/", producers.materials, name="materials"),
    path("<slug:slug>/matieres/nouvelle/", producers.material_add, name="material_add"),
    path("matieres/<int:pk>/statut/", producers.material_status, name="material_status"),
    # --- matching: run, adjust, confirm (lead)
    path("<slug:slug>/appariement/", coordination.run_matching, name="run_matching"),
    path("appariements/<int:pk>/", coordination.run, name="run"),
    path("appariements/<int:pk>/ajuster/", coordination.adjust, name="run_adjust"),
    path("appariements/<int:pk>/decision/", coordination.decide, name="run_decide"),
]
