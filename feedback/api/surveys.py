"""Customer API of surveys: my pending invitations, and answering one (once)."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Customer
from core.api_docs import api_operation
from core.fields import ApiDateTimeField, StrictCharField
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer
from core.throttling import FailOpenUserRateThrottle, GuardedScopedRateThrottle
from core.validators import reject_card_numbers
from feedback import selectors_surveys as selectors
from feedback.api import examples_tickets as ex
from feedback.errors_tickets import FeedbackNotFound
from feedback.models import SurveyInvitation, SurveyKind, SurveyTrigger
from feedback.services import surveys as services

__all__ = ["SurveyAnswerApi", "SurveyInvitationListApi"]

TAG = "Surveys"


def _customer(request: Request) -> Customer:
    user = request.user
    assert isinstance(user, Customer)
    return user


@extend_schema_serializer(component_name="SurveyInvitation")
class InvitationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.ChoiceField(choices=SurveyKind.choices, help_text="NPS: 0-10; CSAT: 1-5.")
    trigger = serializers.ChoiceField(choices=SurveyTrigger.choices, help_text="Why I am asked.")
    min_score = serializers.SerializerMethodField()
    max_score = serializers.SerializerMethodField()
    created_at = ApiDateTimeField()
    expires_at = ApiDateTimeField()

    def get_min_score(self, obj: SurveyInvitation) -> int:
        return services.SCORE_RANGES[SurveyKind(obj.kind)][0]

    def get_max_score(self, obj: SurveyInvitation) -> int:
        return services.SCORE_RANGES[SurveyKind(obj.kind)][1]


class SurveyInvitationListApi(APIView):
    @api_operation(
        "surveys_invitations",
        tag=TAG,
        summary="My pending surveys",
        description=(
            "Surveys I am invited to and have not answered, newest first: NPS (how likely I am to recommend "
            "the wallet, 0-10) or CSAT (how satisfied I am, 1-5). The bank asks at most once a month."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("SurveyInvitationPage", InvitationSerializer(many=True)),
        response_example=ex.page("surveys/invitations", ex.INVITATION),
        errors=["invalid_cursor", "invalid_page_size", "throttled"],
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = selectors.invitation_page_pending_for_customer(customer=_customer(request), token=token, size=size)
        return Response(page_body(request, InvitationSerializer(page.items, many=True).data, page))


class SurveyAnswerApi(APIView):
    throttle_classes = [FailOpenUserRateThrottle, GuardedScopedRateThrottle]
    throttle_scope = "sensitive"

    @extend_schema_serializer(component_name="SurveyAnswerInput")
    class InputSerializer(serializers.Serializer):
        score = serializers.IntegerField(min_value=0, max_value=10, help_text="NPS 0-10, CSAT 1-5.")
        comment = StrictCharField(max_length=2000, required=False, allow_blank=True, validators=[reject_card_numbers])

    @extend_schema_serializer(component_name="SurveyAnswer")
    class OutputSerializer(serializers.Serializer):
        invitation_id = serializers.UUIDField(source="invitation.public_id")
        kind = serializers.ChoiceField(choices=SurveyKind.choices)
        score = serializers.IntegerField()
        answered_at = ApiDateTimeField(source="created_at")

    @api_operation(
        "surveys_answer",
        tag=TAG,
        summary="Answer a survey",
        description=(
            "Answer one invitation, once: `score` in the invitation's range (`min_score`-`max_score`) and an "
            "optional comment. Refusals: 404 `not_found` (no such invitation of mine), 409 "
            "`survey_already_answered`, 410 `survey_expired`, 400 `invalid_request` (score out of range)."
        ),
        request=InputSerializer,
        request_example=ex.ANSWER_REQUEST,
        response=OutputSerializer,
        response_example=ex.ANSWER,
        status=201,
        errors=[
            "invalid_request",
            "malformed_request",
            "card_number_in_text",
            "not_found",
            "survey_already_answered",
            "survey_expired",
            "throttled",
            "rate_limit_unavailable",
        ],
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        customer = _customer(request)
        if not SurveyInvitation.objects.filter(customer=customer, public_id=public_id).exists():
            raise FeedbackNotFound()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = services.survey_answer(
            customer=customer,
            public_id=public_id,
            score=data.validated_data["score"],
            comment=data.validated_data.get("comment", ""),
        )
        return Response(self.OutputSerializer(response).data, status=status.HTTP_201_CREATED)
