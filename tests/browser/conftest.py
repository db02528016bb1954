"""A real browser for the browser tests: Debian's chromium driven by Playwright (never a downloaded browser)."""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

try:
    from playwright import sync_api
except ImportError:  # the dev extras are not installed
    sync_api = None

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM and os.environ.get("CI") == "true":
    raise RuntimeError("CI needs Debian's chromium for the browser tests (.ci/run installs it)")

# Every browser test leaves a picture of the pages it walks here (README: 浏览器测试的截图).
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOTS") or Path(__file__).resolve().parents[2] / "build" / "screenshots"
)

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture
def page(live_server, monkeypatch):
    if not CHROMIUM or sync_api is None:
        pytest.skip("Debian's chromium is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()
        # ORM calls made while Playwright's loop runs get their own connection: close it here, or the
        # test database cannot be dropped at the end of the run.
        from django.db import connections

        connections.close_all()


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Tuanjian-test-2026")
    page.click("main button[type=submit]")
    # Each role lands on its own work ("/" redirects on): wait for whichever page that is.
    page.wait_for_url(lambda url: urlsplit(url).path not in ("/", "/login/"))


@pytest.fixture
def shot(request):
    """shot(page, "step") saves a full-page screenshot as <test>-<step>.png in SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"\W+", "-", request.node.name).strip("-")

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{test}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
