"""The officers' assessment, decision, payment, monitoring and dashboard pages, under /grants/officer/.

Two pages here also open to members of a funded organisation: the printable decision letter and
the monitoring return form (views_officer says who may see what).
"""
from django.urls import path

from . import views_officer as views

app_name = "grants_officer"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("assessments/", views.my_assessments, name="my-assessments"),
    # Rounds: triage list and panel
    path("rounds/<slug:slug>/", views.triage, name="triage"),
    path("rounds/<slug:slug>/panel/", views.panel, name="panel"),
    # One application
    path("applications/<str:reference>/", views.application_detail, name="application"),
    path("applications/<str:reference>/documents/<int:pk>/", views.application_document, name="application-document"),
    path("applications/<str:reference>/return/", views.return_for_information, name="return"),
    path("applications/<str:reference>/start/", views.start_assessment, name="start"),
    path("applications/<str:reference>/assessors/", views.assign, name="assign"),
    path("applications/<str:reference>/conflict/", views.conflict, name="conflict"),
    path("applications/<str:reference>/score/", views.score, name="score"),
    path("applications/<str:reference>/decide/", views.decide, name="decide"),
    path("applications/<str:reference>/decision/correct/", views.correct_decision, name="correct"),
    path("applications/<str:reference>/letter/", views.letter, name="letter"),
    path("applications/<str:reference>/letter/send/", views.send_letter, name="send-letter"),
    path("applications/<str:reference>/award/", views.award, name="award"),
    # Payments and monitoring
    path("payments/<int:pk>/paid/", views.mark_paid, name="mark-paid"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("monitoring/yours/", views.your_returns, name="your-returns"),
    path("monitoring/<int:pk>/", views.monitoring_return, name="monitoring-return"),
    path("monitoring/<int:pk>/send/", views.monitoring_submit, name="monitoring-submit"),
]
