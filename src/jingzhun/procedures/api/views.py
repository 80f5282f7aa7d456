"""Procedures API: batches, procedures (with their steps and objections), objections, and the
operations a field app drives: open a batch, propose, take a step, close, record and resolve an
objection, and "what awaits me".

Reads start at `visible_to(user)` (ScopedQuerysetMixin): another area's record is a 404. Writes
call `procedures.services`, which check role, level, area, the order of steps and the evidence
again: a refusal answers 400 (ValidationError, naming the household and field), 403
(PermissionDenied) or 409 (Conflict: someone else moved the procedure since it was read).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhun.accounts.api.base import CanEditOrReadOnly, ScopedQuerysetMixin, call_service

from .. import queries, services
from ..filters import BatchFilter, ObjectionFilter, ProcedureFilter
from ..models import Batch, Objection, Procedure, StepRecord
from .serializers import (
    AwaitingSerializer,
    BatchCreateSerializer,
    BatchSerializer,
    CloseRequestSerializer,
    ObjectionCreateSerializer,
    ObjectionSerializer,
    OutcomeSerializer,
    ProcedureSerializer,
    ProposeSerializer,
    ResolveSerializer,
    StepRequestSerializer,
)


class ConflictError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("已被他人办理，请刷新")
    default_code = "conflict"


def run(function: Any, *args: Any, **kwargs: Any) -> Any:
    """A procedures service call: ValidationError → 400, PermissionDenied → 403 (DRF), Conflict
    → 409."""
    try:
        return call_service(function, *args, **kwargs)
    except services.Conflict as exc:
        raise ConflictError(str(exc)) from exc


def procedure_queryset(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("household").prefetch_related(
        Prefetch("steps", queryset=StepRecord.objects.select_related("actor").order_by("id")),
        Prefetch(
            "objections", queryset=Objection.objects.select_related("recorded_by", "decided_by")
        ),
    )


def reloaded(user: Any, procedures: list[Procedure]) -> list[Procedure]:
    """The procedures read back (scoped) with their steps, objections and masked heads."""
    rows = {
        p.pk: p
        for p in procedure_queryset(Procedure.objects.visible_to(user)).filter(
            pk__in=[p.pk for p in procedures]
        )
    }
    return queries.with_heads([rows[p.pk] for p in procedures if p.pk in rows])


class BatchViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Batches (a village's list of one kind of procedure for a year; village exits: a
    township's). POST opens the batch (or returns the existing one)."""

    scoped_model = Batch
    filterset_class = BatchFilter
    permission_classes = [CanEditOrReadOnly]
    lookup_value_regex = r"\d+"

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return BatchCreateSerializer
        if self.action == "propose":
            return ProposeSerializer
        return BatchSerializer

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("area").prefetch_related("notices")

    @extend_schema(request=BatchCreateSerializer, responses={201: BatchSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = BatchCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        batch = run(
            services.open_batch, data["kind"], data["area"], data["year"], acting_user=request.user
        )
        batch = self.get_queryset().get(pk=batch.pk)
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProposeSerializer, responses={201: ProcedureSerializer(many=True)})
    @action(detail=True, methods=["post"], filterset_class=None)
    def propose(self, request: Request, pk: str | None = None) -> Response:
        """Add households (villages) to the batch, all or none; each error names its
        household."""
        batch = self.get_object()
        body = ProposeSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        proposals = [
            services.Proposal(
                household=item.get("household"),
                village=item.get("village"),
                reason=item.get("reason", ""),
                evidence=item.get("evidence", {}),
            )
            for item in body.validated_data["proposals"]
        ]
        created = run(services.propose, batch, proposals, acting_user=request.user)
        rows = reloaded(request.user, created)
        return Response(ProcedureSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class ProcedureViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Procedures with their step records and objections. Steps are taken only through
    `step/` (the service refuses any step that is not the next one) and ended through
    `{id}/close/`."""

    scoped_model = Procedure
    serializer_class = ProcedureSerializer
    filterset_class = ProcedureFilter
    permission_classes = [CanEditOrReadOnly]
    lookup_value_regex = r"\d+"

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return procedure_queryset(queryset).order_by("batch_id", "id")

    def paginate_queryset(self, queryset: Any) -> list | None:
        page = super().paginate_queryset(queryset)
        return queries.with_heads(page) if page is not None else None

    def get_object(self) -> Procedure:
        procedure = super().get_object()
        queries.with_heads([procedure])
        return procedure

    @extend_schema(request=StepRequestSerializer, responses=OutcomeSerializer)
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    def step(self, request: Request) -> Response:
        """Take `step` on the procedures (all of one batch) with the evidence, all or none.
        `versions` ({id: version} as read) makes a stale client fail with 409."""
        body = StepRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        ids = list(dict.fromkeys(data["procedures"]))
        procedures = list(self.get_queryset().filter(pk__in=ids))
        if len(procedures) != len(ids):
            raise NotFound
        try:
            versions = {int(k): v for k, v in data.get("versions", {}).items()}
        except ValueError:
            raise ValidationError({"versions": [_("键应为办理程序编号")]}) from None
        order = {pk: i for i, pk in enumerate(ids)}
        procedures.sort(key=lambda p: order[p.pk])
        outcome = run(
            services.take_step,
            procedures,
            data["step"],
            data["evidence"],
            acting_user=request.user,
            versions=versions,
        )
        answer = {
            "taken": reloaded(request.user, outcome.taken),
            "stopped": [{"procedure": p.pk, "reason": why} for p, why in outcome.stopped],
        }
        return Response(OutcomeSerializer(answer).data)

    @extend_schema(request=CloseRequestSerializer, responses=ProcedureSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Reject (by whoever would take the next step) or withdraw (before the notice)."""
        procedure = self.get_object()
        body = CloseRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        run(
            services.close,
            procedure,
            data["outcome"],
            data["reason"],
            acting_user=request.user,
            version=data.get("version"),
        )
        (procedure,) = reloaded(request.user, [procedure])
        return Response(ProcedureSerializer(procedure).data)

    @extend_schema(responses=AwaitingSerializer(many=True))
    @action(detail=False, methods=["get"])
    def awaiting(self, request: Request) -> Response:
        """Open procedures whose next step the caller may take (role, level, area; not a
        checker's step on a procedure the caller acted on), oldest first; `blocked` says why one
        cannot be taken yet (an open objection, a running notice)."""
        today = services.today()
        queryset = queries.awaiting(
            request.user, self.filter_queryset(self.get_queryset()), today
        ).order_by("state_since", "id")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(AwaitingSerializer(page, many=True).data)


class ObjectionViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Objections to listed procedures. POST records one received in person or by phone (the
    public form is on the notice page); `{id}/resolve/` records the finding."""

    scoped_model = Objection
    filterset_class = ObjectionFilter
    permission_classes = [CanEditOrReadOnly]
    lookup_value_regex = r"\d+"

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return ObjectionCreateSerializer
        if self.action == "resolve":
            return ResolveSerializer
        return ObjectionSerializer

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("recorded_by", "decided_by")

    @extend_schema(request=ObjectionCreateSerializer, responses={201: ObjectionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ObjectionCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        objection = run(
            services.record_objection,
            data["procedure"],
            data["text"],
            acting_user=request.user,
            name=data.get("name", ""),
            contact=data.get("contact", ""),
        )
        objection = self.get_queryset().get(pk=objection.pk)
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ResolveSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Upheld: the procedure leaves its batch; dismissed: it continues."""
        objection = self.get_object()
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        run(
            services.resolve_objection,
            objection,
            data["upheld"],
            data["finding"],
            acting_user=request.user,
        )
        objection = self.get_queryset().get(pk=objection.pk)
        return Response(ObjectionSerializer(objection).data)
