"""The public grants pages and the applicants' journey, under /grants/.

Anyone can read the list of rounds and a round's page. Everything else is for signed-in
community members (`applicant_required`): anonymous people are sent to the grants sign-in page,
staff accounts are refused (403), and a member sees only the applications of their own
organisations: anyone else's answer 404, as if they did not exist. Within an organisation, only its
lead contacts remove members, cancel invitations, make other members lead contacts and step down; its
other members get 403 on those pages.
"""
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shire.core import audit
from shire.core.forms import SignInForm

from . import awards, services
from .forms import (
    AccountForm,
    ApplicantPasswordResetForm,
    ApplicantSetPasswordForm,
    ApplicationForm,
    BankDetailsForm,
    DocumentUploadForm,
    EligibilityForm,
    InviteForm,
    OrganisationForm,
)
from .models import ApplicantOrganisation, Application, ApplicationEvent, Membership, Round


def applicant_required(view):
    """Signed-in, active community member; anonymous people go to sign in, staff are refused."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("grants:sign-in"))
        if not services.is_applicant(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _bound(request):
    return (request.POST,) if request.method == "POST" else ()


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _organisation(request, pk):
    """One of the signed-in member's organisations; 404 for any other."""
    organisation = get_object_or_404(ApplicantOrganisation, pk=pk)
    if not services.is_member(request.user, organisation):
        raise Http404
    return organisation


def _application(request, reference):
    """One of the member's organisations' applications; 404 for anyone else's."""
    application = get_object_or_404(
        Application.objects.select_related("round__programme", "organisation", "theme", "beneficiary_district"),
        reference=reference,
    )
    if not services.can_view_application(request.user, application):
        raise Http404
    return application


# --- public pages -----------------------------------------------------------------------------


@require_safe
def index(request):
    rounds = list(services.public_rounds().order_by("closes_on", "name"))
    return render(
        request,
        "grants/applicant/index.html",
        {
            "open_rounds": [r for r in rounds if r.is_open()],
            "upcoming_rounds": [r for r in rounds if r.status == Round.Status.PUBLISHED and r.phase() == "upcoming"],
        },
    )


@require_safe
def round_page(request, slug):
    round_ = get_object_or_404(services.public_rounds(), slug=slug)
    return render(
        request,
        "grants/applicant/round.html",
        {
            "round": round_,
            "programme": round_.programme,
            "phase": round_.phase(),
            "themes": round_.themes(),
            "documents": round_.required_documents.all(),
            "eligibility_questions": round_.eligibility_questions.all(),
        },
    )


# --- accounts ---------------------------------------------------------------------------------


class ApplicantSignInView(auth_views.LoginView):
    """The core sign-in (same form, same django-axes lockout) with the applicants' wording and landing page."""

    template_name = "grants/applicant/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        if getattr(user, "is_officer", False):
            return reverse("core:staff-home")
        return reverse("grants:account")


sign_in = ApplicantSignInView.as_view()

