"""Results pages, included at the site root: the public "we asked, you said" page beside the public
consultation pages, and the officers' results pages beside the staff consultation pages."""
from django.urls import path

from . import views_results as views

app_name = "consult_results"
urlpatterns = [
    path("consultations/<slug:slug>/results/", views.public_results, name="public"),
    path("staff/consultations/<slug:slug>/results/", views.results, name="staff"),
    path("staff/consultations/<slug:slug>/results/report.<str:fmt>", views.download, name="download"),
    path("staff/consultations/<slug:slug>/results/workshops/", views.workshops, name="workshops"),
    path("staff/consultations/<slug:slug>/results/publish/", views.publish, name="publish"),
]
