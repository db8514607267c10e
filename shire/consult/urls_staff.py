"""The officers' consultation pages, under /staff/consultations/."""
from django.urls import path

from . import views_staff as views

app_name = "consult_staff"
urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("new/", views.consultation_create, name="create"),
    path("<slug:slug>/", views.consultation_overview, name="overview"),
    path("<slug:slug>/edit/", views.consultation_edit, name="edit"),
    path("<slug:slug>/document/", views.consultation_document, name="document"),
    path("<slug:slug>/questionnaire/", views.questionnaire_upload, name="questionnaire"),
    path("<slug:slug>/questionnaire/source/", views.questionnaire_source, name="questionnaire-source"),
    path("<slug:slug>/publish/", views.consultation_publish, name="publish"),
    path("<slug:slug>/unpublish/", views.consultation_unpublish, name="unpublish"),
    path("<slug:slug>/responses/", views.response_list, name="responses"),
    path("<slug:slug>/responses.csv", views.responses_csv, name="responses-csv"),
    path("<slug:slug>/responses.xlsx", views.responses_xlsx, name="responses-xlsx"),
    path("<slug:slug>/responses/<path:reference>/", views.response_detail, name="response"),
]
