"""Role checks for staff pages. Every staff view is wrapped in one of these."""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def officer_required(view):
    """Signed-in, active officer or administrator; anyone else is sent to sign in or refused."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_officer:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def administrator_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_administrator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
