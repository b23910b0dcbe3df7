"""A load client that behaves like a patient's browser: GET the article page, take the form's
tokens and the session cookie, POST a unique valid inquiry, expect the 303.

Plain http.client (a light client leaves more of the two cores to the servers it measures),
one connection per client thread, cookies kept as a browser keeps them.
"""

from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

TOKEN = re.compile(r'name="(csrf_token|submission_id)" type="hidden" value="([^"]+)"')
SYMPTOMS = ["Lower back pain", "Leg pain or cramping"]


class Browser:
    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict, bytes]:
        headers = {"Accept": "text/html", "User-Agent": "bench/1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            # gunicorn's sync workers close each connection: open a new one and try once more.
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        content = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, dict(response.getheaders()), content

    def get(self, path: str) -> tuple[int, bytes]:
        status, _headers, content = self.request("GET", path)
        return status, content

    def post_form(self, path: str, fields: dict) -> tuple[int, dict]:
        status, headers, _content = self.request("POST", path, urlencode(fields, doseq=True))
        return status, headers


def tokens_of(page: bytes) -> dict[str, str]:
    return dict(TOKEN.findall(page.decode("utf-8", "replace")))


def unique_email(tag: str) -> str:
    return f"bench.{tag}.{uuid.uuid4().hex[:16]}@example.org"


def inquiry_fields(tokens: dict[str, str], email: str) -> dict:
    return {
        **tokens,
        "full_name": "Bench Patient",
        "email": email,
        "preferred_contact": "email",
        "symptoms": SYMPTOMS,
        "message": "Walking more than ten minutes hurts.",
        "consent": "y",
        "website": "",
    }


@dataclass
class Tally:
    done: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float) -> None:
        with self.lock:
            self.done += 1
            self.latencies.append(seconds)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


def run_clients(clients: int, seconds: float, loop: Callable[[float, Tally], None]) -> tuple[Tally, float]:
    """`clients` threads each running loop(deadline, tally) until the deadline; (tally, elapsed)."""
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=loop, args=(deadline, tally)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def cycle_loop(base_url: str, page: str, tag: str) -> Callable[[float, Tally], None]:
    """Each cycle as a new patient: GET the page (new session), POST the inquiry."""

    def loop(deadline: float, tally: Tally) -> None:
        while time.monotonic() < deadline:
            browser = Browser(base_url)
            started = time.perf_counter()
            try:
                status, content = browser.get(page)
                if status != 200:
                    tally.error(f"GET {status}")
                    continue
                status, _ = browser.post_form(page, inquiry_fields(tokens_of(content), unique_email(tag)))
            except (http.client.HTTPException, OSError) as error:
                tally.error(type(error).__name__)
                continue
            finally:
                browser.connection.close()
            if status == 303:
                tally.add(time.perf_counter() - started)
            else:
                tally.error(f"POST {status}")

    return loop


def post_loop(base_url: str, page: str, tag: str) -> Callable[[float, Tally], None]:
    """POSTs only: one GET for the session and its CSRF token, then a new inquiry per POST
    (a fresh submission id each, as a new page would give)."""

    def loop(deadline: float, tally: Tally) -> None:
        browser = Browser(base_url)
        _status, content = browser.get(page)
        tokens = tokens_of(content)
        while time.monotonic() < deadline:
            tokens["submission_id"] = uuid.uuid4().hex
            started = time.perf_counter()
            try:
                status, _ = browser.post_form(page, inquiry_fields(tokens, unique_email(tag)))
            except (http.client.HTTPException, OSError) as error:
                tally.error(type(error).__name__)
                continue
            if status == 303:
                tally.add(time.perf_counter() - started)
            else:
                tally.error(f"POST {status}")

    return loop


def paced_posts(base_url: str, page: str, tag: str, rate: float, seconds: float) -> dict[str, float]:
    """Open loop: a new inquiry every 1/rate seconds, each from its own thread so a slow answer
    doesn't delay the next; returns {recipient: monotonic time its 303 arrived}."""
    answered: dict[str, float] = {}
    lock = threading.Lock()

    def one() -> None:
        browser = Browser(base_url)
        _status, content = browser.get(page)
        email = unique_email(tag)
        status, _ = browser.post_form(page, inquiry_fields(tokens_of(content), email))
        if status == 303:
            with lock:
                answered[email] = time.monotonic()
        browser.connection.close()

    threads = []
    start = time.monotonic()
    for i in range(int(rate * seconds)):
        time.sleep(max(0.0, start + i / rate - time.monotonic()))
        thread = threading.Thread(target=one)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return answered


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
