from django.conf import settings

# The service navigation: (label, path). A page belongs to the section whose path begins its own.
SECTIONS = [
    ("Consultations", "/consultations/"),
    ("Grants", "/grants/"),
    ("Directory", "/directory/"),
]
STAFF_SECTION = ("Staff pages", "/staff/")


def council(request):
    return {"council_name": settings.COUNCIL_NAME, "service_name": settings.SERVICE_NAME}


def navigation(request):
    """The service navigation items, each marked active (in its section) and current (its own page)."""
    sections = list(SECTIONS)
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_officer", False):
        sections.append(STAFF_SECTION)
    path = request.path
    items = [
        {"label": label, "url": url, "active": path.startswith(url), "current": path == url}
        for label, url in sections
    ]
    return {"navigation_items": items}
