"""Officers download the whole directory as the HSDS 3.0 tabular data package (a zip).

Mounted by urls_staff_hsds.py; include it under the directory's staff pages:
    path("staff/hsds/", include("shire.directory.urls_staff_hsds"))   in shire/directory/urls.py
which gives /directory/staff/hsds/directory-hsds.zip (URL name "directory_hsds:download").
Every download is written to the audit log.
"""
import tempfile

from django.http import FileResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from shire.core import audit
from shire.core.permissions import officer_required

from . import hsds_tabular


@require_safe
@officer_required
def download(request):
    # A temporary file rather than memory: 10,000 services make a zip of a few megabytes.
    archive = tempfile.TemporaryFile()
    hsds_tabular.export_zip(archive)
    archive.seek(0)
    audit.record(request.user, "directory.hsds_download", hsds_tabular.PACKAGE)
    name = f"leicestershire-directory-hsds-{timezone.localdate():%Y-%m-%d}.zip"
    response = FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response
