"""Registry API: households, persons, incomes, helpers, measures.

Reads start at `visible_to(user)` (ScopedQuerysetMixin); writes go through `registry.services`,
which check role and scope again and write the audit entry in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhun.accounts.api.base import CanEditOrReadOnly, ScopedQuerysetMixin, call_service
from jingzhun.audit.models import AuditEntry

from .. import services
from ..filters import (
    HelperFilter,
    HouseholdFilter,
    IncomeFilter,
    MeasureFilter,
    PersonFilter,
    looks_like_id_number,
)
from ..models import Helper, Household, Income, Measure, Person, StatusChange
from ..queries import with_head_and_size
from .serializers import (
    HelperSerializer,
    HistorySerializer,
    HouseholdCreateSerializer,
    HouseholdSerializer,
    IdNumberSerializer,
    IncomeSerializer,
    MeasureSerializer,
    PersonSerializer,
    RevealRequestSerializer,
    RevealSerializer,
)


class RegistryViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    """CRUD over a scoped queryset; subclasses say which service each write calls."""

    permission_classes = [CanEditOrReadOnly]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # An ID number in a GET query string lands in access logs: refuse rather than search.
        if looks_like_id_number(request.query_params.get("q", "").strip()):
            raise ValidationError(
                {"q": [_("请勿在查询参数中使用身份证号码，请用 POST /api/persons/search-by-id/")]}
            )
        return super().list(request, *args, **kwargs)

    def reload(self, pk: Any) -> Any:
        """The saved record, read back through the scoped queryset (annotations included)."""
        return self.get_queryset().get(pk=pk)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        instance = call_service(self.create_record, data, self.request.user)
        serializer.instance = self.reload(instance.pk)

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        data.pop("household", None)  # validated as unchanged; the services take it separately
        call_service(self.update_record, serializer.instance, data, self.request.user)
        serializer.instance = self.reload(serializer.instance.pk)

    def perform_destroy(self, instance: Any) -> None:
        call_service(self.delete_record, instance, self.request.user)

    def create_record(self, data: dict, user: Any) -> Any:
        raise NotImplementedError

    def update_record(self, instance: Any, data: dict, user: Any) -> Any:
        raise NotImplementedError

    def delete_record(self, instance: Any, user: Any) -> None:
        raise NotImplementedError


class HouseholdViewSet(RegistryViewSet):
    """Registered households in the caller's area; create one with its members."""

    scoped_model = Household
    filterset_class = HouseholdFilter

    def get_serializer_class(self) -> type:
        return HouseholdCreateSerializer if self.action == "create" else HouseholdSerializer

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        # Correlated subqueries, not Count() with GROUP BY: they run for the page's rows only and
        # the paginator's COUNT(*) leaves them out (1 M persons: 2 s → milliseconds).
        return with_head_and_size(queryset, id_number=True)

    def create_record(self, data: dict, user: Any) -> Household:
        members = data.pop("members")
        return services.create_household(data, members, acting_user=user)

    def update_record(self, instance: Household, data: dict, user: Any) -> dict:
        return services.update_household(instance, data, acting_user=user)

    def delete_record(self, instance: Household, user: Any) -> None:
        services.delete_household(instance, acting_user=user)

    @extend_schema(responses=HistorySerializer)
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The household's dated status changes and every audit entry about it and its members."""
        household = self.get_object()
        changes = StatusChange.objects.visible_to(request.user).filter(household=household)
        entries = AuditEntry.objects.visible_to(request.user).filter(household=household)
        data = {
            "status_changes": changes.select_related("actor"),
            "audit": entries.select_related("actor"),
        }
        return Response(HistorySerializer(data).data)


class PersonViewSet(RegistryViewSet):
    """Household members. ID numbers are masked here; see `reveal` and `search-by-id`."""

    scoped_model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("household")

    def create_record(self, data: dict, user: Any) -> Person:
        household = data.pop("household")
        return services.add_person(household, data, acting_user=user)

    def update_record(self, instance: Person, data: dict, user: Any) -> dict:
        return services.update_person(instance, data, acting_user=user)

    def delete_record(self, instance: Person, user: Any) -> None:
        services.delete_person(instance, acting_user=user)

    @extend_schema(request=IdNumberSerializer, responses=PersonSerializer(many=True))
    @action(
        detail=False,
        methods=["post"],
        url_path="search-by-id",
        permission_classes=[permissions.IsAuthenticated],
        filterset_class=None,
        pagination_class=None,
    )
    def search_by_id(self, request: Request) -> Response:
        """Persons with this ID number in the caller's area (the number travels in the body)."""
        query = IdNumberSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        found = services.search_by_id_number(
            query.validated_data["id_number"], acting_user=request.user
        )
        return Response(PersonSerializer(found, many=True, context={"request": request}).data)

    @extend_schema(request=RevealRequestSerializer, responses=RevealSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The full ID number of one person; recorded in the audit trail."""
        person = self.get_object()
        body = RevealRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            number = services.reveal_id_number(
                person, acting_user=request.user, reason=body.validated_data["reason"]
            )
        except services.RevealLimitReached as limit:
            raise Throttled(detail=str(limit.args[0])) from limit
        return Response({"id": person.pk, "name": person.name, "id_number": number})


class IncomeViewSet(RegistryViewSet):
    """Yearly household incomes; transfer, net and per-capita income are derived."""

    scoped_model = Income
    serializer_class = IncomeSerializer
    filterset_class = IncomeFilter

    def create_record(self, data: dict, user: Any) -> Income:
        household, year = data.pop("household"), data.pop("year")
        return services.save_income(household, year, data, acting_user=user)

    def update_record(self, instance: Income, data: dict, user: Any) -> Income:
        data.pop("year", None)
        return services.save_income(instance.household, instance.year, data, acting_user=user)

    def delete_record(self, instance: Income, user: Any) -> None:
        services.delete_income(instance, acting_user=user)


class HelperViewSet(RegistryViewSet):
    """Helpers (帮扶责任人) assigned to households."""

    scoped_model = Helper
    serializer_class = HelperSerializer
    filterset_class = HelperFilter

    def create_record(self, data: dict, user: Any) -> Helper:
        return services.add_helper(data.pop("household"), data, acting_user=user)

    def update_record(self, instance: Helper, data: dict, user: Any) -> dict:
        return services.update_helper(instance, data, acting_user=user)

    def delete_record(self, instance: Helper, user: Any) -> None:
        services.delete_helper(instance, acting_user=user)


class MeasureViewSet(RegistryViewSet):
    """Assistance measures (帮扶措施) households received."""

    scoped_model = Measure
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter

    def create_record(self, data: dict, user: Any) -> Measure:
        return services.add_measure(data.pop("household"), data, acting_user=user)

    def update_record(self, instance: Measure, data: dict, user: Any) -> dict:
        return services.update_measure(instance, data, acting_user=user)

    def delete_record(self, instance: Measure, user: Any) -> None:
        services.delete_measure(instance, acting_user=user)
