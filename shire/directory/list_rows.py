"""What the directory's lists show of each service, kept beside it: its row in the API's lists of
services and of services at locations (JSON text) and its item in the search results with its
point on the map (HTML). A page of a list is then its ids and one query for their kept rows,
joined, where making fifty rows of JSON or twenty of HTML cost most of a page's CPU.

signals.py calls `refresh` when a service, organisation, place or service at a place is saved;
writes that skip save() (imports, bulk updates) call it themselves. A row with nothing kept yet
(records written by bulk_create) is made when a page needs it.
"""
from collections import namedtuple

from django.db import connection

from . import api_data, search_html
from .models import Service, ServiceAtLocation, ServiceAtLocationListRow, ServiceListRow

# The API's kept lists: (table of kept rows, how the records are read, the JSON of one record).
API_LISTS = {
    "services": (ServiceListRow, api_data.service_rows, api_data.service_json),
    "service_at_locations": (ServiceAtLocationListRow, api_data.service_at_location_rows,
                             api_data.service_at_location_json),
}


def _kept(table, fields, ids):
    """{id: (field values)} of the kept rows of `table` with these ids. Read with SQL rather than the
    ORM: compiling the query cost more than running it (docs/directory.md)."""
    meta, quote = table._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in (meta.pk.name, *fields))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(meta.db_table)} "
                       f"WHERE {quote(meta.pk.column)} IN ({', '.join(['%s'] * len(ids))})",
                       [meta.pk.get_db_prep_value(pk, connection) for pk in ids])
        return {meta.pk.to_python(pk): values for pk, *values in cursor.fetchall()}


def api_json(name, ids):
    """{id: JSON text} of the rows with these ids in the API's list `name` ("services" or
    "service_at_locations"): as kept, or made now for a row with nothing kept."""
    table, read, build = API_LISTS[name]
    texts = {pk: json for pk, (json,) in _kept(table, ("json",), ids).items()}
    missing = [pk for pk in ids if pk not in texts]
    if missing:
        texts.update({pk: api_data.dumps(build(row)) for pk, row in read(missing).items()})
    return texts


SearchResult = namedtuple("SearchResult", "name result_html map_point")


def search_results(rows):
    """{id: SearchResult} of the services of these (id, name) rows: their names, <li>s in the results
    list and points on the map (or ""), as kept, or made now for a service with nothing kept."""
    names = dict(rows)
    results = {pk: SearchResult(names[pk], html, point)
               for pk, (html, point) in _kept(ServiceListRow, ("result_html", "map_point"), list(names)).items()}
    missing = [pk for pk in names if pk not in results]
    if missing:
        results.update({pk: SearchResult(*row) for pk, row in search_html.result_rows(missing).items()})
    return results


def refresh(service_ids, batch=500):
    """Make again the kept rows of these services and of their services at locations, writing those
    that changed (bulk writes: no save signals). Returns how many rows were written."""
    service_ids, written = list(service_ids), 0
    for start in range(0, len(service_ids), batch):
        chunk = service_ids[start:start + batch]
        kept = {pk: (json, html, point) for pk, json, html, point in ServiceListRow.objects.filter(
            pk__in=chunk).values_list("pk", "json", "result_html", "map_point")}
        results = search_html.result_rows(chunk)
        changed = []
        for pk, row in api_data.service_rows(chunk).items():
            _, html, point = results[pk]
            made = (api_data.dumps(api_data.service_json(row)), html, point)
            if made != kept.get(pk):
                changed.append(ServiceListRow(pk=pk, json=made[0], result_html=html, map_point=point))
        ServiceListRow.objects.bulk_create(changed, batch_size=batch, update_conflicts=True, unique_fields=["service"],
                                           update_fields=["json", "result_html", "map_point"])
        written += len(changed)
        pairings = list(ServiceAtLocation.objects.filter(service_id__in=chunk).values_list("pk", flat=True))
        kept = dict(ServiceAtLocationListRow.objects.filter(pk__in=pairings).values_list("pk", "json"))
        changed = [ServiceAtLocationListRow(pk=pk, json=text)
                   for pk, row in api_data.service_at_location_rows(pairings).items()
                   if (text := api_data.dumps(api_data.service_at_location_json(row))) != kept.get(pk)]
        ServiceAtLocationListRow.objects.bulk_create(changed, batch_size=batch, update_conflicts=True,
                                                     unique_fields=["service_at_location"], update_fields=["json"])
        written += len(changed)
    return written


def services_of(organizations=(), locations=(), services=()):
    """The ids of `services` and of the services of these organisations and at these places (all
    given by their ids): the services whose kept rows read them."""
    found = set(services)
    if organizations:
        found |= set(Service.objects.filter(organization__in=list(organizations)).values_list("pk", flat=True))
    if locations:
        found |= set(ServiceAtLocation.objects.filter(location__in=list(locations)).values_list("service_id", flat=True))
    return found
