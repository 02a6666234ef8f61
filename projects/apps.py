from typing import Any

from django.apps import AppConfig
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class ProjectsConfig(AppConfig):
    default = True  # the app's config, though TasksDatabaseConfig below is found in this module too
    name = "projects"
    verbose_name = _("项目调度")

    def ready(self) -> None:
        from knox.models import AuthToken

        from . import access, security  # noqa: F401 — security registers the deployment checks
        from .models import ApiToken, RestrictedQuerySet

        RestrictedQuerySet.policy = access.restrict  # the models' restrict(): decided by access
        for model in self.get_models():
            for field in model._meta.local_many_to_many:
                name_link_table(field)
        # knox's model has no verbose name; deleting a user lists its tokens under it.
        AuthToken._meta.verbose_name = ApiToken._meta.verbose_name
        AuthToken._meta.verbose_name_plural = ApiToken._meta.verbose_name_plural


def name_link_table(field: models.ManyToManyField[Any, Any]) -> None:
    """The table Django makes for a many-to-many field (a project's citations, a campaign's zones)
    is named in English ("Project-citation relationship", "Project_citations object (3)"), and the
    admin's delete page lists its rows: name it, and its rows, in Chinese. Names only: nothing in
    the database changes."""
    through = field.remote_field.through
    assert through is not None  # every many-to-many field has its table once the apps are loaded
    if not through._meta.auto_created:
        return
    related = field.related_model
    assert isinstance(related, type)  # a model class once the apps are loaded, never a "app.Model" name
    source, target = field.model._meta, related._meta
    through._meta.verbose_name = format_lazy(
        _("{source}与{target}的关联"), source=source.verbose_name, target=target.verbose_name
    )
    through._meta.verbose_name_plural = through._meta.verbose_name
    source_id, target_id = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"

    def __str__(link: models.Model) -> str:  # the ids only: no query per row on the delete page
        ids = getattr(link, source_id), getattr(link, target_id)
        return f"{source.verbose_name} {ids[0]} — {target.verbose_name} {ids[1]}"

    through.__str__ = __str__  # type: ignore[method-assign,assignment]  # the made-up model's own name


class TasksDatabaseConfig(TasksAppConfig):
    """django-tasks-db (the background tasks' queue, `db_worker`) as the admin shows it: its app
    name is a plain English string there, which no catalogue can translate."""

    verbose_name = _("后台任务")  # type: ignore[assignment]  # its base says str; Django takes a lazy name
