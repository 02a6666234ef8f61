"""The Chinese admin in which staff keep the register (Django autodiscovers this package).

- base.py: the role-aware admin every page below builds on (ZoneRoleAdmin, ZoneRoleInline,
  CitedAdmin), refusal pages, status badges; forms.py, history.py, export.py and paging.py are
  its helpers. None of them imports a module that registers an admin.
- One module per concept for the admins of the register: sources, zones, projects, indicators,
  portfolios, users, report_runs (report schedules and runs), rules (the 校验规则 page).
- One module per workflow, named like its service (projects/<name>.py) and its API module:
  monthly_entry (月报填报, 重新开放填报), imports (Excel导入), text_entry (从文本提取), tokens (API令牌);
  tasks: django-tasks-db's page of background tasks, in Chinese.

Importing them here registers every admin on `admin.site`.
"""

from . import (  # noqa: F401
    imports,
    indicators,
    monthly_entry,
    portfolios,
    projects,
    report_runs,
    rules,
    sources,
    tasks,
    text_entry,
    tokens,
    users,
    zones,
)
