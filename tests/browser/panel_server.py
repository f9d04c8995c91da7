"""Serve a Panel app as a real `panel serve` process on a free loopback port, for browser tests.

    with served_panel(app_path, log_dir, "--cookie-secret", secret, env={...}) as url:
        page.goto(url)

The context manager returns once the server answers HTTP (a bounded poll) and stops the
process at exit, even on failure; a server that dies while starting fails with its log.
"""

from __future__ import annotations

import http.client
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from tests.processes import Service, free_port, wait_until

START_TIMEOUT_S = 60


def answers(url: str) -> bool:
    """True once the server returns any HTTP status below 500 (a redirect to a login page
    counts)."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=2)
    try:
        connection.request("GET", address.path or "/")
        return connection.getresponse().status < 500
    except OSError:
        return False
    finally:
        connection.close()


def _answers_or_died(service: Service, url: str) -> bool:
    if service.process.poll() is not None:
        raise RuntimeError(
            f"panel serve exited with {service.process.returncode}:\n{service.tail()}"
        )
    return answers(url)


@contextmanager
def served_panel(app: Path, log_dir: Path, *args: str, env: dict[str, str] | None = None):
    """Run `panel serve APP ARGS...` on 127.0.0.1 and yield the app's URL."""
    port = free_port()
    service = Service(
        f"panel-{app.stem}-{port}",
        [
            "-m",
            "panel",
            "serve",
            str(app),
            "--address",
            "127.0.0.1",
            "--port",
            str(port),
            "--allow-websocket-origin",
            f"127.0.0.1:{port}",
            *args,
        ],
        env or {},
        log_dir,
    )
    url = f"http://127.0.0.1:{port}/{app.stem}"
    try:
        service.start()
        wait_until(
            lambda: _answers_or_died(service, url), START_TIMEOUT_S, f"panel serve {app.name}"
        )
        yield url
    finally:
        service.stop()
        print(service.tail())  # shown by pytest only when the test fails
