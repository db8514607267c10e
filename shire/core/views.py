from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import SignInForm
from .permissions import officer_required


def home(request):
    return render(request, "core/home.html")


def accessibility(request):
    return render(request, "core/accessibility.html")


def sign_in(request):
    return auth_views.LoginView.as_view(
        template_name="core/sign_in.html", authentication_form=SignInForm, redirect_authenticated_user=True
    )(request)


@require_POST
def sign_out(request):
    return auth_views.LogoutView.as_view()(request)


def staff_home(request):
    """Where sign-in lands: officers see their start page; community members go to their own."""
    user = request.user
    if user.is_authenticated and user.is_active and user.role == user.Role.COMMUNITY:
        return redirect("/grants/account/")
    return _officer_home(request)


@officer_required
def _officer_home(request):
    """The officer's start page: the consultations of their teams, with how many responses each has."""
    from django.db.models import Count

    from shire.consult.models import Consultation

    teams = request.user.teams.order_by("name")
    consultations = (
        Consultation.objects.filter(team__in=teams)
        .select_related("team")
        .annotate(response_count=Count("responses"))
        .order_by("-opens_on", "title")
    )
    return render(request, "core/staff_home.html", {"consultations": consultations, "teams": teams})
