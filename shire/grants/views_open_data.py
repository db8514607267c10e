"""The public open data pages, under /grants/open-data/: every awarded grant as 360Giving data.

    /grants/open-data/               what the data is, its licence, and the downloads
    /grants/open-data/grants.json    the 360Giving JSON (the same file `shire grants export-360giving` writes)
    /grants/open-data/grants.csv     the same flattened to the standard's column titles (main sheet)
    /grants/open-data/grants.xlsx    the same as a spreadsheet, one sheet for each list

Anyone may read them: nothing private is in the data (see open_data.py).
"""
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import awards, open_data


@require_safe
def index(request):
    figures = open_data.page_figures()
    return render(
        request,
        "grants/open_data/index.html",
        {
            "figures": figures,
            "summary": awards.summary() if figures["grants"] else None,
            "prefix": open_data.prefix(),
            "funder_id": open_data.funder_id(),
            "licence_url": open_data.licence(),
            "licence_name": open_data.licence_name(),
            "standard_version": open_data.STANDARD_VERSION,
        },
    )


@require_safe
def download(request, fmt):
    if fmt not in open_data.FORMATS:
        raise Http404
    try:
        content, content_type, extension = open_data.export_as(fmt, cached=True)
    except open_data.OpenDataError:
        raise Http404("No grants have been published yet.") from None
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{open_data.prefix()}-grants.{extension}"'
    response["Cache-Control"] = "public, max-age=300"
    return response
