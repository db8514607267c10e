"""The directory's pages: thin views over services.py and forms.py.

Public: search, organisation, service and place pages, neighbourhood plans, "report an error".
Managers (community members who run an organisation) and officers: /directory/manage/<organisation>/...,
where every view checks services.can_edit (anonymous people are sent to sign in, anyone else
refused with 403). Officers only: /directory/staff/..., wrapped in officer_required.

Private contacts and phone numbers are read only through `.public()` on public pages.
"""
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shire.core.models import District
from shire.core.permissions import officer_required

from . import forms, list_rows, search_html, services
from .models import (
    Contact,
    ErrorReport,
    Location,
    Manager,
    NeighbourhoodPlan,
    Organization,
    PendingEdit,
    Phone,
    Schedule,
    Service,
    stale_cutoff,
)

RESULTS_PER_PAGE = 20
ORGANIZATIONS_PER_PAGE = 50
STAFF_PER_PAGE = 50

# The kinds of record a manager edits, by the word in their URL.
URL_TYPES = {"services": "service", "places": "location", "contacts": "contact", "phone-numbers": "phone",
             "times": "schedule"}
TYPE_URLS = {value: key for key, value in URL_TYPES.items()}
TYPE_NAMES = {"organization": "organisation details", "service": "service", "location": "place", "contact": "contact",
              "phone": "telephone number", "schedule": "time"}


def _page(request, items, per_page):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# --- public pages -------------------------------------------------------------------------------


@require_safe
def search(request):
    """The public search. Anonymous visitors' pages are cached in the shared cache until the directory
    changes (or 5 minutes)."""
    version = services.directory_version()
    key = _page_cache_key(request, version)
    if key is not None:
        html = cache.get(key)
        if html is not None:
            return HttpResponse(html)
    options = services.search_options(version)
    form = forms.SearchForm(request.GET or None, options=options)
    query = form.search() if request.GET else services.Search()
    results = services.search_page(query, request.GET.get("page"), RESULTS_PER_PAGE, version,
                                   fetch=list_rows.search_results)
    page_services = list(results.object_list)
    organizations = list(services.search_organizations(query))
    # What was typed, without the control characters the form drops, to show back.
    shown_query = (getattr(form, "cleaned_data", None) or {}).get("q") or forms.clean_text(request.GET.get("q", ""))
    response = render(request, "directory/search.html", {
        "form": form,
        "form_html": search_html.form_html(form, shown_query, bool(request.GET), options),
        "query": query,
        "shown_query": shown_query,
        "searched": bool(request.GET),
        "results": results,
        "page_services": page_services,
        "result_items": mark_safe("".join(result.result_html for result in page_services)),
        "organizations": organizations,
        "organization_items": search_html.organization_items(organizations),
        "map_points": search_html.map_points((number, result.map_point) for number, result in
                                             enumerate(page_services, results.start_index()) if result.map_point),
        "errors": form.error_links if request.GET and form.errors else [],
    })
    if key is not None and response.status_code == 200:
        cache.set(key, response.content, page_cache_seconds())
    return response


def _page_cache_key(request, version):
    """A cache key for a page everyone sees the same, or None when this visitor's page may differ
    (or pages are not cached: settings.DIRECTORY_PAGE_CACHE_SECONDS, or $SHIRE_PAGE_CACHE_SECONDS, 0).

    Signed-in people see their own header and messages, and a visitor with a session or a
    message waiting may see a message, so only plain anonymous requests share cached pages.
    """
    if not page_cache_seconds() or request.user.is_authenticated or request.COOKIES.get("messages") or \
            request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return None
    digest = hashlib.sha256(request.get_full_path().encode("utf-8", "surrogatepass")).hexdigest()
    return f"directory:page:{version}:{digest}"


def page_cache_seconds():
    return services.cache_seconds("DIRECTORY_PAGE_CACHE_SECONDS", "SHIRE_PAGE_CACHE_SECONDS", 300)


