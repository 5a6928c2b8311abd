from django.urls import path

from kenlabour.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
    path("theme.css", views.theme_css, name="theme_css"),
]
