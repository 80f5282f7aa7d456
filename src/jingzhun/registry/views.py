"""Registry pages (being built)."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


household_list = household_create = household_search_id = household_detail = _todo
household_edit = person_create = income_edit = person_edit = person_reveal = _todo
