"""The base viewsets of the resource endpoints: ResourceViewSet (reads through projects.access,
writes checked after the save, in one transaction), VersionedViewSet (ETag, If-Match, stale
versions refused) and WithHistory (GET …/<id>/history/)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.http import parse_etags, quote_etag
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from projects import access, rules
from projects.models import (
    StaleVersion,
)

from .. import filters
from ..exceptions import PreconditionFailed
from ..history import NEWEST_FIRST, HistoryEntrySerializer, history_entries, record_before
from ..permissions import ZoneRolePermission

# ---------------------------------------------------------------------------------------------
# The base


class ResourceViewSet(viewsets.ModelViewSet):
    """Reads through access.readable, writes checked by access after the save, in one transaction."""

    permission_classes = [ZoneRolePermission]
    filter_backends = [filters.FilterBackend, filters.SearchFilter, filters.OrderingFilter]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        """The queryset with the relations its serializer reads."""
        return queryset

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.action != "history":  # the history reads the row alone
            queryset = self.optimise(queryset)
        return queryset.restrict(self.request.user)

    def perform_create(self, serializer: drf_serializers.BaseSerializer) -> None:
        with transaction.atomic():
            instance = serializer.save()
            access.check_can_edit(self.request.user, instance)

    def perform_update(self, serializer: drf_serializers.BaseSerializer) -> None:
        before = access.zones_of(serializer.instance)
        with transaction.atomic():
            instance = serializer.save()
            access.check_can_edit(self.request.user, instance, before=before)

    def perform_destroy(self, instance: Model) -> None:
        with transaction.atomic():
            access.check_can_delete(self.request.user, instance)
            # Figures of a locked month, the row's own or its cascade's: 409 locked_month, for
            # superusers too (the lock is the record's, not the role's).
            rules.check_deletable([instance])
            instance.delete()


def version_etag(version: int) -> str:
    """The strong ETag of a version: `"3"`."""
    return quote_etag(str(version))


def if_match_passes(header: str | None, version: int) -> bool:
    """If-Match (RFC 9110, strong comparison): absent, `*`, or naming the current version."""
    if header is None:
        return True
    etags = parse_etags(header)
    return etags == ["*"] or version_etag(version) in etags


class VersionedViewSet(ResourceViewSet):
    """A resource of Versioned records: ETag on the answers about one record, If-Match honoured
    by PUT, PATCH and DELETE, a stale `version` or a lost race refused (409)."""

    def get_object(self) -> Model:
        instance = super().get_object()
        if self.request.method not in SAFE_METHODS and not if_match_passes(
            self.request.headers.get("If-Match"), instance.version
        ):
            raise PreconditionFailed()
        return instance

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if (
            self.action in ("retrieve", "create", "update", "partial_update")
            and response.status_code in (200, 201)
            and isinstance(data, dict)
            and "version" in data
        ):
            response["ETag"] = version_etag(data["version"])
        return response

    def perform_destroy(self, instance: Model) -> None:
        with transaction.atomic():
            # The row is locked until the delete: a save since our read makes this one stale.
            current = (
                type(instance)
                ._base_manager.select_for_update()
                .filter(pk=instance.pk)
                .order_by()  # no join for the model's ordering: PostgreSQL locks no outer join
                .values_list("version", flat=True)
            )
            if list(current) != [instance.version]:
                raise StaleVersion(instance)
            super().perform_destroy(instance)


class WithHistory(viewsets.GenericViewSet):
    """GET …/<id>/history/: the record's changes, newest first, paginated."""

    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        instance = self.get_object()
        records = instance.history.select_related("history_user").order_by(*NEWEST_FIRST)
        page = self.paginate_queryset(records)
        older = record_before(instance.history.all(), page[-1]) if page else None
        entries = history_entries(page, older)
        return self.get_paginated_response(HistoryEntrySerializer(entries, many=True).data)
