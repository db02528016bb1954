"""Locust: leaders reading the 督办看板 over HTTP (run by bench/board.py; or by hand with the same env).

    BOARD_USERNAME=bench_central BOARD_PASSWORD=… BOARD_ORG=<pk> \\
        locust -f bench/board_http.py --headless -u 8 -r 8 -t 60s --host http://127.0.0.1:8765

Each simulated user logs in through /login/ once (the form's CSRF token, a Referer as a browser sends it),
then reads the board with no think time. With DEBUG=0 the app redirects plain HTTP to HTTPS and marks its
cookies Secure; it trusts X-Forwarded-Proto, so every request carries `X-Forwarded-Proto: https` as a
TLS-terminating proxy would, and the Secure cookies go in a Cookie header by hand. The users are
FastHttpUsers (geventhttpclient): the load generator shares the server's two cores and should take as
little of them as it can.
"""

from __future__ import annotations

import os
import re

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

PROXY = {"X-Forwarded-Proto": "https"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Leader(FastHttpUser):
    wait_time = constant(float(os.environ.get("BOARD_WAIT", "0")))

    def on_start(self) -> None:
        self.cookies: dict[str, str] = {}
        login = self._send("GET", "/login/", name="login GET")
        match = TOKEN.search(login.text or "")
        if not match:
            raise RuntimeError(f"no CSRF token on /login/ ({login.status_code})")
        response = self._send(
            "POST",
            "/login/",
            name="login POST",
            data={
                "username": os.environ["BOARD_USERNAME"],
                "password": os.environ["BOARD_PASSWORD"],
                "csrfmiddlewaretoken": match.group(1),
            },
            headers={"Referer": f"https://{self.host.split('://', 1)[1]}/login/"},
            allow_redirects=False,
        )
        if response.status_code != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login failed ({response.status_code})")

    def _headers(self, extra: dict | None = None) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**PROXY, **(extra or {}), **({"Cookie": cookie} if cookie else {})}

    def _send(self, method: str, path: str, *, name: str, headers: dict | None = None, **kwargs):
        # The Secure cookies by hand: the session's cookie jar would keep them for https URLs only.
        response = self.client.request(method, path, name=name, headers=self._headers(headers), **kwargs)
        for header in response.headers.get_all("set-cookie", []) if response.headers else []:
            key, _, rest = header.partition("=")
            self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response

    @task
    def board(self) -> None:
        with self.client.get(
            f"/plans/dashboard/?org={os.environ['BOARD_ORG']}",
            name="board",
            headers=self._headers(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "督办看板".encode() not in (response.content or b""):
                response.failure(f"status {response.status_code}")
