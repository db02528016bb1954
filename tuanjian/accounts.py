"""Signing in: who a client is for login throttling (django-axes), the password rules' wording, and the
password reset that also lifts a lockout."""

import ipaddress

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views


def client_ip(request) -> str | None:
    """The address login failures are counted against. Behind the project's proxy (BEHIND_PROXY) every
    request comes from the proxy, which writes the client's address into X-Real-IP, replacing whatever
    the client sent; without the proxy that header is the client's own claim and is ignored, otherwise
    an attacker would get a fresh address, and fresh attempts, with every request."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        try:
            return str(ipaddress.ip_address(forwarded))  # axes stores it in an address column
        except ValueError:
            pass  # not from the proxy (a probe inside the compose network): the peer's address
    return request.META.get("REMOTE_ADDR")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django 5.2 changed this error message's msgid and its zh_Hans catalogue still has the old one, so
    the message came out in English; the help text and the other validators' messages are translated."""

    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Whoever proved they own the account's e-mail may sign in at once with the new password: the
    lockout their (or someone's) wrong guesses caused is lifted."""

    def form_valid(self, form):
        from axes.utils import reset

        response = super().form_valid(form)
        reset(username=form.user.get_username())
        return response