@require_safe
def organization_list(request):
    kinds = dict(Organization.Kind.choices)
    kind = request.GET.get("kind") if request.GET.get("kind") in kinds else ""
    districts = {d.slug: d for d in District.objects.all()}
    district = districts.get(request.GET.get("district") or "")
    organizations = Organization.objects.select_related("district", "parish").order_by("name", "id")
    if kind:
        organizations = organizations.filter(kind=kind)
    if district:
        organizations = organizations.filter(district=district)
    return render(request, "directory/organization_list.html", {
        "page": _page(request, organizations, ORGANIZATIONS_PER_PAGE),
        "kinds": Organization.Kind.choices,
        "kind": kind,
        "kind_label": kinds.get(kind, ""),
        "districts": districts.values(),
        "district": district,
    })


@require_safe
def organization_detail(request, pk):
    organization = get_object_or_404(Organization.objects.select_related("district", "parish"), pk=pk)
    link = services.manager_link(request.user, organization)
    return render(request, "directory/organization.html", {
        "organization": organization,
        "services_list": organization.services.filter(status__in=services.LISTED_STATUSES).order_by("name"),
        "locations": organization.locations.order_by("name"),
        "contacts": organization.contacts.public().filter(service__isnull=True).prefetch_related(_public_phones()),
        "phones": organization.phones.public().filter(contact__isnull=True, service__isnull=True),
        "identifiers": organization.identifiers.all(),
        "plan": NeighbourhoodPlan.objects.filter(organization=organization).first(),
        "can_edit": services.can_edit(request.user, organization),
        "manager_link": link,
        "can_ask": (request.user.is_authenticated and request.user.role == request.user.Role.COMMUNITY
                    and link is None),
        "stale": organization.is_stale(),
        "report_url": reverse("directory:report", args=["organisation", organization.pk]),
    })


def _public_phones():
    return Prefetch("phones", queryset=Phone.objects.public(), to_attr="public_phones")


@require_safe
def service_detail(request, pk):
    service = get_object_or_404(Service.objects.select_related("organization"), pk=pk)
    organization = service.organization
    at_locations = list(
        service.service_at_locations.select_related("location").prefetch_related(
            "location__accessibility", "schedules").order_by("location__name"))
    schedules = sorted(service.schedules.all(), key=services.schedule_sort_key)
    terms = list(service.taxonomy_terms.select_related("taxonomy").order_by("name"))
    return render(request, "directory/service.html", {
        "service": service,
        "organization": organization,
        "at_locations": at_locations,
        "schedules": schedules,
        "categories": [t for t in terms if t.taxonomy.slug == "categories"],
        "audiences": [t for t in terms if t.taxonomy.slug != "categories"],
        "cost_options": service.cost_options.all(),
        **_service_contacts(service, organization),
        "languages": service.languages.all(),
        "areas": service.service_areas.all(),
        "can_edit": services.can_edit(request.user, organization),
        "stale": organization.is_stale() or (service.last_checked_on is not None
                                             and service.last_checked_on < stale_cutoff()),
        "last_checked_on": service.last_checked_on or organization.last_checked_on,
        "report_url": reverse("directory:report", args=["service", service.pk]),
    })


def _service_contacts(service, organization):
    """The service's public contact details, or its organisation's when it has none of its own."""
    contacts = list(service.contacts.public().prefetch_related(_public_phones()))
    phones = list(service.phones.public().filter(contact__isnull=True))
    if contacts or phones or service.email or service.url:
        return {"contacts": contacts, "phones": phones, "email": service.email, "website": service.url,
                "from_organization": False}
    return {
        "contacts": list(organization.contacts.public().filter(service__isnull=True).prefetch_related(_public_phones())),
        "phones": list(organization.phones.public().filter(contact__isnull=True, service__isnull=True)),
        "email": organization.email, "website": organization.website, "from_organization": True,
    }


