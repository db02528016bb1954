from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("<int:pk>/orgs/<int:org>/", views.indicator_detail, name="detail"),
    path("<int:pk>/orgs/<int:org>/targets/", views.target_add, name="target_add"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("entry/", views.entry_start, name="entry_start"),
    path("entry/<int:org>/", views.entry, name="entry"),
    path("entry/<int:org>/template.xlsx", views.template_download, name="template"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
