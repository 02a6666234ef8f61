"""API令牌 in the admin: a token is made for a user and shown once on the page that answers the
save (not in a message, which would travel in a cookie or the session), listed by its first
characters and expiry, and revoked by deleting it. Only the digest is ever stored
(projects/tokens.py). Superusers only: Django's model permissions on ApiToken, which zone roles
do not give."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from .. import access
from ..models import ApiToken
from ..tokens import api_token_create

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# knox's own admin: in English, and it offers to edit the digest and the expiry.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


class ShownOnce(str):
    """The token on its way to the page: the text itself, with a repr that hides it. Django's
    template engine logs the whole context (at DEBUG) when a variable is missing."""

    def __repr__(self) -> str:
        return "'<API token, shown once>'"


class ApiTokenCreateForm(forms.ModelForm):
    days = forms.IntegerField(label=_("有效天数"), min_value=1)

    class Meta:
        model = ApiToken
        fields = ["user"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        most = settings.API_TOKEN_TTL_DAYS
        self.fields["days"].initial = most
        self.fields["days"].help_text = gettext("至多 {most} 天(API_TOKEN_TTL_DAYS);到期后令牌失效。").format(
            most=most
        )

    def clean_days(self) -> int:
        days = self.cleaned_data["days"]
        if days > settings.API_TOKEN_TTL_DAYS:
            raise forms.ValidationError(
                gettext("有效天数至多为 {most} 天").format(most=settings.API_TOKEN_TTL_DAYS), code="max_value"
            )
        return days


class ExpiredFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "expired"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        return [("no", _("有效")), ("yes", _("已过期"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "yes":
            return queryset.filter(expiry__lte=timezone.now())
        if self.value() == "no":
            return queryset.filter(expiry__gt=timezone.now())
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["holder", "start", "made", "expires", "status"]
    list_select_related = ["user"]
    list_filter = [ExpiredFilter]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
    ordering = ["-created"]
    # knox's fields have no verbose names: shown through methods named in Chinese.
    fields = ["holder", "start", "made", "expires"]
    readonly_fields = ["holder", "start", "made", "expires"]

    @admin.display(description=_("用户"), ordering="user__username")
    def holder(self, token: ApiToken) -> str:
        return str(token.user)

    @admin.display(description=_("创建时间"), ordering="created")
    def made(self, token: ApiToken) -> Any:
        return token.created

    @admin.display(description=_("到期时间"), ordering="expiry")
    def expires(self, token: ApiToken) -> Any:
        return token.expiry

    @admin.display(description=_("令牌开头"))
    def start(self, token: ApiToken) -> str:
        return f"{token.token_key}…"

    @admin.display(description=_("状态"))
    def status(self, token: ApiToken) -> str:
        return gettext("已过期") if token.expired else gettext("有效")

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # a token is made or revoked, never edited

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return ["user", "days"] if obj is None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return [] if obj is None else self.readonly_fields

    def get_form(self, request: HttpRequest, obj: ApiToken | None = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenCreateForm
        return super().get_form(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":  # every user for the superusers this page is for; by the one path
            kwargs["queryset"] = access.restrict(get_user_model().objects.all(), request.user)
            kwargs["label"] = _("用户")  # knox's field has no verbose name
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        token, key = api_token_create(user=form.cleaned_data["user"], days=form.cleaned_data["days"])
        # The admin logs and answers about `obj`: it becomes the row just made.
        for field in ("digest", "token_key", "created", "expiry"):
            setattr(obj, field, getattr(token, field))
        obj._state.adding = False
        request._new_api_token = key  # for response_add only; never stored

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("令牌已创建"),
            # Plain values, not the row (whose repr has the token's first characters).
            "username": obj.user.get_username(),
            "expiry": obj.expiry,
            "key": ShownOnce(request._new_api_token),
        }
        # Not cached anywhere: the admin's views answer with Cache-Control no-store already.
        return TemplateResponse(request, "admin/projects/apitoken/created.html", context)
