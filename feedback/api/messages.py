"""The customer's inbox (messages from the bank) and the bank's education articles.

Thin views: validate, one selector or service call, render; the one error format; documented with
``core.api_docs.api_operation`` (tag "Messages"); lists page with ``core.pagination`` (keyset cursors).
Own data only: an inbox item of another customer is a 404, exactly like an unknown id."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Customer
from core.api_docs import api_operation
from core.fields import ApiDateTimeField
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer
from feedback import selectors_messages as selectors
from feedback.api import examples_messages as ex
from feedback.models_messages import Article, Message, MessageDelivery
from feedback.services.messages import InboxItemNotFound, inbox_mark_read

__all__ = ["ArticleListApi", "InboxItemApi", "InboxListApi", "InboxReadApi", "InboxUnreadCountApi"]

TAG = "Messages"
PAGE_ERRORS = ["invalid_cursor", "invalid_page_size", "invalid_request", "throttled"]


def _customer(request: Request) -> Customer:
    user = request.user
    assert isinstance(user, Customer)
    return user


def _language(request: Request) -> str:
    return getattr(request, "LANGUAGE_CODE", "") or ""


def _item_body(item: MessageDelivery, language: str) -> dict[str, Any]:
    message: Message = item.message
    english = language.startswith("en")
    return {
        "id": item.public_id,
        "kind": message.kind,
        "title": message.title_en if english else message.title_zh,
        "body": message.body_en if english else message.body_zh,
        "article_id": message.article.public_id if message.article is not None else None,
        "delivered_at": item.created_at,
        "read_at": item.read_at,
    }


@extend_schema_serializer(component_name="InboxItem")
class InboxItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=Message.Kind.choices, help_text="MARKETING, SERVICE or SECURITY.")
    title = serializers.CharField(help_text="In the request's language (`Accept-Language`: zh-hans or en).")
    body = serializers.CharField()
    article_id = serializers.UUIDField(allow_null=True, help_text="A linked article (`GET /api/v1/articles`).")
    delivered_at = ApiDateTimeField()
    read_at = ApiDateTimeField(allow_null=True, help_text="Null while unread.")


class InboxListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False, default=False)

    @api_operation(
        "inbox_list",
        tag=TAG,
        summary="My inbox",
        description=(
            "Messages the bank sent me, newest first: SECURITY and SERVICE notices (always delivered) and "
            "MARKETING messages (only while I consent to marketing, `PUT /api/v1/me/consents/MARKETING`). "
            "`unread=true` lists only unread ones. Title and body in the request's language. Pages by `cursor`."
        ),
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread messages (default false)."),
        ],
        response=page_serializer("InboxPage", InboxItemSerializer(many=True)),
        response_example=ex.INBOX_PAGE,
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        token, size = page_params(request)
        page = selectors.inbox_page_for_customer(
            customer=_customer(request), unread_only=filters.validated_data["unread"], token=token, size=size
        )
        language = _language(request)
        results = InboxItemSerializer([_item_body(i, language) for i in page.items], many=True).data
        return Response(page_body(request, results, page))


class InboxUnreadCountApi(APIView):
    @extend_schema_serializer(component_name="InboxUnreadCount")
    class OutputSerializer(serializers.Serializer):
        unread = serializers.IntegerField(help_text="Messages in my inbox not read yet (the app's badge).")

    @api_operation(
        "inbox_unread_count",
        tag=TAG,
        summary="How many of my messages are unread",
        response=OutputSerializer,
        response_example=ex.UNREAD,
        errors=["throttled"],
    )
    def get(self, request: Request) -> Response:
        return Response(
            self.OutputSerializer({"unread": selectors.inbox_unread_count(customer=_customer(request))}).data
        )


class InboxItemApi(APIView):
    @api_operation(
        "inbox_item",
        tag=TAG,
        summary="One message of my inbox",
        description="Reading it does not mark it read (`POST .../read` does). Another customer's id: 404.",
        response=InboxItemSerializer,
        response_example=ex.ITEM,
        errors=["not_found", "throttled"],
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        item = selectors.inbox_item_get(customer=_customer(request), item_id=public_id)
        if item is None:
            raise InboxItemNotFound()
        return Response(InboxItemSerializer(_item_body(item, _language(request))).data)


class InboxReadApi(APIView):
    @api_operation(
        "inbox_item_read",
        tag=TAG,
        summary="Mark a message read",
        description=(
            "Marks one of my messages read (no body). Marking it again answers the same `read_at`. "
            "Another customer's id, or an unknown one: 404 `not_found`, nothing changes."
        ),
        response=InboxItemSerializer,
        response_example=ex.ITEM_READ,
        errors=["not_found", "throttled"],
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        item = inbox_mark_read(customer=_customer(request), item_id=public_id)
        return Response(InboxItemSerializer(_item_body(item, _language(request))).data)


class ArticleListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Article.Kind.choices, required=False)

    @extend_schema_serializer(component_name="Article")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(source="public_id")
        slug = serializers.CharField()
        kind = serializers.ChoiceField(choices=Article.Kind.choices)
        title = serializers.CharField(help_text="In the request's language (zh-hans or en).")
        body = serializers.CharField(help_text="Plain text with line breaks.")
        published_at = ApiDateTimeField()

    @api_operation(
        "articles_list",
        tag=TAG,
        summary="Tutorials and security tips",
        description=(
            "The bank's published articles, newest first: how-to tutorials (TUTORIAL) and security tips "
            "(SECURITY_TIP: never share a one-time code, recognising fraud...). `kind` filters. Each was approved "
            "by a second member of staff before publication. Title and body in the request's language."
        ),
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Article.Kind.values, description="Only this kind."),
        ],
        response=page_serializer("ArticlePage", OutputSerializer(many=True)),
        response_example=ex.ARTICLES_PAGE,
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        token, size = page_params(request)
        page = selectors.articles_page(kind=filters.validated_data.get("kind"), token=token, size=size)
        language = _language(request)
        results = self.OutputSerializer(
            [
                {
                    "public_id": a.public_id,
                    "slug": a.slug,
                    "kind": a.kind,
                    "title": a.title_for(language),
                    "body": a.body_for(language),
                    "published_at": a.published_at,
                }
                for a in page.items
            ],
            many=True,
        ).data
        return Response(page_body(request, results, page))
