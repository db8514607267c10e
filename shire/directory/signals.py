"""Any saved or deleted directory record (or district or parish) changes the directory's version,
so cached search pages and search choices are never older than the data. Bulk changes that skip
save() call services.directory_changed() themselves.

A saved service, organisation, place or service at a place also makes again what its services keep
of it: their search text (names and towns) and the lists' rows (services.refresh_services). A
deleted service at a place (a place deleted takes its pairings with it) does the same for its
service once the deletion is committed: while it runs, the records it cascades to are still there,
so a refresh then would keep rows of records about to go. Bulk changes call it themselves, and so
does services.apply_change for every edit, so an edit through it refreshes twice (the second finds
nothing changed).
"""
from functools import partial

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete

WATCHED_APPS = ("directory",)
WATCHED_MODELS = ("core.District", "core.Parish")
# Records that never show on a cached page: changing them need not empty the caches.
IGNORED = {"PendingEdit", "ChangeRecord", "ErrorReport", "Manager"}


def _changed(sender, **kwargs):
    from .services import directory_changed

    directory_changed()


def _list_rows_changed(sender, instance, raw=False, **kwargs):
    from . import list_rows, services
    from .models import Location, Organization, Service

    if raw:  # loading fixtures: the rows are made after (or by the migration)
        return
    if sender is Service:  # its own save made its search text
        list_rows.refresh([instance.pk])
    elif sender is Organization:
        services.refresh_services(list_rows.services_of(organizations=[instance.pk]))
    elif sender is Location:
        services.refresh_services(list_rows.services_of(locations=[instance.pk]))
    else:  # a service at a location
        services.refresh_services([instance.service_id])


def _pairing_deleted(sender, instance, **kwargs):
    from . import services

    transaction.on_commit(partial(services.refresh_services, [instance.service_id]))


def make_missing_list_rows(sender, using="default", **kwargs):
    """After `migrate`: the kept rows of services that have none (a directory held before the rows
    were kept, or written by a migration). Only once every migration is applied: the rows are made
    by today's code, which reads today's tables."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from . import list_rows
    from .models import Service

    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    list_rows.refresh(list(Service.objects.using(using).filter(list_row__isnull=True).values_list("pk", flat=True)))


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
    pre_delete.connect(_pairing_deleted, sender=ServiceAtLocation, dispatch_uid="directory-list-rows-pairing-deleted")
    post_migrate.connect(make_missing_list_rows, sender=apps.get_app_config("directory"),
                         dispatch_uid="directory-list-rows-after-migrate")
