from django.urls import path

from kenlabour.network import views

app_name = "network"
urlpatterns = [
    # --- directory, actor pages, map, exports (directory helper)
    # --- registration, moderation, edition, import (contributions helper)
    # --- who could help, territorial engagement (graph helper)
]
