"""Any saved or deleted directory record (or district or parish) changes the directory's version,
so cached search pages and search choices are never older than the data. Bulk changes that skip
save() call services.directory_changed() themselves."""
from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

WATCHED_APPS = ("directory",)
WATCHED_MODELS = ("core.District", "core.Parish")
# Records that never show on a cached page: changing them need not empty the caches.
IGNORED = {"PendingEdit", "ChangeRecord", "ErrorReport", "Manager"}


def _changed(sender, **kwargs):
    from .services import directory_changed

    directory_changed()


def connect():
    models = [model for model in apps.get_app_config("directory").get_models() if model.__name__ not in IGNORED]
    models += [apps.get_model(label) for label in WATCHED_MODELS]
    for model in models:
        post_save.connect(_changed, sender=model, dispatch_uid=f"directory-version-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"directory-version-delete-{model._meta.label}")
    from .models import Service

    m2m_changed.connect(_changed, sender=Service.taxonomy_terms.through, dispatch_uid="directory-version-terms")
