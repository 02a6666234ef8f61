"""Users and their zone roles (superusers only): a user given a role may log in."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import access
from ..models import ZoneMembership


class SuperuserOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    has_add_permission = has_module_permission
    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission


@admin.register(ZoneMembership)
class ZoneMembershipAdmin(SuperuserOnlyAdmin):
    list_display = ["user", "zone", "role"]
    list_filter = ["role", ("zone", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "zone"]
    search_fields = ["user__username", "zone__name"]
    autocomplete_fields = ["user", "zone"]

    def save_model(self, request: HttpRequest, obj: ZoneMembership, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        access.let_into_admin(obj.user)


class ZoneMembershipInline(admin.TabularInline):
    model = ZoneMembership
    fields = ["zone", "role"]
    autocomplete_fields = ["zone"]
    extra = 0
    verbose_name_plural = _("区域权限(编辑:可修改本区域及下级区域的数据;只读:只能查看)")


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
# Groups carry Django's model permissions, which decide nothing in the tracker (zone roles do).
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    """Django's user admin with the user's zone roles; a user given a role may log in."""

    inlines = [*UserAdmin.inlines, ZoneMembershipInline]
    # What a user may do is their zone roles (below) and the superuser flag; Django's groups and
    # model permissions decide nothing here, so the page does not offer them (nor its filter).
    fieldsets = [
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("first_name", "last_name", "email")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    ]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    filter_horizontal = []

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        if not user.is_staff and user.zone_memberships.exists():
            access.let_into_admin(user)
            self.message_user(
                request,
                gettext("已为 {user} 开启“工作人员状态”,以便其按区域权限登录后台。").format(user=user),
            )
