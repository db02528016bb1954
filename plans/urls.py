from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/export/", views.plan_export, name="export"),
    path("<int:pk>/sections/add/", views.section_add, name="section_add"),
    path("<int:pk>/tasks/new/", views.task_new, name="task_new"),
    path("<int:pk>/schedule-preview/", views.schedule_preview, name="schedule_preview"),
    path("tasks/<int:pk>/", views.task_row, name="task_row"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/up/", views.task_move, {"direction": "up"}, name="task_up"),
    path("tasks/<int:pk>/down/", views.task_move, {"direction": "down"}, name="task_down"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:pk>/period/", views.import_period, name="import_period"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/retry/", views.import_retry, name="import_retry"),
]
