"""Any saved or deleted directory record (or district or parish) changes the directory's version,
so cached search pages and search choices are never older than the data. Bulk changes that skip
save() call services.directory_changed() themselves.

A saved service, organisation, place or service at a place also makes again the lists' kept rows
that read it (list_rows.refresh); bulk changes, and deletions (a place or pairing fewer changes where
a service is), call that themselves: services.apply_change does for every edit. (On a deletion the
services it cascades to are still there when the signal comes, so a refresh then would keep rows
of records about to go.)"""
from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

WATCHED_APPS = ("directory",)
WATCHED_MODELS = ("core.District", "core.Parish")
# Records that never show on a cached page: changing them need not empty the caches.
IGNORED = {"PendingEdit", "ChangeRecord", "ErrorReport", "Manager"}


def _changed(sender, **kwargs):
    from .services import directory_changed

    directory_changed()


def _list_rows_changed(sender, instance, raw=False, **kwargs):
    from . import list_rows
    from .models import Location, Organization, Service

    if raw:  # loading fixtures: the rows are made after (or by the migration)
        return
    if sender is Service:
        ids = list_rows.services_of(services=[instance.pk])
    elif sender is Organization:
        ids = list_rows.services_of(organizations=[instance.pk])
    elif sender is Location:
        ids = list_rows.services_of(locations=[instance.pk])
    else:  # a service at a location
        ids = list_rows.services_of(services=[instance.service_id])
    list_rows.refresh(ids)


def connect():
    models = [model for model in apps.get_app_config("directory").get_models() if model.__name__ not in IGNORED]
    models += [apps.get_model(label) for label in WATCHED_MODELS]
    for model in models:
        post_save.connect(_changed, sender=model, dispatch_uid=f"directory-version-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"directory-version-delete-{model._meta.label}")
    from .models import Location, Organization, Service, ServiceAtLocation

    m2m_changed.connect(_changed, sender=Service.taxonomy_terms.through, dispatch_uid="directory-version-terms")
    for model in (Service, Organization, Location, ServiceAtLocation):
        post_save.connect(_list_rows_changed, sender=model, dispatch_uid=f"directory-list-rows-{model._meta.label}")
