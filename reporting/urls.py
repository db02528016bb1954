from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("my/", views.my_assignments, name="my"),
    path("review/", views.review_queue, name="review_queue"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/report/", views.report_edit, name="report"),
    path("assignments/<int:pk>/receive/", views.assignment_receive, name="receive"),
    path("assignments/<int:pk>/settle/", views.assignment_settle, name="settle"),
    path("assignments/<int:pk>/urge/", views.assignment_urge, name="urge"),
    path("assignments/<int:pk>/break-down/", views.assignment_break_down, name="break_down"),
    path("contributors/<int:pk>/contribute/", views.contribution_save, name="contribute"),
    path("assignment-milestones/<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
