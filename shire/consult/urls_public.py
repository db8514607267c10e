"""The public consultation pages, mounted at /consultations/, and an officer's preview of them."""
from django.urls import path

from . import views_public as views

app_name = "consult"
urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("<slug:slug>/", views.consultation_detail, name="detail"),
    path("<slug:slug>/document/", views.document, name="document"),
    path("<slug:slug>/start/", views.start, name="start"),
    path("<slug:slug>/questions/<int:number>/", views.answer_page, name="page"),
    path("<slug:slug>/check-your-answers/", views.check_answers, name="check"),
    path("<slug:slug>/save/", views.save, name="save"),
    path("<slug:slug>/sent/<str:receipt>/", views.sent, name="sent"),
    path("<slug:slug>/resume/<str:token>/", views.resume, name="resume"),
    # An officer's preview: the same pages, for the consultation's team, whatever its status.
    path("<slug:slug>/preview/", views.preview_detail, name="preview-detail"),
    path("<slug:slug>/preview/start/", views.start, {"preview": True}, name="preview-start"),
    path("<slug:slug>/preview/questions/<int:number>/", views.answer_page, {"preview": True}, name="preview-page"),
    path("<slug:slug>/preview/check-your-answers/", views.check_answers, {"preview": True}, name="preview-check"),
    path("<slug:slug>/preview/save/", views.save, {"preview": True}, name="preview-save"),
    path("<slug:slug>/preview/sent/", views.preview_sent, name="preview-sent"),
]
