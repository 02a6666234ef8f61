"""Two people editing the same record in the admin: the second save, made on the version both
loaded, is refused with a clear message, and nothing of it is written, its inline rows neither."""

from datetime import date

import pytest
from django.db.models import F
from django.db.models.signals import pre_save
from django.test import Client
from django.urls import reverse

from projects.models import STALE_MESSAGE, Milestone, Project
from tests.factories import MilestoneFactory, ProjectFactory
from tests.test_admin_permissions import change_form_data

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:projects_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def two_editors(django_user_model) -> tuple[Client, Client]:
    clients = []
    for name in ("editor_a", "editor_b"):
        client = Client()
        client.force_login(django_user_model.objects.create_superuser(name, password="pw-for-tests-only"))
        clients.append(client)
    return clients[0], clients[1]


@pytest.fixture
def project() -> Project:
    project = ProjectFactory(name="年产3.7亿平方米光伏玻璃项目", description="原简介")
    MilestoneFactory(project=project, kind="start", note="原备注")
    return project


def milestone_prefix(data: dict, milestone: Milestone) -> str:
    ids = (key for key, value in data.items() if key.endswith("-id") and value == str(milestone.pk))
    return next(ids).removesuffix("-id")


def add_milestone_row(data: dict, **values: str) -> None:
    """A new inline milestone row in the POST data of a project's change form."""
    index = int(data["milestones-TOTAL_FORMS"])
    data["milestones-TOTAL_FORMS"] = str(index + 1)
    data.update({f"milestones-{index}-{name}": value for name, value in values.items()})


def test_the_form_carries_the_version_it_was_loaded_at(two_editors, project):
    Project.objects.filter(pk=project.pk).update(version=7)
    page = two_editors[0].get(change_url(project)).content.decode()
    assert '<input type="hidden" name="loaded_version" value="7"' in page
    milestone = project.milestones.get()
    assert f'name="milestones-0-loaded_version" value="{milestone.version}"' in page


def test_second_save_on_a_stale_version_is_refused_and_writes_nothing(two_editors, project):
    editor_a, editor_b = two_editors
    data_a = change_form_data(editor_a.get(change_url(project)))
    data_b = change_form_data(editor_b.get(change_url(project)))

    data_a["name"] = "甲改的名称"
    assert editor_a.post(change_url(project), data_a).status_code == 302

    milestone = project.milestones.get()
    data_b["description"] = "乙改的简介"
    data_b[f"{milestone_prefix(data_b, milestone)}-note"] = "乙改的备注"
    add_milestone_row(data_b, kind="production", planned_date="2023-06-01", planned_precision="month")
    response = editor_b.post(change_url(project), data_b)

    assert response.status_code == 200
    assert str(STALE_MESSAGE) in response.content.decode()
    assert response.context["adminform"].form.non_field_errors() == [str(STALE_MESSAGE)]
    project.refresh_from_db()
    assert (project.name, project.description, project.version) == ("甲改的名称", "原简介", 2)
    assert list(project.milestones.values_list("kind", "note")) == [("start", "原备注")]


def test_a_stale_inline_row_refuses_the_whole_page(two_editors, project):
    editor_a, editor_b = two_editors
    milestone = project.milestones.get()
    data_b = change_form_data(editor_b.get(change_url(project)))

    data_a = change_form_data(editor_a.get(change_url(milestone)))
    data_a["note"] = "甲在节点页改的备注"
    assert editor_a.post(change_url(milestone), data_a).status_code == 302

    data_b["name"] = "乙改的名称"
    data_b[f"{milestone_prefix(data_b, milestone)}-note"] = "乙改的备注"
    response = editor_b.post(change_url(project), data_b)

    assert response.status_code == 200
    inline_errors = [form.non_field_errors() for form in response.context["inline_admin_formsets"][0].formset]
    assert [str(STALE_MESSAGE)] in inline_errors
    project.refresh_from_db()
    milestone.refresh_from_db()
    assert project.name == "年产3.7亿平方米光伏玻璃项目"
    assert (milestone.note, milestone.version) == ("甲在节点页改的备注", 2)