@require_safe
def location_detail(request, pk):
    location = get_object_or_404(Location.objects.select_related("organization", "district", "parish"), pk=pk)
    organization = location.organization
    return render(request, "directory/location.html", {
        "location": location,
        "organization": organization,
        "features": location.accessibility.all(),
        "schedules": sorted(location.schedules.all(), key=services.schedule_sort_key),
        "services_here": Service.objects.filter(service_at_locations__location=location,
                                                status__in=services.LISTED_STATUSES).select_related("organization")
                                        .order_by("name"),
        "contacts": location.contacts.public().prefetch_related(_public_phones()),
        "phones": location.phones.public().filter(contact__isnull=True),
        "can_edit": organization is not None and services.can_edit(request.user, organization),
        "stale": location.last_checked_on is None and organization is not None and organization.is_stale()
                 or (location.last_checked_on is not None and location.last_checked_on < stale_cutoff()),
        "last_checked_on": location.last_checked_on or (organization.last_checked_on if organization else None),
        "report_url": reverse("directory:report", args=["place", location.pk]),
    })


@require_safe
def neighbourhood_plans(request):
    plans = NeighbourhoodPlan.objects.select_related("organization", "organization__district").order_by("area_name")
    stage = request.GET.get("stage") if request.GET.get("stage") in dict(NeighbourhoodPlan.Stage.choices) else ""
    counts = dict(NeighbourhoodPlan.objects.values_list("stage").annotate(n=Count("pk")))
    stages = [(code, label, counts.get(code, 0)) for code, label in NeighbourhoodPlan.Stage.choices]
    listed = plans.filter(stage=stage) if stage else plans
    return render(request, "directory/neighbourhood_plans.html", {
        "page": _page(request, listed, ORGANIZATIONS_PER_PAGE),
        "stages": stages,
        "stage": stage,
        "stage_label": dict(NeighbourhoodPlan.Stage.choices).get(stage, ""),
        "total": plans.count(),
        "members": plans.aggregate(total=Sum("members_count"))["total"] or 0,
    })


# --- report an error ----------------------------------------------------------------------------

REPORT_TARGETS = {"organisation": Organization, "service": Service, "place": Location}


@require_http_methods(["GET", "HEAD", "POST"])
def report(request, kind, pk):
    model = REPORT_TARGETS.get(kind)
    if model is None:
        raise Http404
    target = get_object_or_404(model, pk=pk)
    form = forms.ErrorReportForm(request.POST if request.method == "POST" else None)
    limited = False
    if request.method == "POST" and form.is_valid():
        if services.allow_report(request.META.get("REMOTE_ADDR", "")):
            services.report_error(target, target.get_absolute_url(), form.cleaned_data["message"],
                                  form.cleaned_data["email"])
            return redirect(reverse("directory:report-sent", args=[kind, target.pk]))
        limited = True
    return render(request, "directory/report.html", {
        "form": form, "target": target, "limited": limited,
        "errors": form.error_links if request.method == "POST" else [],
    }, status=429 if limited else 200)


@require_safe
def report_sent(request, kind, pk):
    model = REPORT_TARGETS.get(kind)
    if model is None:
        raise Http404
    return render(request, "directory/report_sent.html", {"target": get_object_or_404(model, pk=pk)})


# --- managers -----------------------------------------------------------------------------------


