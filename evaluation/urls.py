from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("bulletin/", views.bulletin_page, name="bulletin"),
    path("bulletin/issue/", views.bulletin_issue, name="bulletin_issue"),
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin_detail"),
    path("assessment/", views.assessment_page, name="assessment"),
    path("assessment/scheme/", views.scheme_edit, name="scheme"),
    path("assessment/close/", views.year_close, name="year_close"),
]
