"""The layers: no service imports another service; the domain package imports no outside tool; the
Kafka producer, the Faust app and the broker check are built in the shared adapters only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(
    p.name for p in (ROOT / "services").iterdir() if (p / p.name / "__init__.py").exists()
)
OUTSIDE_TOOLS = {
    "kafka",
    "aiokafka",
    "faust",
    "fastapi",
    "starlette",
    "uvicorn",
    "panel",
    "bokeh",
    "onnxruntime",
    "prometheus_client",
    "httpx",
}


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports (at any depth of its code)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service):
    others = set(SERVICES) - {service}
    found = {
        f"{path.relative_to(ROOT)}: {sorted(imported(path) & others)}"
        for path in (ROOT / "services" / service).rglob("*.py")
        if imported(path) & others
    }
    assert not found, "shared code belongs in credit/ (domain) or adapters/ (outside tools)"


def test_the_shared_layers_import_no_service_and_the_domain_no_outside_tool():
    for layer in ("credit", "adapters"):
        for path in (ROOT / layer).rglob("*.py"):
            assert not imported(path) & set(SERVICES), path
    for path in (ROOT / "credit").rglob("*.py"):
        assert not imported(path) & OUTSIDE_TOOLS, path


def called(path: Path) -> set[str]:
    """The names a module calls: `f(...)` and `module.f(...)` as f."""
    calls = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            function = node.func
            calls.add(
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
    return calls


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_builds_no_producer_and_no_faust_app_of_its_own(service):
    """One producer wrapper, one worker factory, one key per event: adapters.kafka,
    adapters.faust_worker, credit.events."""
    own = {"KafkaProducer", "AIOKafkaProducer", "App", "create_connection"}
    found = {
        f"{path.relative_to(ROOT)}: {sorted(called(path) & own)}"
        for path in (ROOT / "services" / service).rglob("*.py")
        if called(path) & own
    }
    assert not found, (
        "use adapters.kafka.Producer, adapters.kafka.reachable and adapters.faust_worker.Worker"
    )