def test_a_page_showing_old_values_of_a_row_does_not_silently_revert_it(two_editors, project):
    """B changes only the project, but B's page still shows the milestone's old note: saving it
    would put the old note back over A's edit, so the page is refused."""
    editor_a, editor_b = two_editors
    milestone = project.milestones.get()
    data_b = change_form_data(editor_b.get(change_url(project)))

    data_a = change_form_data(editor_a.get(change_url(milestone)))
    data_a["note"] = "甲在节点页改的备注"
    assert editor_a.post(change_url(milestone), data_a).status_code == 302

    data_b["name"] = "乙改的名称"
    response = editor_b.post(change_url(project), data_b)
    assert response.status_code == 200
    assert str(STALE_MESSAGE) in response.content.decode()
    project.refresh_from_db()
    milestone.refresh_from_db()
    assert (project.name, milestone.note) == ("年产3.7亿平方米光伏玻璃项目", "甲在节点页改的备注")


def test_an_inline_row_saved_unchanged_by_someone_else_does_not_block_the_save(two_editors, project):
    editor_a, editor_b = two_editors
    milestone = project.milestones.get()
    data_b = change_form_data(editor_b.get(change_url(project)))

    data_a = change_form_data(editor_a.get(change_url(milestone)))
    assert editor_a.post(change_url(milestone), data_a).status_code == 302  # saved as it was

    data_b["name"] = "乙改的名称"
    assert editor_b.post(change_url(project), data_b).status_code == 302
    project.refresh_from_db()
    milestone.refresh_from_db()
    assert (project.name, project.version) == ("乙改的名称", 2)
    assert (milestone.note, milestone.version) == ("原备注", 2)


def test_reopened_record_saves_on_its_new_version(two_editors, project):
    editor_a, editor_b = two_editors
    data_b = change_form_data(editor_b.get(change_url(project)))
    data_a = change_form_data(editor_a.get(change_url(project)))
    data_a["name"] = "甲改的名称"
    editor_a.post(change_url(project), data_a)
    data_b["description"] = "乙改的简介"
    assert editor_b.post(change_url(project), data_b).status_code == 200

    fresh = change_form_data(editor_b.get(change_url(project)))
    assert fresh["loaded_version"] == "2"
    fresh["description"] = "乙核对后改的简介"
    assert editor_b.post(change_url(project), fresh).status_code == 302
    project.refresh_from_db()
    assert (project.name, project.description, project.version) == ("甲改的名称", "乙核对后改的简介", 3)


def test_a_save_landing_between_the_check_and_the_save_rolls_everything_back(two_editors, project):
    """Another editor's save of the milestone lands after B's form was checked, while B's page
    is being saved: the milestone's own save finds the newer version, and B's project change,
    saved just before it in the same transaction, is undone too."""
    _, editor_b = two_editors
    milestone = project.milestones.get()
    data_b = change_form_data(editor_b.get(change_url(project)))
    data_b["name"] = "乙改的名称"
    data_b[f"{milestone_prefix(data_b, milestone)}-note"] = "乙改的备注"

    def someone_else_saves_the_milestone(sender, instance, **kwargs):
        Milestone.objects.filter(pk=milestone.pk).update(version=F("version") + 1, note="他人同时改的备注")

    pre_save.connect(someone_else_saves_the_milestone, sender=Project)
    try:
        response = editor_b.post(change_url(project), data_b)
    finally:
        pre_save.disconnect(someone_else_saves_the_milestone, sender=Project)

    assert response.status_code == 302
    assert response["Location"] == change_url(project)
    page = editor_b.get(response["Location"]).content.decode()
    assert str(STALE_MESSAGE) in page
    project.refresh_from_db()
    milestone.refresh_from_db()
    assert (project.name, project.version) == ("年产3.7亿平方米光伏玻璃项目", 1)
    assert (milestone.note, milestone.version) == ("原备注", 1)


def test_stale_milestone_page_is_refused(two_editors):
    editor_a, editor_b = two_editors
    milestone = MilestoneFactory(actual_date=None, planned_date=date(2022, 3, 1))
    data_a = change_form_data(editor_a.get(change_url(milestone)))
    data_b = change_form_data(editor_b.get(change_url(milestone)))
    data_a["note"] = "甲"
    data_b["note"] = "乙"
    assert editor_a.post(change_url(milestone), data_a).status_code == 302
    response = editor_b.post(change_url(milestone), data_b)
    assert response.status_code == 200
    assert str(STALE_MESSAGE) in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.note == "甲"
