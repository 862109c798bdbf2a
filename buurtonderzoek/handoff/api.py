"""Private API for police systems: the inbox, the structured report (JSON, schema 1.x), the PDF and
the police's workflow steps. Same rules as the pages: police of the receiving unit see witness contact
details where the witness consented (and every such read is logged); coordinators see the report
without them; volunteers and outsiders get 403 and 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.core.api import TITLES, ProblemSerializer
from buurtonderzoek.core.dbrouter import reads_from_replica
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.access import Viewer, get_report_for_user, log_pdf_read, read_document, read_supplement
from buurtonderzoek.handoff.document import json_schema
from buurtonderzoek.handoff.models import PoliceReport, ReportStatus
from buurtonderzoek.handoff.serializers import (
    FeedbackSerializer,
    OutcomeSerializer,
    ReportSummarySerializer,
    TransitionSerializer,
)

ERRORS = {
    400: OpenApiResponse(ProblemSerializer, description="Ongeldige invoer of een stap die de workflow niet toestaat."),
    401: OpenApiResponse(
        ProblemSerializer,
        description="De API-sleutel is onbekend, verlopen of ingetrokken, of hoort niet meer bij de politie.",
    ),
    403: OpenApiResponse(
        ProblemSerializer, description="Niet ingelogd, geen tweestapsverificatie, of niet voor uw rol."
    ),
    404: OpenApiResponse(ProblemSerializer, description="Bestaat niet, of is niet zichtbaar voor u."),
}
DOCUMENT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Het verslag volgens het JSON-schema van /api/v1/report-schema/ (versie 1.x); "
    "contactgegevens van getuigen alleen voor de politie en alleen met toestemming.",
)


def _problem(exc: ValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError({"detail": " ".join(exc.messages)})


@extend_schema_view(
    list=extend_schema(
        summary="Inbox: verslagen voor uw politie-eenheid (of van uw team)",
        parameters=[OpenApiParameter("status", str, enum=ReportStatus.values, description="Alleen deze status.")],
        responses={200: ReportSummarySerializer(many=True), 401: ERRORS[401], 403: ERRORS[403]},
    ),
    retrieve=extend_schema(summary="Eén verslag als gestructureerd document", responses={200: DOCUMENT, **ERRORS}),
)
class ReportViewSet(viewsets.ReadOnlyModelViewSet[PoliceReport]):
    serializer_class = ReportSummarySerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, maybe no database
            return PoliceReport.objects.none()
        user = self.request.user
        police = user.is_superuser or Membership.objects.filter(user=user.pk, role=Role.POLICE).exists()
        reports = PoliceReport.objects.inbox(user) if police else PoliceReport.objects.visible_to(user)
        wanted = self.request.query_params.get("status", "")
        if wanted in ReportStatus.values:
            reports = reports.filter(status=wanted)
        return (
            reports.annotate(new_supplements=Count("supplements", filter=Q(supplements__received_at__isnull=True)))
            .select_related("incident__team__gemeente", "unit")
            .defer("document", "witness_sources")
            .order_by("-submitted_at", "-id")
        )

    @reads_from_replica
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, pk: str = "", **kwargs: Any) -> Response:
        report, role = get_report_for_user(request.user, int(pk), need=(Viewer.POLICE, Viewer.COORDINATOR))
        return Response(read_document(request.user, report, role, channel="API", request=request))

    @extend_schema(
        summary="Het verslag als pdf",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            409: ERRORS[400],
            401: ERRORS[401],
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    @action(detail=True, methods=["get"], url_path="pdf")
    def pdf(self, request: Request, pk: str = "") -> Any:
        report, role = get_report_for_user(request.user, int(pk), need=(Viewer.POLICE, Viewer.COORDINATOR))
        file = actions.report_pdf_file(report, police=role == Viewer.POLICE)
        if file is None:
            return Response(
                {
                    "type": "about:blank",
                    "status": 409,
                    "title": str(TITLES[409]),
                    "detail": _("De pdf wordt nog gemaakt (%(progress)d%%). Probeer het zo opnieuw.")
                    % {"progress": report.pdf_progress},
                    "progress": report.pdf_progress,
                },
                status=409,
                content_type="application/problem+json",
            )
        log_pdf_read(request.user, report, role, channel="API", request=request)
        response = FileResponse(file.open("rb"), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="verslag-{report.number}.pdf"'
        return response

    @extend_schema(
        summary="Een aanvulling (nagekomen bezoeken) als gestructureerd document",
        description="Zelfde schema als het verslag, met een blok `supplement` dat het oorspronkelijke verslag noemt.",
        parameters=[OpenApiParameter("number", int, OpenApiParameter.PATH, description="Volgnummer: 1, 2, ...")],
        responses={200: DOCUMENT, **ERRORS},
    )
    @action(detail=True, methods=["get"], url_path=r"supplements/(?P<number>\d+)")
    def supplement(self, request: Request, pk: str = "", number: str = "") -> Response:
        report, role = get_report_for_user(request.user, int(pk), need=(Viewer.POLICE, Viewer.COORDINATOR))
        supplement = report.supplements.filter(number=int(number)).first()
        if supplement is None:
            raise exceptions.NotFound(_("Aanvulling niet gevonden."))
        supplement.report = report
        return Response(read_supplement(request.user, supplement, role, channel="API", request=request))

    @extend_schema(
        summary="Status wijzigen (politie)",
        request=TransitionSerializer,
        responses={200: ReportSummarySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str = "") -> Response:
        report, _role = get_report_for_user(request.user, int(pk), need=(Viewer.POLICE,))
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            actions.transition_report(
                report, to=data.validated_data["status"], by=request.user, note=data.validated_data["note"]
            )
        except ValidationError as exc:
            raise _problem(exc) from exc
        return Response(ReportSummarySerializer(report).data)

    @extend_schema(
        summary="Terugkoppeling aan het team (politie)",
        request=FeedbackSerializer,
        responses={201: FeedbackSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request: Request, pk: str = "") -> Response:
        report, _role = get_report_for_user(request.user, int(pk), need=(Viewer.POLICE,))
        data = FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            feedback = actions.add_feedback(report, by=request.user, text=data.validated_data["text"])
        except ValidationError as exc:
            raise _problem(exc) from exc
        return Response({"text": feedback.text}, status=201)

    @extend_schema(
        summary="Uitkomst vastleggen (politie)",
        request=OutcomeSerializer,
        responses={200: ReportSummarySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str = "") -> Response:
        report, _role = get_report_for_user(request.user, int(pk), need=(Viewer.POLICE,))
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            actions.set_outcome(
                report,
                by=request.user,
                outcome=data.validated_data["outcome"],
                note=data.validated_data["note"],
                usefulness=data.validated_data["usefulness"],
                helpful_parts=data.validated_data["helpful_parts"],
            )
        except ValidationError as exc:
            raise _problem(exc) from exc
        return Response(ReportSummarySerializer(report).data)


@extend_schema(
    summary="JSON-schema van het verslag (versie 1.x)",
    auth=[],
    responses={(200, "application/schema+json"): OpenApiTypes.OBJECT},
)
@api_view(["GET"])
@permission_classes([AllowAny])
def report_schema(request: Request) -> Response:
    return Response(json_schema())


@extend_schema(
    summary="Totalen voor de politie: verslagen, snelheid, bruikbaarheid, uitkomsten, uren bespaard",
    description=(
        "Over de verslagen die in de periode bij uw politie-eenheden binnenkwamen, in totaal, per eenheid en per "
        "team. Zonder `van` en `tot` het lopende kwartaal. Uren bespaard = bezochte deuren x `minutes_per_door`. "
        "Tijden in uren, gerekend vanaf het einde van de tijdsperiode van het incident. Geen persoonsgegevens."
    ),
    parameters=[
        OpenApiParameter("van", OpenApiTypes.DATE, description="Eerste dag (JJJJ-MM-DD)."),
        OpenApiParameter("tot", OpenApiTypes.DATE, description="Laatste dag, inclusief (JJJJ-MM-DD)."),
    ],
    responses={200: OpenApiTypes.OBJECT, 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]},
)
@api_view(["GET"])
@reads_from_replica
def police_totals(request: Request) -> Response:
    from django.utils import timezone

    from buurtonderzoek.dashboards.police import parse_period
    from buurtonderzoek.dashboards.police import police_totals as totals_for

    user = request.user
    if not (user.is_superuser or Membership.objects.filter(user=user.pk, role=Role.POLICE).exists()):
        raise exceptions.PermissionDenied(_("Deze gegevens zijn alleen voor de politie."))
    period, error = parse_period(request.query_params, timezone.localdate())
    if error:
        raise exceptions.ValidationError({"detail": error})
    return Response(totals_for(user, period).as_dict())
