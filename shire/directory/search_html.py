"""The search page's form and result rows as HTML, made without template work for each request.

Django's templates cost about a millisecond for the form (seven fields, 240 options) and another
for twenty result rows, most of a search page's CPU once its queries are small. So:

- the form is made by its template (directory/_search_form.html) once a directory version, with
  nothing chosen, and cut where what was asked for goes (the words typed, each select's options,
  the age, the boxes ticked); each request joins the pieces with its own values, escaped as the
  template escapes them. A form with an error is made by the template in full (it is rare, and
  shows messages beside the fields);
- each result's <li> in the list, and its point on the map, are made when the service (or its
  organisation or places) changes, and kept (list_rows): a page joins twenty of them.
"""
import uuid
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from . import services
from .models import Service, ServiceAtLocation
from .templatetags.directory_tags import chosen_values, mark_chosen

FORM_TEMPLATE = "directory/_search_form.html"
SELECTS = ("category", "need", "district", "parish")


def form_html(form, shown_query, searched, options):
    """The search form's HTML for `form` (bound or not, already validated by form.search()), the
    words shown back (`shown_query`) and whether anything was asked for (`searched`).

    `options` is services.search_options' dictionary for the directory version: the form's pieces
    are kept there, so they are made again when the choices change."""
    if form.is_bound and form.errors:
        return mark_safe(render_to_string(FORM_TEMPLATE, {"form": form, "shown_query": shown_query,
                                                          "searched": searched}))
    kept = options.setdefault("form_pieces", {})
    if searched not in kept:
        kept[searched] = _pieces(type(form)(options=options), searched)
    values = _slot_values(form, shown_query)
    return mark_safe("".join(piece if slot is None else values[slot] for piece, slot in kept[searched]))


def _slot_values(form, shown_query):
    """What goes in each cut of the kept form, as the template would print it."""
    values = {"q": conditional_escape(shown_query)}
    for name in SELECTS:
        values[name] = mark_chosen(form.fields[name].choices.options_html, chosen_values(form[name]))
    age = form["age"].value()
    values["age"] = "" if age is None else conditional_escape(age)
    values["free"] = " checked" if form["free"].value() else ""
    ticked = {str(value) for value in form["access"].value() or []}
    for choice, _ in form.fields["access"].choices:
        values[f"access:{choice}"] = " checked" if str(choice) in ticked else ""
    return values


def _pieces(blank_form, searched):
    """The blank form's HTML as [(text, None) or ("", slot)], cut at each slot _slot_values fills."""
    html = render_to_string(FORM_TEMPLATE, {"form": blank_form, "shown_query": "", "searched": searched})
    # (where, what the blank form has there, slot), in the fields' order: each slot follows `where`.
    cuts = []
    for name in blank_form.fields:
        if name in SELECTS:
            cuts.append((f'name="{name}"', blank_form.fields[name].choices.options_html, name))
        elif name == "access":
            cuts += [(f'name="access" type="checkbox" value="{escape(choice)}"', "", f"access:{choice}")
                     for choice, _ in blank_form.fields["access"].choices]
        else:
            cuts.append(({"q": 'name="q" type="search" value="', "age": 'name="age" type="text" inputmode="numeric" value="',
                          "free": 'name="free" type="checkbox" value="on"'}[name], "", name))
    pieces, start = [], 0
    for where, blank, slot in cuts:
        at = html.index(where, start) + len(where)
        if blank:  # a select: its options come after the rest of the tag
            at = html.index(blank, at)
        pieces.append((html[start:at], None))
        pieces.append(("", slot))
        start = at + len(blank)
    pieces.append((html[start:], None))
    return pieces


RESULT_ITEM = (
    '<li class="shire-results__item">\n'
    '        <h3 class="govuk-heading-s govuk-!-margin-bottom-1"><span class="shire-results__number" aria-hidden="true">'
    '</span><a class="govuk-link" href="{url}">{name}</a></h3>\n'
    '        <p class="govuk-body-s govuk-!-margin-bottom-1">{organization}</p>\n'
    '        {closed}<p class="govuk-body shire-break">{summary}</p>\n'
    '        <ul class="govuk-list govuk-body-s shire-results__meta">{meta}</ul>\n'
    '      </li>\n'
)
CLOSED = '<strong class="govuk-tag govuk-tag--yellow">Temporarily closed</strong>\n        '
# A service's point on the results map; NUMBER is where its number in the list goes (escaped text
# never holds "<", so the marker cannot be part of a name).
NUMBER = "<n>"
MAP_POINT = ('<g><title><n>. {name}</title><circle class="shire-map__point" cx="{x}" cy="{y}" r="10"></circle>'
             '<text class="shire-map__number" x="{x}" y="{y}" dy="4" text-anchor="middle"><n></text></g>')


def result_rows(ids):
    """{id: (name, its <li> in the results list, its point on the map or "")} of the services with
    these ids, every value escaped: what list_rows keeps for each service."""
    found = Service.objects.filter(pk__in=ids).select_related("organization").only(*services.RESULT_FIELDS)
    found = list(found.order_by())
    places = {}
    rows = ServiceAtLocation.objects.filter(service__in=found).order_by("location__name", "location_id").values_list(
        "service_id", "location__name", "location__city", "location__latitude", "location__longitude",
    ) if found else []
    for service_id, name, city, latitude, longitude in rows:
        places.setdefault(service_id, []).append(SimpleNamespace(name=name, city=city, latitude=latitude,
                                                                 longitude=longitude))
    # One reverse() for them all, not one a result.
    pattern = reverse("directory:service", args=[_ANY_ID])
    result = {}
    for service in found:
        service.places = places.get(service.pk, [])
        where = services.places_text(service.places)
        cost_text = service.get_cost_display() if service.cost else ""
        ages_text = service.ages_label()
        meta = "".join(f"<li>{text}</li>" for text in (
            f"Where: {escape(where)}" if where else "", escape(cost_text), escape(ages_text)) if text)
        item = RESULT_ITEM.format(
            url=escape(pattern.replace(str(_ANY_ID), str(service.pk))), name=escape(service.name),
            organization=escape(service.organization.name),
            closed=CLOSED if service.status == "temporarily closed" else "",
            summary=escape(services.result_summary(service.description)), meta=meta)
        point = ""
        for _, latitude, longitude in services.points_for_map([service]):
            x, y = services.map_position(latitude, longitude)
            point = MAP_POINT.format(name=escape(service.name), x=x, y=y)
        result[service.pk] = (service.name, item, point)
    return result


_ANY_ID = uuid.UUID(int=0)


def organization_items(organizations):
    """The <li>s of the organisations found beside the services, escaped (one reverse() for them all)."""
    pattern = reverse("directory:organization", args=[_ANY_ID])
    return mark_safe("".join(
        f'<li><a class="govuk-link" href="{escape(pattern.replace(str(_ANY_ID), str(organization.pk)))}">'
        f'{escape(organization.name)}</a> <span class="shire-results__meta">'
        f'({escape(organization.get_kind_display().lower())})</span></li>\n' for organization in organizations))


def map_points(points):
    """The map's points for (number, point) pairs: each point with its number in the list."""
    return mark_safe("\n".join(point.replace(NUMBER, str(number)) for number, point in points))
