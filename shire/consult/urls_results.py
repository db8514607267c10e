"""Results pages, included at the site root: the public "we asked, you said" page beside the public
consultation pages, and the officers' results pages beside the staff consultation pages."""
from django.urls import path

from . import views_results as views
from . import views_themes as themes

app_name = "consult_results"
urlpatterns = [
    path("consultations/<slug:slug>/results/", views.public_results, name="public"),
    path("staff/consultations/<slug:slug>/results/", views.results, name="staff"),
    path("staff/consultations/<slug:slug>/results/report.<str:fmt>", views.download, name="download"),
    path("staff/consultations/<slug:slug>/results/documents/", views.prepare, name="prepare"),
    path("staff/consultations/<slug:slug>/results/documents/<str:fmt>/", views.document_status, name="document-status"),
    path("staff/consultations/<slug:slug>/results/workshops/", views.workshops, name="workshops"),
    path("staff/consultations/<slug:slug>/results/publish/", views.publish, name="publish"),
    # Themes in free-text answers (views_themes.py)
    path("staff/consultations/<slug:slug>/results/themes/", themes.index, name="themes"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/", themes.question_page, name="themes-question"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/propose/", themes.propose, name="themes-propose"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/add/", themes.add, name="themes-add"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/merge/", themes.merge, name="themes-merge"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/import/", themes.import_codebook, name="themes-import"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/codebook.csv", themes.codebook_csv,
         name="themes-codebook"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/theme/<int:pk>/", themes.edit, name="themes-edit"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/theme/<int:pk>/split/", themes.split,
         name="themes-split"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/theme/<int:pk>/delete/", themes.delete,
         name="themes-delete"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/code/", themes.code, name="themes-code"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/review/", themes.review, name="themes-review"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/notes/", themes.notes, name="themes-notes"),
    path("staff/consultations/<slug:slug>/results/themes/<str:question>/notes/<int:pk>/remove/", themes.remove_note,
         name="themes-note-remove"),
]
