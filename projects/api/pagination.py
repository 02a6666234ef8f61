from django.conf import settings
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=100`; the page size is bounded by settings.API_MAX_PAGE_SIZE."""

    page_size_query_param = "page_size"
    page_size_query_description = "每页条数 / Number of results per page (1-200)"
    page_query_description = "页码 / Page number"

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        descriptions = {
            "count": "总条数 / Total number of results",
            "next": "下一页链接 / Link to the next page",
            "previous": "上一页链接 / Link to the previous page",
            "results": "本页结果 / Results of this page",
        }
        for name, description in descriptions.items():
            paginated["properties"][name]["description"] = description
        return paginated
