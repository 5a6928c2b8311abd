from django.urls import path

from kenlabour.territories import views

app_name = "territories"
urlpatterns = [
    path("communes/", views.communes, name="communes"),
    path("distance/", views.distance, name="distance"),
]