def _signed_in(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


def _editable(request, pk):
    """The organisation `pk` if the signed-in user may edit it: 404 if there is none, 403 if not theirs."""
    organization = get_object_or_404(Organization, pk=pk)
    if not services.can_edit(request.user, organization):
        raise PermissionDenied
    return organization


@require_POST
@_signed_in
def ask_to_manage(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    services.request_to_manage(request.user, organization)
    messages.success(request, "We have asked an officer to check that you can manage this listing.")
    return redirect(organization.get_absolute_url())


@require_safe
@_signed_in
def manage_home(request):
    if request.user.is_officer:
        return redirect("directory:staff")
    return render(request, "directory/manage/home.html", {
        "organizations": services.managed_organizations(request.user),
        "waiting": Organization.objects.filter(manager_links__user=request.user, manager_links__approved=False),
    })


@require_safe
@_signed_in
def manage(request, pk):
    organization = _editable(request, pk)
    return render(request, "directory/manage/overview.html", {
        "organization": organization,
        "services_list": organization.services.order_by("name"),
        "locations": organization.locations.order_by("name"),
        "contacts": Contact.objects.filter(Q(organization=organization) | Q(service__organization=organization))
                    .select_related("service").order_by("name"),
        "phones": Phone.objects.filter(Q(organization=organization) | Q(service__organization=organization))
                  .select_related("service").order_by("number"),
        "schedules": Schedule.objects.filter(Q(service__organization=organization) | Q(location__organization=organization))
                     .select_related("service", "location").order_by("service__name", "location__name", "byday"),
        "pending": organization.pending_edits.filter(status=PendingEdit.Status.PENDING).select_related("proposed_by"),
        "reason": services.approval_reason(request.user, organization),
        "stale": organization.is_stale(),
        "type_urls": TYPE_URLS,
    })


def _target(organization, target_type, pk):
    model = services.EDITABLE[target_type][0]
    obj = get_object_or_404(model, pk=pk)
    if not services.belongs_to(obj, organization):
        raise PermissionDenied
    return obj


def _outcome_message(request, outcome, what):
    if outcome.changed_nothing:
        messages.info(request, "You did not change anything.")
    elif outcome.pending:
        messages.success(request, f"Your change to the {what} has been sent to an officer to approve. "
                                  "It will show on the page once it is approved.")
    else:
        messages.success(request, f"The {what} has been saved.")


@require_http_methods(["GET", "HEAD", "POST"])
@_signed_in
def edit(request, pk, kind=None, target=None):
    """Add or change one record of the organisation (its details when `kind` is None)."""
    organization = _editable(request, pk)
    if kind is None:
        target_type, obj = "organization", organization
    else:
        target_type = URL_TYPES.get(kind)
        if target_type is None:
            raise Http404
        obj = _target(organization, target_type, target) if target else None
    form_class = forms.FORMS[target_type]
    initial = form_class.initial_from(obj) if obj is not None else {}
    form = form_class(request.POST if request.method == "POST" else None, initial=initial,
                      organization=organization, user=request.user)
    if request.method == "POST" and form.is_valid():
        action = PendingEdit.Action.UPDATE if obj is not None else PendingEdit.Action.CREATE
        try:
            outcome = services.propose(request.user, organization, target_type, obj, form.change_values(), action)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _outcome_message(request, outcome, TYPE_NAMES[target_type])
            return redirect("directory:manage", organization.pk)
    return render(request, "directory/manage/form.html", {
        "organization": organization, "form": form, "obj": obj, "target_type": target_type,
        "what": TYPE_NAMES[target_type], "errors": form.error_links if request.method == "POST" else [],
        "reason": services.approval_reason(request.user, organization),
    })


@require_http_methods(["GET", "HEAD", "POST"])
@_signed_in
def remove(request, pk, kind, target):
    organization = _editable(request, pk)
    target_type = URL_TYPES.get(kind)
    if target_type is None:
        raise Http404
    obj = _target(organization, target_type, target)
    if request.method == "POST":
        outcome = services.propose(request.user, organization, target_type, obj, {}, PendingEdit.Action.DELETE)
        if outcome.pending:
            messages.success(request, f"Removing the {TYPE_NAMES[target_type]} has been sent to an officer to approve.")
        else:
            messages.success(request, f"The {TYPE_NAMES[target_type]} has been removed.")
        return redirect("directory:manage", organization.pk)
    return render(request, "directory/manage/remove.html", {
        "organization": organization, "obj": obj, "what": TYPE_NAMES[target_type],
        "reason": services.approval_reason(request.user, organization),
    })


@require_POST
@_signed_in
def confirm_checked(request, pk):
    organization = _editable(request, pk)
    services.confirm_checked(request.user, organization)
    messages.success(request, f"Thank you. The listing is marked as checked on {timezone.localdate():%-d %B %Y}.")
    return redirect("directory:manage", organization.pk)


@require_safe
@_signed_in
def page_history(request, pk):
    organization = _editable(request, pk)
    records = _page(request, services.history(organization), STAFF_PER_PAGE)
    rows = [(record, services.describe_changes(record.target_type, record.changes)
             if record.target_type in services.EDITABLE else []) for record in records]
    return render(request, "directory/manage/history.html", {
        "organization": organization, "records": records, "rows": rows,
    })


# --- officers -----------------------------------------------------------------------------------


@require_safe
@officer_required
def staff_home(request):
    return render(request, "directory/staff/home.html", {"numbers": services.overview()})


@require_safe
@officer_required
def pending_list(request):
    return render(request, "directory/staff/pending_list.html", {
        "page": _page(request, services.pending_edits().order_by("proposed_at", "id"), STAFF_PER_PAGE),
    })


@require_http_methods(["GET", "HEAD", "POST"])
@officer_required
def pending_detail(request, pk):
    pending = get_object_or_404(PendingEdit.objects.select_related("organization", "proposed_by", "decided_by"), pk=pk)
    form = forms.DecisionForm(request.POST if request.method == "POST" else None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision")
        try:
            if decision == "approve":
                services.approve(request.user, pending, form.cleaned_data["note"])
                messages.success(request, f"The change to {pending.target_label} is approved and on the page.")
                return redirect("directory:pending")
            if decision == "reject":
                services.reject(request.user, pending, form.cleaned_data["note"])
                messages.success(request, f"The change to {pending.target_label} is rejected.")
                return redirect("directory:pending")
            problem = "Choose whether to approve or reject the change"
        except ValidationError as error:
            problem = " ".join(error.messages)
    return render(request, "directory/staff/pending.html", {
        "pending": pending, "rows": services.pending_rows(pending), "form": form, "problem": problem,
        "errors": [(problem, "")] if problem else [],
    }, status=400 if problem else 200)


@require_safe
@officer_required
def report_list(request):
    status = request.GET.get("status") if request.GET.get("status") in dict(ErrorReport.Status.choices) else "new"
    reports = ErrorReport.objects.filter(status=status).select_related("organization").order_by("-created_at", "-id")
    return render(request, "directory/staff/reports.html", {
        "page": _page(request, reports, STAFF_PER_PAGE), "status": status, "statuses": ErrorReport.Status.choices,
    })


@require_POST
@officer_required
def report_close(request, pk):
    report_obj = get_object_or_404(ErrorReport, pk=pk)
    form = forms.ReportStatusForm(request.POST)
    if form.is_valid():
        services.close_report(request.user, report_obj, form.cleaned_data["status"])
        messages.success(request, f"The report on {report_obj.page_title or report_obj.page} is marked "
                                  f"{report_obj.get_status_display().lower()}.")
    return redirect("directory:reports")


@require_safe
@officer_required
def stale_list(request):
    return render(request, "directory/staff/stale.html", {
        "page": _page(request, services.stale_organizations().select_related("district")
                      .annotate(manager_count=Count("manager_links", filter=Q(manager_links__approved=True))),
                      STAFF_PER_PAGE),
        "cutoff": stale_cutoff(),
    })


@require_http_methods(["GET", "HEAD", "POST"])
@officer_required
def managers(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    form = forms.AddManagerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_manager(request.user, organization, form.user)
        except ValidationError as error:
            form.add_error("username", error)
        else:
            messages.success(request, f"{form.user.get_username()} can now manage {organization.name}.")
            return redirect("directory:managers", organization.pk)
    return render(request, "directory/staff/managers.html", {
        "organization": organization, "form": form,
        "links": organization.manager_links.select_related("user").order_by("approved", "user__username"),
        "errors": form.error_links if request.method == "POST" else [],
    })


@require_POST
@officer_required
def manager_decision(request, pk, link_pk):
    link = get_object_or_404(Manager.objects.select_related("user", "organization"), pk=link_pk, organization_id=pk)
    if request.POST.get("decision") == "approve":
        services.approve_manager(request.user, link)
        messages.success(request, f"{link.user.get_username()} can now manage {link.organization.name}.")
    elif request.POST.get("decision") == "remove":
        services.remove_manager(request.user, link)
        messages.success(request, f"{link.user.get_username()} no longer manages {link.organization.name}.")
    return redirect("directory:managers", pk)


@require_safe
@officer_required
def manager_requests(request):
    links = Manager.objects.filter(approved=False).select_related("user", "organization").order_by("added_at")
    return render(request, "directory/staff/manager_requests.html", {"page": _page(request, links, STAFF_PER_PAGE)})
