"""Area pages (being built)."""

from django.http import HttpResponse


def area_tree(request):
    return HttpResponse(status=501)
