"""Grants pages, under /grants/.

The officers' assessment side and the open data pages have their own URL modules, included here.
"""
from django.urls import include, path

app_name = "grants"
urlpatterns = [
    path("officer/", include("shire.grants.urls_officer")),
    path("open-data/", include("shire.grants.urls_open_data")),
]
