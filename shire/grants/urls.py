"""Grants pages, under /grants/.

Public pages and the applicants' journey (views_applicant), the officers' setup pages
(views_setup, under setup/). The officers' assessment side and the open data pages have URL
modules of their own, included here under officer/ and open-data/.
"""
from django.urls import include, path

from . import views_applicant as applicant
from . import views_setup as setup

app_name = "grants"
urlpatterns = [
    # Public
    path("", applicant.index, name="index"),
    path("rounds/<slug:slug>/", applicant.round_page, name="round"),
    # Applicants' accounts and organisations
    path("sign-in/", applicant.sign_in, name="sign-in"),
    path("account/create/", applicant.account_create, name="account-create"),
    path("account/password-reset/", applicant.password_reset, name="password-reset"),
    path("account/password-reset/sent/", applicant.password_reset_sent, name="password-reset-sent"),
    path("account/password-reset/<uidb64>/<token>/", applicant.password_reset_confirm, name="password-reset-confirm"),
    path("account/password-reset/done/", applicant.password_reset_complete, name="password-reset-complete"),
    path("account/", applicant.account, name="account"),
    path("organisations/new/", applicant.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", applicant.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", applicant.organisation_edit, name="organisation-edit"),
    path("organisations/<int:pk>/invite/", applicant.organisation_invite, name="organisation-invite"),
    path("organisations/<int:pk>/bank-details/", applicant.organisation_bank_details, name="organisation-bank-details"),
    path("organisations/<int:pk>/members/<int:membership_pk>/remove/", applicant.member_remove, name="organisation-member-remove"),
    path("organisations/<int:pk>/members/<int:membership_pk>/make-lead-contact/", applicant.member_make_lead,
         name="organisation-member-make-lead"),
    path("organisations/<int:pk>/step-down/", applicant.lead_step_down, name="organisation-step-down"),
    path("organisations/<int:pk>/invitations/<int:invitation_pk>/cancel/", applicant.invitation_cancel,
         name="organisation-invitation-cancel"),
    path("invitations/<str:token>/", applicant.invitation, name="invitation"),
    # Applying
    path("rounds/<slug:slug>/apply/", applicant.eligibility, name="eligibility"),
    path("applications/<str:reference>/", applicant.application_status, name="application"),
    path("applications/<str:reference>/edit/", applicant.application_edit, name="application-edit"),
    path("applications/<str:reference>/documents/", applicant.application_documents, name="application-documents"),
    path("applications/<str:reference>/documents/<int:pk>/", applicant.document_download, name="application-document"),
    path("applications/<str:reference>/documents/<int:pk>/remove/", applicant.document_delete, name="application-document-remove"),
    path("applications/<str:reference>/check/", applicant.application_check, name="application-check"),
    path("applications/<str:reference>/sent/", applicant.application_sent, name="application-sent"),
    # Officers' setup
    path("setup/", setup.programme_list, name="setup"),
    path("setup/programmes/new/", setup.programme_create, name="setup-programme-create"),
    path("setup/programmes/<slug:slug>/", setup.programme_detail, name="setup-programme"),
    path("setup/programmes/<slug:slug>/edit/", setup.programme_edit, name="setup-programme-edit"),
    path("setup/programmes/<slug:slug>/themes/new/", setup.programme_theme_create, name="setup-programme-theme-create"),
    path("setup/programmes/<slug:slug>/themes/<int:pk>/", setup.programme_theme_edit, name="setup-programme-theme-edit"),
    path("setup/programmes/<slug:slug>/assessors/", setup.programme_assessors, name="setup-programme-assessors"),
    path("setup/programmes/<slug:slug>/assessors/<int:pk>/remove/", setup.programme_assessor_remove,
         name="setup-programme-assessor-remove"),
    path("setup/programmes/<slug:slug>/rounds/new/", setup.round_create, name="setup-round-create"),
    path("setup/rounds/<slug:slug>/", setup.round_detail, name="setup-round"),
    path("setup/rounds/<slug:slug>/edit/", setup.round_edit, name="setup-round-edit"),
    path("setup/rounds/<slug:slug>/publish/", setup.round_publish, name="setup-round-publish"),
    path("setup/rounds/<slug:slug>/close/", setup.round_close, name="setup-round-close"),
    path("setup/rounds/<slug:slug>/unpublish/", setup.round_unpublish, name="setup-round-unpublish"),
    path("setup/rounds/<slug:slug>/<str:kind>/new/", setup.item_create, name="setup-item-create"),
    path("setup/rounds/<slug:slug>/<str:kind>/<int:pk>/", setup.item_edit, name="setup-item-edit"),
    path("setup/rounds/<slug:slug>/<str:kind>/<int:pk>/remove/", setup.item_delete, name="setup-item-delete"),
    # The officers' assessment, decisions, payments, monitoring and dashboards; the open data.
    path("officer/", include("shire.grants.urls_officer")),
    path("open-data/", include("shire.grants.urls_open_data")),
]
