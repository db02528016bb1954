from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/indicators/", views.dashboard_indicators, name="dashboard_indicators"),
    path("overdue/", views.overdue_list, name="overdue_list"),
    path("timeline/", views.timeline, name="timeline"),
    path("overdue/urge/", views.urge_selected, name="urge_selected"),
    path("plans/<int:pk>/export-progress/", views.plan_export_progress, name="plan_export_progress"),
]
