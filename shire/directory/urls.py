"""The directory's pages, mounted at /directory/ (the Open Referral UK API is urls_api.py, at /api/oruk/)."""
from django.urls import path

from . import views

app_name = "directory"

# The kinds of record a manager adds, changes and removes: services, places, contacts, phone-numbers, times.
KIND = "<str:kind>"

urlpatterns = [
    # Public pages.
    path("", views.search, name="search"),
    path("organisations/", views.organization_list, name="organizations"),
    path("organisations/<uuid:pk>/", views.organization_detail, name="organization"),
    path("organisations/<uuid:pk>/ask-to-manage/", views.ask_to_manage, name="ask-to-manage"),
    path("services/<uuid:pk>/", views.service_detail, name="service"),
    path("places/<uuid:pk>/", views.location_detail, name="location"),
    path("neighbourhood-plans/", views.neighbourhood_plans, name="neighbourhood-plans"),
    path("report/<str:kind>/<uuid:pk>/", views.report, name="report"),
    path("report/<str:kind>/<uuid:pk>/sent/", views.report_sent, name="report-sent"),
    # Managers (and officers) keep listings up to date.
    path("manage/", views.manage_home, name="manage-home"),
    path("manage/<uuid:pk>/", views.manage, name="manage"),
    path("manage/<uuid:pk>/details/", views.edit, name="edit-organization"),
    path("manage/<uuid:pk>/check/", views.confirm_checked, name="confirm-checked"),
    path("manage/<uuid:pk>/history/", views.page_history, name="history"),
    path(f"manage/<uuid:pk>/{KIND}/add/", views.edit, name="add"),
    path(f"manage/<uuid:pk>/{KIND}/<uuid:target>/change/", views.edit, name="change"),
    path(f"manage/<uuid:pk>/{KIND}/<uuid:target>/remove/", views.remove, name="remove"),
    # Officers.
    path("staff/", views.staff_home, name="staff"),
    path("staff/changes/", views.pending_list, name="pending"),
    path("staff/changes/<int:pk>/", views.pending_detail, name="pending-detail"),
    path("staff/reports/", views.report_list, name="reports"),
    path("staff/reports/<int:pk>/close/", views.report_close, name="report-close"),
    path("staff/stale/", views.stale_list, name="stale"),
    path("staff/managers/", views.manager_requests, name="manager-requests"),
    path("staff/organisations/<uuid:pk>/managers/", views.managers, name="managers"),
    path("staff/organisations/<uuid:pk>/managers/<int:link_pk>/", views.manager_decision, name="manager-decision"),
]
