from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("plans/<int:pk>/export-progress/", views.plan_export_progress, name="plan_export_progress"),
]
