"""Signing in (issue 13): wrong passwords lock an account on an address for a while, on the site's login and
the admin's alike; users change and reset their own passwords, told in Chinese what is wrong; a session
lasts a working day."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from tests.test_project import run_python

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
ADMIN_LOGIN = "/django-admin/login/"
NEW_PASSWORD = "Qingnian-2026-xin"


@pytest.fixture
def alice(make_user):
    return make_user(username="alice", email="alice@example.org", first_name="爱丽丝")


def attempt(client, password, username="alice", url=LOGIN, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, times, **kwargs):
    from django.conf import settings

    for i in range(times):
        response = attempt(client, f"wrong-{i}", **kwargs)
        # The form again with its error, until the failure that reaches the limit locks.
        assert response.status_code == (200 if i < settings.AXES_FAILURE_LIMIT - 1 else 429), i


class TestLoginThrottling:
    def test_after_the_limit_even_the_right_password_is_refused_in_chinese(self, client, alice, settings):
        fail(client, settings.AXES_FAILURE_LIMIT - 1)
        response = attempt(client, "wrong-last")
        assert response.status_code == 429
        response = attempt(client, PASSWORD)
        assert response.status_code == 429 and not signed_in(client)
        page = response.content.decode()
        assert "暂时无法登录" in page and f"密码连续输错 {settings.AXES_FAILURE_LIMIT} 次" in page
        assert "暂停 15 分钟" in page and reverse("password_reset") in page

    def test_the_admin_login_is_throttled_and_shares_the_count(self, client, make_user, settings):
        make_user(username="boss", is_staff=True, is_superuser=True)
        fail(client, settings.AXES_FAILURE_LIMIT - 1, username="boss", url=ADMIN_LOGIN)
        attempt(client, "wrong-last", username="boss")  # the last one on the site's own login page
        for url in (ADMIN_LOGIN, LOGIN):
            response = attempt(client, PASSWORD, username="boss", url=url)
            assert response.status_code == 429 and "暂时无法登录" in response.content.decode(), url
            assert not signed_in(client)

    def test_per_account_and_address(self, client, alice, make_user, settings):
        make_user(username="bob")
        fail(client, settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="10.0.0.1")
        assert attempt(client, PASSWORD, REMOTE_ADDR="10.0.0.1").status_code == 429
        # The owner elsewhere, and a colleague behind the same address, still sign in.
        assert attempt(client, PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 302
        client.logout()
        assert attempt(client, PASSWORD, username="bob", REMOTE_ADDR="10.0.0.1").status_code == 302

    def test_a_new_user_agent_or_padded_username_does_not_restart_the_count(self, client, alice, settings):
        for i in range(settings.AXES_FAILURE_LIMIT):
            username = ["alice", " alice", "alice  "][i % 3]
            attempt(client, f"wrong-{i}", username=username, HTTP_USER_AGENT=f"bot/{i}")
        assert attempt(client, PASSWORD, HTTP_USER_AGENT="Mozilla/5.0").status_code == 429

    def test_a_claimed_forwarded_address_is_ignored_without_the_proxy(self, client, alice, settings):
        assert not settings.BEHIND_PROXY
        for i in range(settings.AXES_FAILURE_LIMIT):
            attempt(
                client, f"wrong-{i}", HTTP_X_REAL_IP=f"203.0.113.{i}", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
            )
        assert attempt(client, PASSWORD, HTTP_X_REAL_IP="203.0.113.200").status_code == 429

    def test_behind_the_proxy_the_address_it_writes_counts(self, client, alice, settings):
        settings.BEHIND_PROXY = True  # every request arrives from the proxy's one address
        fail(client, settings.AXES_FAILURE_LIMIT, HTTP_X_REAL_IP="203.0.113.7")
        assert attempt(client, PASSWORD, HTTP_X_REAL_IP="203.0.113.7").status_code == 429
        assert attempt(client, PASSWORD, HTTP_X_REAL_IP="203.0.113.8").status_code == 302
        # Not an address (a request that did not come through the proxy): the peer's address counts.
        client.logout()
        for junk in ("", "not-an-ip", "203.0.113.7, 10.0.0.1", "'; drop table axes_accessattempt; --"):
            assert attempt(client, "wrong", HTTP_X_REAL_IP=junk).status_code == 200, junk
        from axes.models import AccessAttempt

        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7", "127.0.0.1"}

    def test_the_lockout_ends_after_the_cool_off(self, client, alice, settings):
        from axes.models import AccessAttempt

        fail(client, settings.AXES_FAILURE_LIMIT)
        assert attempt(client, PASSWORD).status_code == 429
        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
        assert attempt(client, PASSWORD).status_code == 429  # still waiting (and the wait restarts)
        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
        assert attempt(client, PASSWORD).status_code == 302 and signed_in(client)

    def test_a_success_clears_the_count(self, client, alice, settings):
        fail(client, settings.AXES_FAILURE_LIMIT - 1)
        assert attempt(client, PASSWORD).status_code == 302
        client.logout()
        fail(client, settings.AXES_FAILURE_LIMIT - 1)
        assert attempt(client, PASSWORD).status_code == 302

    def test_an_admin_sees_and_lifts_the_lockout(self, client, alice, make_user, settings):
        fail(client, settings.AXES_FAILURE_LIMIT)
        admin = make_user(username="root", is_staff=True, is_superuser=True)
        client.force_login(admin)
        page = client.get("/django-admin/axes/accessattempt/").content.decode()
        assert "alice" in page
        from axes.models import AccessAttempt

        ids = list(AccessAttempt.objects.values_list("pk", flat=True))
        client.post(
            "/django-admin/axes/accessattempt/",
            {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        )
        client.logout()
        assert attempt(client, PASSWORD).status_code == 302 and signed_in(client)

    def test_the_command_lifts_the_lockout(self, client, alice, settings):
        fail(client, settings.AXES_FAILURE_LIMIT)
        call_command("axes_reset_username", "alice")
        assert attempt(client, PASSWORD).status_code == 302

    def test_resetting_the_password_by_mail_lifts_the_lockout(self, client, alice, settings):
        fail(client, settings.AXES_FAILURE_LIMIT)
        reset_by_mail(client, "alice@example.org")
        assert attempt(client, NEW_PASSWORD).status_code == 302 and signed_in(client)


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/account/password-reset/\S+/)", message.body).group(1)


def reset_by_mail(client, email):
    client.post(reverse("password_reset"), {"email": email})
    link = reset_link(mail.outbox[-1])
    form = client.get(link, follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("password_reset_complete")


class TestPasswords:
    def test_the_top_bar_and_the_login_page_link_to_them(self, client, alice):
        login_page = client.get(LOGIN).content.decode()
        assert f'href="{reverse("password_reset")}">忘记密码' in login_page
        client.force_login(alice)
        page = client.get(reverse("password_change")).content.decode()
        usermenu = page.split('<div class="usermenu">')[1].split("</div>")[0]
        assert f'href="{reverse("password_change")}"' in usermenu and "修改密码" in usermenu

    def test_a_user_changes_their_password_and_stays_signed_in(self, client, alice):
        client.force_login(alice)
        wrong = client.post(reverse("password_change"), {
            "old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
        })  # fmt: skip
        assert "旧密码不正确" in wrong.content.decode()
        mismatch = client.post(reverse("password_change"), {
            "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x",
        })  # fmt: skip
        assert "两个密码不一致" in mismatch.content.decode()
        response = client.post(reverse("password_change"), {
            "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
        })  # fmt: skip
        assert response.url == reverse("password_change_done")
        assert "密码已修改" in client.get(response.url).content.decode()
        alice.refresh_from_db()
        assert alice.check_password(NEW_PASSWORD)
        assert client.get("/").status_code == 302 and not client.get("/").url.startswith(LOGIN)

    def test_an_anonymous_visitor_cannot_change_a_password(self, client):
        response = client.get(reverse("password_change"))
        assert response.status_code == 302 and response.url.startswith(LOGIN)

    @pytest.mark.parametrize("short", ["Ab1", "Qn-2026"])
    def test_a_too_short_password_is_refused_in_chinese(self, client, alice, short):
        client.force_login(alice)
        response = client.post(reverse("password_change"), {
            "old_password": PASSWORD, "new_password1": short, "new_password2": short,
        })  # fmt: skip
        page = response.content.decode()
        assert "密码太短，至少需要 8 个字符。" in page
        assert "too short" not in page and "characters" not in page  # nor the English help text
        assert "你的密码必须包含至少 8 个字符。" in page
        with pytest.raises(ValidationError) as refused:
            validate_password("12345")
        assert refused.value.messages == [
            "密码太短，至少需要 8 个字符。",
            "这个密码太常见了。",
            "密码只包含数字。",
        ]

    def test_the_reset_mail_sets_a_new_password_once(self, client, alice, settings):
        settings.DEFAULT_FROM_EMAIL = "noreply@tuanjian.example"
        response = client.post(reverse("password_reset"), {"email": "alice@example.org"})
        assert response.url == reverse("password_reset_done")
        assert "请查收邮件" in client.get(response.url).content.decode()
        (message,) = mail.outbox
        assert message.to == ["alice@example.org"] and message.from_email == "noreply@tuanjian.example"
        assert message.subject == "团建任务督办平台：重设密码"
        assert "爱丽丝" in message.body and "alice" in message.body and "72 小时内有效" in message.body
        link = reset_link(message)
        form = client.get(link, follow=True)
        assert "设置新密码" in form.content.decode()
        set_password = form.redirect_chain[-1][0]
        short = client.post(set_password, {"new_password1": "Ab1", "new_password2": "Ab1"})
        assert "密码太短，至少需要 8 个字符。" in short.content.decode()
        done = client.post(
            set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
        )
        assert "密码已重设" in done.content.decode()
        alice.refresh_from_db()
        assert alice.check_password(NEW_PASSWORD) and not signed_in(client)
        again = client.get(link, follow=True).content.decode()  # the link works once
        assert "链接已失效" in again and "设置新密码</h1>" not in again
        assert attempt(client, PASSWORD).status_code == 200  # the old password no longer signs in
        assert attempt(client, NEW_PASSWORD).status_code == 302

    @pytest.mark.parametrize("email", ["nobody@example.org", "ALICE@example.org ", "inactive@example.org"])
    def test_the_reset_page_says_the_same_whoever_asks(self, client, alice, make_user, email):
        make_user(username="gone", email="inactive@example.org", is_active=False)
        response = client.post(reverse("password_reset"), {"email": email})
        assert response.status_code == 302 and response.url == reverse("password_reset_done")
        # Case-insensitive match for the real owner; nothing for strangers and inactive accounts.
        assert [m.to for m in mail.outbox] == (
            [["alice@example.org"]] if email.strip().lower() == "alice@example.org" else []
        )

    def test_a_forged_token_is_refused(self, client, alice):
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        uid = urlsafe_base64_encode(force_bytes(alice.pk))
        page = client.get(
            f"/account/password-reset/{uid}/abc-0123456789abcdef/", follow=True
        ).content.decode()
        assert "链接已失效" in page
        response = client.post(f"/account/password-reset/{uid}/set-password/", {
            "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
        })  # fmt: skip
        assert response.status_code == 200
        alice.refresh_from_db()
        assert alice.check_password(PASSWORD)


class TestSessions:
    def test_a_session_lasts_a_working_day_and_ends_with_the_browser(self, client, alice, settings):
        assert settings.SESSION_COOKIE_AGE == 10 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        response = attempt(client, PASSWORD)
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        assert cookie["max-age"] == "" and cookie["expires"] == ""  # gone when the browser closes
        expires = Session.objects.get().expire_date
        assert abs(expires - (timezone.now() + timedelta(hours=10))) < timedelta(minutes=1)
        assert client.get(reverse("notifications:list")).status_code == 200
        later = timezone.now() + timedelta(hours=10, minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            response = client.get(reverse("notifications:list"))
        assert response.status_code == 302 and response.url.startswith(LOGIN)

    def test_the_length_comes_from_the_environment(self):
        code = (
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tuanjian.settings'; django.setup();"
            "from django.conf import settings as s; print(s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
        )
        assert run_python(code, SESSION_HOURS="8").stdout.split() == ["28800", "True"]
        assert run_python(code, SESSION_HOURS="7.5", SESSION_EXPIRE_AT_BROWSER_CLOSE="0").stdout.split() == [
            "27000", "False",
        ]  # fmt: skip
        for bad in ("0", "-3"):
            refused = run_python(code, SESSION_HOURS=bad)
            assert refused.returncode != 0 and "SESSION_HOURS" in refused.stderr
