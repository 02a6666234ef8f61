from typing import cast

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=100`; the page size is bounded by settings.API_MAX_PAGE_SIZE."""

    page_size_query_param = "page_size"
    # Lazy, rendered in the schema's language: DRF's types say str.
    page_size_query_description = cast(str, _("每页条数"))
    page_query_description = cast(str, _("页码"))

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        descriptions = {
            "count": _("总条数"),
            "next": _("下一页链接"),
            "previous": _("上一页链接"),
            "results": _("本页结果"),
        }
        for name, description in descriptions.items():
            paginated["properties"][name]["description"] = description
        return paginated
