from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import accounts, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's own password views; the templates are in templates/registration/.
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "account/password-reset/",
        auth_views.PasswordResetView.as_view(
            extra_email_context={"valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
        ),
        name="password_reset",
    ),
    path(
        "account/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("orgs/", include("orgtree.urls")),
    # The plans' pages and the work on what they hand down share one address space under /plans/.
    path("plans/", include("plans.urls")),
    path("plans/", include("assignments.urls")),
    path("plans/", include("reporting.urls")),
    path("plans/", include("supervision.urls")),
    path("plans/notifications/", include("notifications.urls")),
    path("indicators/", include("indicators.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("django-admin/", admin.site.urls),
]
