"""The officers' HSDS download (views_hsds.py). Include under the directory's staff pages:

    path("staff/hsds/", include("shire.directory.urls_staff_hsds")),   # in shire/directory/urls.py
"""
from django.urls import path

from . import views_hsds

app_name = "directory_hsds"

urlpatterns = [
    path("directory-hsds.zip", views_hsds.download, name="download"),
]
