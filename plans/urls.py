from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("my/", views.my_assignments, name="my"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notifications/", views.notifications, name="notifications"),
    path("review/", views.review_queue, name="review_queue"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/report/", views.report_edit, name="report"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("assignments/<int:pk>/receive/", views.assignment_receive, name="receive"),
    path("assignments/<int:pk>/settle/", views.assignment_settle, name="settle"),
    path("copies/<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("reports/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("new/", views.plan_create, name="create"),
    path("<int:pk>/sections/add/", views.section_add, name="section_add"),
    path("<int:pk>/tasks/new/", views.task_new, name="task_new"),
    path("<int:pk>/schedule-preview/", views.schedule_preview, name="schedule_preview"),
    path("tasks/<int:pk>/", views.task_row, name="task_row"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/up/", views.task_move, {"direction": "up"}, name="task_up"),
    path("tasks/<int:pk>/down/", views.task_move, {"direction": "down"}, name="task_down"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/export/", views.plan_export, name="export"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path("<int:pk>/publish/", views.plan_publish, name="publish"),
    path("<int:pk>/publish/preview/", views.plan_publish_preview, name="publish_preview"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
