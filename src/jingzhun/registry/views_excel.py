"""Excel import/export pages (being built)."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


import_upload = import_errors = export_xlsx = template_xlsx = _todo
