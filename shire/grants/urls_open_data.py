"""The public 360Giving open data pages, under /grants/open-data/."""
from django.urls import path

from . import views_open_data as views

app_name = "grants_open_data"
urlpatterns = [
    path("", views.index, name="index"),
    path("grants.<str:fmt>", views.download, name="download"),
]
