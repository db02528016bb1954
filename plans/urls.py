from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/export/", views.plan_export, name="export"),
    path("<int:pk>/publish/", views.plan_publish, name="publish"),
    path("<int:pk>/publish/preview/", views.plan_publish_preview, name="publish_preview"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
