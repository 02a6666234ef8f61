from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "项目调度"

    def ready(self) -> None:
        from . import security  # noqa: F401 — registers the deployment checks
