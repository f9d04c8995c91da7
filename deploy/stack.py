"""The local stack: broker, topics, client history, ingest API, scorer, explainer and dashboard, as
background processes.

    python deploy/stack.py up    # start everything (trains a demo bundle first if models/ is empty)
    python deploy/stack.py down  # stop everything
    python deploy/stack.py demo  # up, replay demo applications, show explained decisions;
                                 # Ctrl-C stops all

Ports and places come from the same environment variables as docker-compose.yml: KAFKA_PORT (9092),
KAFKA_PARTITIONS (3), INGEST_PORT (8000), MODELS_DIR (models), STACK_DIR (.stack), and the
Prometheus endpoints' ports on 127.0.0.1: SCORER_, EXPLAINER_, INGEST_ and DASHBOARD_METRICS_PORT
(9101 to 9104). Every process is given the broker's address once, as KAFKA_BOOTSTRAP
(adapters.settings).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from dashboard import SERVED

ROOT = Path(__file__).resolve().parents[1]
STACK = Path(os.environ.get("STACK_DIR", ROOT / ".stack"))
MODELS = Path(os.environ.get("MODELS_DIR", ROOT / "models"))
BOOTSTRAP = f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"
INGEST_URL = f"http://127.0.0.1:{os.environ.get('INGEST_PORT', '8000')}"
DASHBOARD_PORT = os.environ.get("DASHBOARD_PORT", "5006")
DASHBOARD_URL = f"http://127.0.0.1:{DASHBOARD_PORT}/app"
METRICS_PORTS = {
    name: os.environ.get(f"{name.upper()}_METRICS_PORT", default)  # one each: no two collide
    for name, default in (
        ("scorer", "9101"),
        ("explainer", "9102"),
        ("ingest", "9103"),
        ("dashboard", "9104"),
    )
}
_SUPERVISED = [
    str(ROOT / "deploy/supervise.py"),
    sys.executable,
]  # the workers are started again after exit 70
SERVICES = {
    "ingest": ["-m", "ingest", "serve"],
    "scorer": [*_SUPERVISED, "-m", "scorer", "worker", "-l", "warn"],
    "explainer": [*_SUPERVISED, "-m", "explainer", "worker", "-l", "warn"],
    "dashboard": [
        "-m",
        "panel",
        "serve",
        *SERVED,
        "--address",
        "127.0.0.1",
        "--port",
        DASHBOARD_PORT,
        "--allow-websocket-origin",
        f"127.0.0.1:{DASHBOARD_PORT}",
    ],
}
DEMO_USERS = {
    "demo": "reviewer",
    "ops": "ops",
}  # a reviewer (client pages) and operations (operations page)


def api_key() -> str:
    """A random key for this machine's stack, kept outside the repository's tracked files."""
    return _secret("api-key")


def _secret(name: str) -> str:
    path = STACK / name
    if not path.exists():
        STACK.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def demo_accounts() -> dict[str, str]:
    """The demo accounts' passwords (random per machine, in .stack/), created in the users file."""
    from dashboard.accounts import add_user, check

    users, passwords = STACK / "dashboard-users.json", {}
    for user, role in DEMO_USERS.items():
        passwords[user] = _secret(f"dashboard-{user}-password")
        if not check(users, user, passwords[user]):
            add_user(users, user, passwords[user], role)
    return passwords


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP": BOOTSTRAP,
        "INGEST_API_KEYS_FILE": str(STACK / "api-key"),
        "INGEST_IDEMPOTENCY_DB": str(STACK / "ingest-applications.db"),
        "SCORER_MODELS_DIR": str(MODELS),
        "SCORER_DATA_DIR": str(STACK / "scorer-data"),
        "EXPLAINER_MODELS_DIR": str(MODELS),
        "EXPLAINER_DATA_DIR": str(STACK / "explainer-data"),
        "DASHBOARD_MODELS_DIR": str(MODELS),
        "DASHBOARD_STORE_PATH": str(STACK / "dashboard-store.db"),
        "DASHBOARD_USERS_FILE": str(STACK / "dashboard-users.json"),
        "PANEL_COOKIE_SECRET": _secret("dashboard-cookie-secret"),
        **{f"{name.upper()}_METRICS_PORT": port for name, port in METRICS_PORTS.items()},
    }


def run(*args: str) -> None:
    subprocess.run(args, cwd=ROOT, env=environment(), check=True)


def ensure_bundle() -> None:
    """Train a demo bundle when there is none, or when the newest no longer suits this code."""
    from credit.bundle import BundleError, open_bundle

    try:
        open_bundle(MODELS)
        return
    except BundleError as error:
        print(f"{error}\nTraining a model bundle on demo data ...", flush=True)
    run(sys.executable, "-m", "training", "--out", str(MODELS))


def start_service(name: str) -> None:
    pid_file = STACK / f"{name}.pid"
    if pid_file.exists() and _alive(int(pid_file.read_text())):
        return
    with open(STACK / f"{name}.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, *SERVICES[name]],
            cwd=ROOT,
            env=environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid_file.write_text(str(process.pid))


def up() -> None:
    api_key()
    passwords = demo_accounts()
    ensure_bundle()
    run(str(ROOT / "deploy/kafka/fetch.sh"))
    run(str(ROOT / "deploy/kafka/broker.sh"), "start")
    run(sys.executable, str(ROOT / "deploy/topics.py"))  # KAFKA_BOOTSTRAP, KAFKA_PARTITIONS
    run(sys.executable, "-m", "ingest", "load-history", str(MODELS))
    for name in SERVICES:
        start_service(name)
    _wait_healthy()
    print(
        f"Stack up. Ingest API: {INGEST_URL}/docs (API key in {STACK / 'api-key'}); "
        f"broker {BOOTSTRAP}; logs in {STACK}/. Stop with `make down`.\n"
        f"Dashboard: {DASHBOARD_URL}  "
        + ", ".join(f"user {u} ({DEMO_USERS[u]}), password {p}" for u, p in passwords.items())
        + "\nPrometheus: "
        + ", ".join(
            f"{name} http://127.0.0.1:{port}/metrics" for name, port in METRICS_PORTS.items()
        )
    )


def down() -> None:
    for name in reversed(list(SERVICES)):
        pid_file = STACK / f"{name}.pid"
        if pid_file.exists():
            _stop(int(pid_file.read_text()))
            pid_file.unlink()
    subprocess.run(
        [str(ROOT / "deploy/kafka/broker.sh"), "stop"], cwd=ROOT, env=environment(), check=False
    )
    print("Stack stopped.")


def demo() -> None:
    from deploy.watch import watch_explanations

    up()
    test_csv = sorted((ROOT / "data" / "demo").glob("*/application_test.csv"))[0]
    replay = subprocess.Popen(
        [sys.executable, "-m", "ingest", "replay", str(test_csv), "--rate", "20"],
        cwd=ROOT,
        env=environment(),
    )
    try:
        watch_explanations(BOOTSTRAP)  # until Ctrl-C
    except KeyboardInterrupt:
        print("\nStopping ...")
    finally:
        replay.terminate()
        down()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def _stop(pid: int, timeout: float = 20) -> None:
    if not _alive(pid):
        return
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)


def _wait_healthy(timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{INGEST_URL}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(
        f"the ingest API did not become healthy within {timeout:.0f} s; see {STACK}/ingest.log"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    {"up": up, "down": down, "demo": demo}[sys.argv[1] if len(sys.argv) > 1 else "up"]()
