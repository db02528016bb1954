"""Who may use each plan page on their own subtree (tests.scoped_views)."""

from tests.scoped_views import OFFICE, ScopedObjectViewTest, ScopedViewTest


class TestList(ScopedViewTest):
    url_name = "plans:list"


class TestDetail(ScopedObjectViewTest):
    url_name, obj = "plans:detail", "plan"


class TestExport(ScopedObjectViewTest):
    url_name, obj = "plans:export", "plan"


class TestCreate(ScopedViewTest):
    url_name, allowed = "plans:create", OFFICE


class TestEdit(ScopedObjectViewTest):
    url_name, obj, allowed = "plans:edit", "plan", OFFICE


class TestSectionAdd(ScopedObjectViewTest):
    url_name, obj, allowed, method, data = (
        "plans:section_add",
        "plan",
        OFFICE,
        "post",
        {"title": "一、新章节"},
    )


class TestTaskNew(ScopedObjectViewTest):
    url_name, obj, allowed = "plans:task_new", "plan", OFFICE


class TestSchedulePreview(ScopedObjectViewTest):
    url_name, obj, allowed, method = "plans:schedule_preview", "plan", OFFICE, "post"
    data = {"schedule_text": "3月：摸底"}


class TestTaskRow(ScopedObjectViewTest):
    url_name, obj = "plans:task_row", "task"


class TestTaskEdit(ScopedObjectViewTest):
    url_name, obj, allowed = "plans:task_edit", "task", OFFICE


class TestTaskUp(ScopedObjectViewTest):
    url_name, obj, allowed, method = "plans:task_up", "task", OFFICE, "post"


class TestTaskDown(ScopedObjectViewTest):
    url_name, obj, allowed, method = "plans:task_down", "task", OFFICE, "post"


class TestTaskDelete(ScopedObjectViewTest):
    url_name, obj, allowed, method = "plans:task_delete", "task", OFFICE, "post"


class TestMilestoneEdit(ScopedObjectViewTest):
    url_name, obj, allowed = "plans:milestone_edit", "milestone", OFFICE


class TestImport(ScopedViewTest):
    url_name, allowed = "plans:import", OFFICE


class TestImportPreview(ScopedObjectViewTest):
    url_name, obj, allowed = "plans:import_preview", "plan_import", OFFICE


class TestImportConfirm(ScopedObjectViewTest):
    url_name, obj, allowed, method = "plans:import_confirm", "plan_import", OFFICE, "post"


class TestImportProgress(ScopedObjectViewTest):
    url_name, obj, allowed = "plans:import_progress", "plan_import", OFFICE


class TestImportPeriod(ScopedObjectViewTest):
    url_name, obj, allowed, method = "plans:import_period", "plan_import", OFFICE, "post"
    data = {"start_year": 2019, "end_year": 2019}


class TestImportRetry(ScopedObjectViewTest):
    url_name, obj, allowed, method = "plans:import_retry", "plan_import", OFFICE, "post"
