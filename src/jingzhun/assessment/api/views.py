"""Assessment API: stored runs and their reports (verdicts, blockers, village readiness, county
projection), read-only, for other departments' systems and BI tools.

Scoped like the report pages (views_reports.py): a run is looked up with
`AssessmentRun.objects.readable_by(user)` — the runs of the caller's area plus the FINISHED runs
of an area above it — so another area's run answers 404, and every figure comes from the
`reports` functions, which read verdicts and results through their own `visible_to`: a
township or village user reading a county run gets their own rows only. The report actions of a
run that has not finished answer 409.

POST starts a run exactly as the page's form does (views.run_start): the same form (`RunForm`:
the standards shipped, the engines installed, the areas the user sees), `services.create_run`
(scope, poverty line, audit) and the background task queued once the request has committed.
Stopping, cancelling and deleting runs stay on the pages and the CLI."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhun import masking
from jingzhun.areas.models import Area
from jingzhun.registry.models import Household
from jingzhun.registry.queries import with_head_and_size
from jingzhun.standards import StandardError

from .. import reports, tasks
from ..choices import Level, Status
from ..filters import RunFilter
from ..forms import RunForm
from ..models import AssessmentRun, Verdict
from ..services import create_run, default_engine, default_standard_id
from .serializers import (
    AreaQuerySerializer,
    BlockersReportSerializer,
    CountyProjectionSerializer,
    RunDetailSerializer,
    RunSerializer,
    RunStartSerializer,
    VerdictQuerySerializer,
    VerdictSerializer,
    VillageQuerySerializer,
    VillageReadinessSerializer,
)


class RunNotFinished(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("该评估尚未完成，暂无结果")
    default_code = "not_finished"


NOT_FINISHED = OpenApiResponse(description="The run has not finished (queued, running, failed…)")


def with_area_names(runs: list[AssessmentRun]) -> list[AssessmentRun]:
    """Set `area_name` on each run (one query for all)."""
    names = reports.area_names({run.area_code for run in runs})
    for run in runs:
        run.area_name = names.get(run.area_code, "")
    return runs


def form_errors(form: RunForm) -> dict[str, list[str]]:
    """A form's errors in DRF's {field: [messages]} shape."""
    return {
        ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


class AssessmentRunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Assessment runs readable by the caller, newest first: those of the caller's area, and
    the finished runs of an area above it (`partial`: the figures of their reports are the
    caller's share, their whole-run `counts` are withheld)."""

    # Not a ScopedQuerysetMixin viewset on purpose: runs are read through `readable_by` exactly
    # as the report pages read them; the verdicts and results under a run are then read
    # through `visible_to` by the reports. Nothing here writes.

    filterset_class = RunFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[AssessmentRun]:
        return AssessmentRun.objects.readable_by(self.request.user).order_by("-started", "-id")

    def get_serializer_class(self) -> type:
        return RunDetailSerializer if self.action == "retrieve" else RunSerializer

    def paginate_queryset(self, queryset: Any) -> list | None:
        page = super().paginate_queryset(queryset)
        if self.action == "list" and page is not None:
            return with_area_names(page)
        return page

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        run = with_area_names([self.get_object()])[0]
        return Response(self.get_serializer(run).data)

    @extend_schema(
        request=RunStartSerializer,
        responses={
            201: RunSerializer,
            400: OpenApiResponse(description="Refused ({field: [messages]}); nothing written"),
            403: OpenApiResponse(description="The caller's role may not start runs"),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a run in the background (status `queued`; poll the run for its status), as
        the page does: county, township and village staff who may edit, within their area
        (`area` blank: their whole area). Refusals write nothing: 403 for a role that may not
        start runs, 400 for an area outside the caller's, a year without a poverty line, a
        standard or engine not available."""
        if not request.user.can_edit():
            raise PermissionDenied(gettext("您没有发起评估的权限"))
        body = RunStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        form = RunForm(
            {
                "standard": data.get("standard") or default_standard_id(),
                "year": data.get("year"),
                "area": data["area"],
            },
            user=request.user,
        )
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        chosen = form.cleaned_data
        try:
            with transaction.atomic():
                run = create_run(
                    standard_id=chosen["standard"],
                    year=chosen["year"],
                    # Not given: the deployment's engine.
                    engine=data.get("engine") or default_engine(),
                    area_code=chosen["area"],
                    acting_user=request.user,
                )
                transaction.on_commit(lambda: tasks.assess.enqueue(run.pk))
        except (StandardError, FileNotFoundError, ValueError, Area.DoesNotExist) as error:
            raise ValidationError({"non_field_errors": [str(error)]}) from error
        except PermissionDenied as error:
            raise ValidationError({"area": [str(error)]}) from error
        run = with_area_names([run])[0]
        serializer = RunSerializer(run, context=self.get_serializer_context())
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    # ------------------------------------------------------------ helpers of the reports

    def finished_run(self) -> AssessmentRun:
        run = self.get_object()
        if run.status != Status.FINISHED:
            raise RunNotFinished
        return run

    def query(self, serializer_class: type, run: AssessmentRun) -> dict[str, Any]:
        # A plain dict, not the QueryDict: DRF reads a missing boolean of form data as False.
        params = self.request.query_params.dict()
        query = serializer_class(data=params, context={"run": run})
        query.is_valid(raise_exception=True)
        return query.validated_data

    # ------------------------------------------------------------ verdicts

    @extend_schema(
        parameters=[VerdictQuerySerializer],
        responses={200: VerdictSerializer(many=True), 409: NOT_FINISHED},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def verdicts(self, request: Request, pk: str | None = None) -> Response:
        """The run's verdicts of one level (household, village or county) within the caller's
        area, ordered by entity, a page at a time: each with every indicator's value, threshold
        and verdict, and `reasons`, the sentences of its unmet indicators. `poor=true` limits
        them to the population of the blockers (households still poor, poor villages not yet
        exited), so `?poor=true&indicator=income` counts what the blockers report counts."""
        run = self.finished_run()
        query = self.query(VerdictQuerySerializer, run)
        level, area = query["level"], query["area"]
        if query["poor"] and level == Level.HOUSEHOLD:
            queryset = reports.poor_households(run, request.user, area)
        elif query["poor"]:
            queryset = reports.open_poor_villages(run, request.user, area)
        else:
            queryset = reports.verdicts(run, request.user, level, area)
        if query["indicator"]:
            queryset = reports.filter_unmet(
                queryset, query["indicator"], met=False, only=query["only"]
            )
        if query["met"] is not None:
            queryset = queryset.filter(met=query["met"])
        page = self.paginate_queryset(queryset.order_by("entity"))
        rows = verdict_rows(run, request.user, level, page or [])
        return self.get_paginated_response(VerdictSerializer(rows, many=True).data)

    # ------------------------------------------------------------ blockers

    @extend_schema(
        parameters=[AreaQuerySerializer],
        responses={200: BlockersReportSerializer, 409: NOT_FINISHED},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def blockers(self, request: Request, pk: str | None = None) -> Response:
        """The blockers page's figures: per indicator how many poor households (and poor
        villages not yet exited) fail it and for how many it is the only one, for the report's
        area (`area`, default the narrower of the run's root and the caller's area), and the
        same per area one level down."""
        run = self.finished_run()
        area = self.query(AreaQuerySerializer, run)["area"]
        breakdown = reports.blockers_by_area(run, request.user, Level.HOUSEHOLD, area)
        base = breakdown.base.code if breakdown.base else ""
        data = {
            "area": base,
            "area_name": breakdown.base.name if breakdown.base else "",
            "household": reports.blockers(run, request.user, Level.HOUSEHOLD, base),
            "village": reports.blockers(run, request.user, Level.VILLAGE, base),
            "household_by_area": breakdown.rows,
            "village_by_area": reports.blockers_by_area(
                run, request.user, Level.VILLAGE, area
            ).rows,
        }
        return Response(BlockersReportSerializer(data).data)

    # ------------------------------------------------------------ villages

    @extend_schema(
        parameters=[VillageQuerySerializer],
        responses={200: VillageReadinessSerializer(many=True), 409: NOT_FINISHED},
    )
    @action(detail=True, methods=["get"], url_path="village-readiness", filterset_class=None)
    def village_readiness(self, request: Request, pk: str | None = None) -> Response:
        """The villages of the run within the caller's area, poor villages first: poor or not,
        the run's verdict (`ready`), the class in the run's year, each village indicator's
        value, threshold, verdict and sentence, and what is missing."""
        run = self.finished_run()
        query = self.query(VillageQuerySerializer, run)
        queryset = reports.villages(
            run,
            request.user,
            area=query["area"],
            klass=query.get("klass", ""),
            indicator=query["indicator"],
            met=False,
            only=query["only"],
            poor_only=query["poor"],
        )
        page = self.paginate_queryset(queryset)
        rows = reports.village_rows(run, request.user, page or [], area=query["area"])
        for row in rows:
            for cell in row["cells"]:
                cell["threshold"] = run.threshold_of(Level.VILLAGE, cell["indicator"].id)
        return self.get_paginated_response(VillageReadinessSerializer(rows, many=True).data)

    # ------------------------------------------------------------ counties

    @extend_schema(responses={200: CountyProjectionSerializer(many=True), 409: NOT_FINISHED})
    @action(
        detail=True,
        methods=["get"],
        url_path="county-projection",
        filterset_class=None,
        pagination_class=None,
    )
    def county_projection(self, request: Request, pk: str | None = None) -> Response:
        """Per county of the run within the caller's area: poor villages exited, planned this
        year, required for the 90 % ratio and the gap, the ready-but-unplanned villages that
        could close it, and the county's indicators now and as if the exit candidates and the
        ready villages exited."""
        run = self.finished_run()
        counties = reports.county_projection(run, request.user)
        return Response(CountyProjectionSerializer(counties, many=True).data)


def verdict_rows(
    run: AssessmentRun, user: Any, level: str, page: list[Verdict]
) -> list[dict[str, Any]]:
    """One page of verdicts with their indicator cells (`reports.cells_of`: the stored values,
    the run's thresholds, the sentences of the unmet ones), the area's name and, for households,
    the number and the head's masked name. Three queries whatever the page's size."""
    if not page:
        return []
    entities = [verdict.entity for verdict in page]
    said: dict[str, dict[str, str]] = defaultdict(dict)
    for entity, indicator, sentence in (
        reports.results(run, user, level)
        .filter(entity__in=entities)
        .values_list("entity", "indicator", reports.explanation_field())
    ):
        said[entity][indicator] = sentence
    names = reports.area_names({verdict.area_code for verdict in page})
    households: dict[int, tuple[str, str]] = {}
    if level == Level.HOUSEHOLD:
        ids = [verdict.household_id for verdict in page if verdict.household_id]
        households = {
            pk: (number, masking.mask_name(head))
            for pk, number, head in with_head_and_size(
                Household.objects.filter(pk__in=ids)
            ).values_list("pk", "number", "head_name")
        }
    labels = {info.id: str(info.label) for info in reports.indicators_of(run, level)}
    rows = []
    for verdict in page:
        cells = reports.cells_of(
            run, level, verdict.indicator_values, verdict.unmet, said[verdict.entity]
        )
        number, head = households.get(verdict.household_id, (None, ""))
        rows.append(
            {
                "id": verdict.pk,
                "level": verdict.level,
                "entity": verdict.entity,
                "area": verdict.area_code,
                "area_name": names.get(verdict.area_code, ""),
                "household": verdict.household_id,
                "household_number": number,
                "head_name": head,
                "met": verdict.met,
                "unmet": verdict.unmet_ids,
                "reasons": [said[verdict.entity].get(i, "") for i in verdict.unmet_ids],
                "indicators": [
                    {
                        "indicator": indicator,
                        "label": labels.get(indicator, indicator),
                        "value": value,
                        "threshold": threshold,
                        "met": met,
                        "sentence": sentence,
                    }
                    for indicator, (value, threshold, met, sentence) in cells.items()
                ],
            }
        )
    return rows