# Forgotten passwords, for community accounts (Django's views, the council's words). The page says
# the same whether or not the address has an account, so it cannot be used to find out who has one.
password_reset = auth_views.PasswordResetView.as_view(
    template_name="grants/applicant/password_reset.html",
    form_class=ApplicantPasswordResetForm,
    email_template_name="grants/emails/password_reset.txt",
    subject_template_name="grants/emails/password_reset_subject.txt",
    success_url=reverse_lazy("grants:password-reset-sent"),
    extra_email_context={"council_name": settings.COUNCIL_NAME},
)
password_reset_sent = auth_views.PasswordResetDoneView.as_view(template_name="grants/applicant/password_reset_sent.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="grants/applicant/password_reset_confirm.html",
    form_class=ApplicantSetPasswordForm,
    success_url=reverse_lazy("grants:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="grants/applicant/password_reset_complete.html"
)


@require_http_methods(["GET", "POST"])
def account_create(request):
    if request.user.is_authenticated:
        return redirect("grants:account")
    form = AccountForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            audit.record(user, "grants.account.created", user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your account was created. You are signed in.")
        return redirect(_safe_next(request, reverse("grants:organisation-create")))
    return render(request, "grants/applicant/account_create.html", {"form": form, "next": _safe_next(request, "")})


@applicant_required
@require_safe
def account(request):
    organisations = list(services.organisations_of(request.user).prefetch_related("memberships__user"))
    applications = services.applications_of(request.user).order_by("-created_at")
    return render(
        request,
        "grants/applicant/account.html",
        {"organisations": organisations, "applications": applications, "open_rounds": services.open_rounds()},
    )


# --- organisations and members -----------------------------------------------------------------


@applicant_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    form = OrganisationForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        organisation = services.create_organisation(request.user, **form.cleaned_data)
        messages.success(request, f"{organisation.name} was added. You are its lead contact.")
        return redirect(_safe_next(request, reverse("grants:organisation", args=[organisation.pk])))
    return render(
        request, "grants/applicant/organisation_form.html", {"form": form, "organisation": None, "next": _safe_next(request, "")}
    )


@applicant_required
@require_safe
def organisation_detail(request, pk):
    organisation = _organisation(request, pk)
    memberships = list(organisation.memberships.select_related("user"))
    return render(
        request,
        "grants/applicant/organisation.html",
        {
            "organisation": organisation,
            "bank_details": getattr(organisation, "bank_details", None),
            "memberships": memberships,
            "is_lead_contact": any(m.user_id == request.user.pk and m.role == Membership.Role.LEAD for m in memberships),
            "lead_contacts": sum(m.role == Membership.Role.LEAD for m in memberships),
            "invitations": [i for i in organisation.invitations.all() if i.is_usable()],
            "applications": organisation.applications.select_related("round__programme").order_by("-created_at"),
        },
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    organisation = _organisation(request, pk)
    form = OrganisationForm(*_bound(request), instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.update_organisation(
            ApplicantOrganisation.objects.get(pk=organisation.pk), request.user,
            **{name: form.cleaned_data[name] for name in form.changed_data},
        )
        messages.success(request, "Your changes were saved.")
        return redirect("grants:organisation", pk=pk)
    saved = ApplicantOrganisation.objects.get(pk=pk)
    return render(request, "grants/applicant/organisation_form.html", {"form": form, "organisation": saved})


@applicant_required
@require_http_methods(["GET", "POST"])
def organisation_bank_details(request, pk):
    organisation = _organisation(request, pk)
    # Never shown again in full once saved: the form starts empty, and the page says which account it is.
    form = BankDetailsForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        services.save_bank_details(organisation, request.user, **form.cleaned_data)
        messages.success(request, "Your bank details were saved.")
        return redirect("grants:organisation", pk=pk)
    return render(
        request, "grants/applicant/bank_details.html",
        {"form": form, "organisation": organisation, "saved": getattr(organisation, "bank_details", None)},
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def organisation_invite(request, pk):
    organisation = _organisation(request, pk)
    form = InviteForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_member(
                organisation,
                form.cleaned_data["email"],
                request.user,
                accept_url=lambda token: request.build_absolute_uri(reverse("grants:invitation", args=[token])),
            )
        except services.GrantsError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"We have sent an invitation to {form.cleaned_data['email']}.")
            return redirect("grants:organisation", pk=pk)
    return render(request, "grants/applicant/invite.html", {"form": form, "organisation": organisation})


def _lead_contact(request, organisation):
    """Removing members, cancelling invitations, making lead contacts and stepping down: a member who is
    not a lead contact is refused (403)."""
    if not services.is_lead_contact(request.user, organisation):
        raise PermissionDenied


@applicant_required
@require_http_methods(["GET", "POST"])
def member_remove(request, pk, membership_pk):
    organisation = _organisation(request, pk)
    membership = get_object_or_404(organisation.memberships.select_related("user"), pk=membership_pk)
    _lead_contact(request, organisation)
    if request.method == "POST":
        try:
            services.remove_member(organisation, membership, request.user)
        except services.GrantsError as error:
            messages.error(request, str(error))
            return redirect("grants:organisation", pk=pk)
        if membership.user_id == request.user.pk:
            messages.success(request, f"You are no longer a member of {organisation.name}.")
            return redirect("grants:account")
        name = membership.member_name
        messages.success(request, f"{name} is no longer a member of {organisation.name}.")
        return redirect("grants:organisation", pk=pk)
    return render(request, "grants/applicant/member_remove.html", {"organisation": organisation, "membership": membership})


@applicant_required
@require_http_methods(["GET", "POST"])
def member_make_lead(request, pk, membership_pk):
    organisation = _organisation(request, pk)
    membership = get_object_or_404(organisation.memberships.select_related("user"), pk=membership_pk)
    _lead_contact(request, organisation)
    if request.method == "POST":
        try:
            membership = services.make_lead_contact(
                organisation, membership, request.user,
                organisation_url=request.build_absolute_uri(reverse("grants:organisation", args=[pk])),
            )
        except services.GrantsError as error:
            messages.error(request, str(error))
            return redirect("grants:organisation", pk=pk)
        messages.success(request, f"{membership.member_name} is now a lead contact of {organisation.name}. "
                                  "We will e-mail them to say so.")
        return redirect("grants:organisation", pk=pk)
    return render(request, "grants/applicant/member_make_lead.html", {"organisation": organisation, "membership": membership})


@applicant_required
@require_http_methods(["GET", "POST"])
def lead_step_down(request, pk):
    organisation = _organisation(request, pk)
    _lead_contact(request, organisation)
    if request.method == "POST":
        try:
            services.step_down(organisation, request.user)
        except services.GrantsError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"You are now a member of {organisation.name}, no longer a lead contact.")
        return redirect("grants:organisation", pk=pk)
    others = organisation.memberships.filter(role=Membership.Role.LEAD).exclude(user=request.user).select_related("user")
    return render(request, "grants/applicant/lead_step_down.html", {"organisation": organisation, "other_leads": others})


@applicant_required
@require_http_methods(["GET", "POST"])
def invitation_cancel(request, pk, invitation_pk):
    organisation = _organisation(request, pk)
    invitation = get_object_or_404(organisation.invitations, pk=invitation_pk)
    _lead_contact(request, organisation)
    if request.method == "POST":
        try:
            services.cancel_invitation(organisation, invitation, request.user)
        except services.GrantsError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"The invitation to {invitation.email} was cancelled: its link no longer works.")
        return redirect("grants:organisation", pk=pk)
    return render(request, "grants/applicant/invitation_cancel.html", {"organisation": organisation, "invitation": invitation})


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """Accept an invitation. Anyone with the link sees whom it is from; joining needs a community account."""
    state, found = services.invitation_state(token)
    if state != "usable":
        return render(
            request, "grants/applicant/invitation_invalid.html",
            {"state": state, "invitation": found, "problem": services.INVITATION_PROBLEMS[state]}, status=404,
        )
    context = {"invitation": found, "organisation": found.organisation, "path": request.get_full_path()}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("grants:sign-in"))
        try:
            organisation = services.accept_invitation(token, request.user)
        except services.GrantsError as error:
            context["problem"] = str(error)
            return render(request, "grants/applicant/invitation.html", context, status=403)
        messages.success(request, f"You are now a member of {organisation.name}.")
        return redirect("grants:organisation", pk=organisation.pk)
    if request.user.is_authenticated and not services.is_applicant(request.user):
        context["problem"] = "Staff accounts cannot join an applicant organisation. Sign out, then sign in with a community account."
    elif services.is_member(request.user, found.organisation):
        return redirect("grants:organisation", pk=found.organisation.pk)
    return render(request, "grants/applicant/invitation.html", context)


# --- eligibility and starting an application ----------------------------------------------------


@applicant_required
@require_http_methods(["GET", "POST"])
def eligibility(request, slug):
    round_ = get_object_or_404(services.public_rounds(), slug=slug)
    if not round_.is_open():
        return render(request, "grants/applicant/round_not_open.html", {"round": round_, "phase": round_.phase()})
    organisations = services.organisations_of(request.user)
    if not organisations.exists():
        messages.info(request, "Tell us about your organisation first.")
        return redirect(reverse("grants:organisation-create") + "?next=" + request.path)
    form = EligibilityForm(*_bound(request), round=round_, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        reasons = form.reasons()
        organisation = form.cleaned_data["organisation"]
        if reasons:
            audit.record(request.user, "grants.eligibility.failed", round_, organisation=organisation.pk, reasons=len(reasons))
            return render(
                request,
                "grants/applicant/not_eligible.html",
                {"round": round_, "reasons": reasons, "organisation": organisation},
            )
        try:
            application = services.start_application(round_, organisation, request.user, form.answers())
        except services.GrantsError as error:
            return render(
                request,
                "grants/applicant/not_eligible.html",
                {"round": round_, "reasons": [str(error)], "organisation": organisation},
            )
        messages.success(request, f"You can apply. Your application's reference is {application.reference}.")
        return redirect("grants:application-edit", reference=application.reference)
    return render(request, "grants/applicant/eligibility.html", {"form": form, "round": round_})


# --- the application ------------------------------------------------------------------------------


@applicant_required
@require_safe
def application_status(request, reference):
    application = _application(request, reference)
    timeline = list(services.applicant_timeline(application))
    returned_note = ""
    if application.status == Application.Status.RETURNED:
        last_return = next(
            (e for e in reversed(timeline) if e.kind == ApplicationEvent.Kind.STATUS and e.to_status == Application.Status.RETURNED),
            None,
        )
        returned_note = last_return.note if last_return else ""
    return render(
        request,
        "grants/applicant/application.html",
        {
            "application": application,
            "round": application.round,
            "timeline": timeline,
            "returned_note": returned_note,
            "documents": application.documents.select_related("required_document"),
            "answers": application.answer_list(),
            **awards.applicant_grant(application),
        },
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def application_edit(request, reference):
    application = _application(request, reference)
    if not application.is_editable:
        messages.info(request, "This application has been sent, so it cannot be changed now.")
        return redirect("grants:application", reference=reference)
    form = ApplicationForm(*_bound(request), application=application)
    if request.method == "POST":
        try:
            services.save_draft(application, request.user, form.draft_fields())
        except services.GrantsError as error:
            messages.error(request, str(error))
            return redirect("grants:application", reference=reference)
        if "later" in request.POST:
            messages.success(request, "Your application was saved. You can come back to it at any time before the round closes.")
            return redirect("grants:application", reference=reference)
        return redirect("grants:application-documents", reference=reference)
    if request.GET.get("check"):
        # Sent here from the check page: show what must be fixed beside each field.
        form.show_errors(services.submission_errors(application))
    return render(request, "grants/applicant/application_form.html", {"form": form, "application": application, "round": application.round})


def _documents_context(application, upload_errors=None):
    uploads = {}
    for document in application.documents.all():
        uploads[document.required_document_id] = document
    return {
        "application": application,
        "round": application.round,
        "required": [
            {"document": required, "upload": uploads.get(required.pk), "error": (upload_errors or {}).get(required.pk, "")}
            for required in application.round.required_documents.all()
        ],
        "errors": [(message, f"#file-{pk}") for pk, message in (upload_errors or {}).items()],
    }


@applicant_required
@require_http_methods(["GET", "POST"])
def application_documents(request, reference):
    application = _application(request, reference)
    if not application.is_editable and request.method == "POST":
        messages.error(request, "This application has been sent, so its documents cannot be changed now.")
        return redirect("grants:application", reference=reference)
    if request.method == "POST":
        required = get_object_or_404(application.round.required_documents, pk=request.POST.get("document") or 0)
        form = DocumentUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            error = form.errors["file"][0]
        else:
            error = ""
            try:
                services.add_document(application, required, form.cleaned_data["file"], request.user)
            except services.GrantsError as problem:
                error = str(problem)
        if error:
            return render(
                request, "grants/applicant/documents.html", _documents_context(application, {required.pk: error})
            )
        messages.success(request, f"{required.name} was uploaded.")
        return redirect("grants:application-documents", reference=reference)
    return render(request, "grants/applicant/documents.html", _documents_context(application))


@applicant_required
@require_safe
def document_download(request, reference, pk):
    application = _application(request, reference)
    document = get_object_or_404(application.documents, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    return FileResponse(handle, as_attachment=True, filename=document.name, content_type=document.content_type)


@applicant_required
@require_POST
def document_delete(request, reference, pk):
    application = _application(request, reference)
    document = get_object_or_404(application.documents, pk=pk)
    try:
        services.remove_document(document, request.user)
    except services.GrantsError as error:
        messages.error(request, str(error))
        return redirect("grants:application", reference=reference)
    messages.success(request, f"{document.name} was removed.")
    return redirect("grants:application-documents", reference=reference)


@applicant_required
@require_http_methods(["GET", "POST"])
def application_check(request, reference):
    """Check your answers, then send. Validation happens here, and only here."""
    application = _application(request, reference)
    if not application.is_editable:
        return redirect("grants:application", reference=reference)
    errors = {}
    if request.method == "POST":
        try:
            _, errors = services.submit_application(
                application,
                request.user,
                acknowledgement_url=request.build_absolute_uri(reverse("grants:application", args=[reference])),
            )
        except services.GrantsError as error:
            messages.error(request, str(error))
            return redirect("grants:application", reference=reference)
        if not errors:
            return redirect("grants:application-sent", reference=reference)
    edit = reverse("grants:application-edit", args=[reference])
    documents = reverse("grants:application-documents", args=[reference])
    links = []
    for name, message in errors.items():
        if name.startswith("doc"):
            links.append((message, f"{documents}#file-{name[3:]}"))
        else:
            anchor = f"id_{name}_0" if name == "theme" else f"id_{name}"
            links.append((message, f"{edit}?check=1#{anchor}"))
    return render(
        request,
        "grants/applicant/check.html",
        {
            "application": application,
            "round": application.round,
            "answers": application.answer_list(),
            "amount_typed": application.answers.get("_amount_text", ""),
            "documents": application.documents.select_related("required_document"),
            "errors": links,
        },
    )


@applicant_required
@require_safe
def application_sent(request, reference):
    application = _application(request, reference)
    if application.status not in (Application.Status.SUBMITTED, Application.Status.RESUBMITTED):
        return redirect("grants:application", reference=reference)
    return render(request, "grants/applicant/sent.html", {"application": application, "round": application.round})
