from django.urls import path

from . import views

app_name = "assignments"

urlpatterns = [
    path("<int:pk>/publish/", views.plan_publish, name="publish"),
    path("<int:pk>/publish/preview/", views.plan_publish_preview, name="publish_preview"),
]
