from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orgs/", include("orgtree.urls")),
    # The plans' pages and the work on what they hand down share one address space under /plans/.
    path("plans/", include("plans.urls")),
    path("plans/", include("assignments.urls")),
    path("plans/", include("reporting.urls")),
    path("plans/", include("supervision.urls")),
    path("plans/notifications/", include("notifications.urls")),
    path("indicators/", include("indicators.urls")),
    path("django-admin/", admin.site.urls),
]
