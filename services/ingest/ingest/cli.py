"""Command line: `python -m ingest serve | replay CSV --rate R | load-history
BUNDLE_OR_MODELS_DIR`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ingest.publisher import BrokerUnavailable, KafkaPublisher
from ingest.settings import IngestSettings, get_settings

log = logging.getLogger("ingest")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "serve", help="run the HTTP API (host 127.0.0.1, port $INGEST_PORT, default 8000)"
    )
    replay = commands.add_parser(
        "replay", help="publish the rows of a Kaggle application CSV at a given rate"
    )
    replay.add_argument("csv", type=Path)
    replay.add_argument("--rate", type=float, required=True, help="applications per second")
    replay.add_argument("--limit", type=int, default=None, help="at most this many rows")
    history = commands.add_parser(
        "load-history", help="publish a bundle's client-history aggregates"
    )
    history.add_argument(
        "bundle", type=Path, help="a bundle directory, or a models directory (latest bundle)"
    )
    for sub in (replay, history):
        sub.add_argument(
            "--bootstrap", default=None, help="Kafka bootstrap servers (default $KAFKA_BOOTSTRAP)"
        )
    return parser


def _settings(bootstrap: str | None) -> IngestSettings:
    settings = get_settings()
    return settings.model_copy(update={"kafka_bootstrap": bootstrap}) if bootstrap else settings


def serve() -> int:
    import uvicorn

    from adapters.heap import settle
    from ingest.api import create_app

    settings = get_settings()
    app = create_app(settings)
    settle()
    uvicorn.run(app, host=settings.host, port=settings.port)
    return 0


def replay_csv(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ingest.replay import count_rows, read_rows, replay

    if args.rate <= 0:
        raise SystemExit("--rate must be positive")
    publisher = KafkaPublisher(_settings(args.bootstrap))
    with tqdm(total=count_rows(args.csv, args.limit), unit="app", desc="replay") as bar:
        try:
            report = replay(
                read_rows(args.csv, args.limit), publisher, args.rate, progress=bar.update
            )
        finally:
            publisher.close()
    for problem in report.problems:
        print(f"refused {problem}", file=sys.stderr)
    print(f"sent {report.sent} application(s), refused {report.refused} invalid row(s)")
    return 0


def load_history_cli(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from credit.bundle import open_bundle
    from ingest.history_loader import load_history

    bundle = open_bundle(args.bundle)
    publisher = KafkaPublisher(_settings(args.bootstrap))
    with tqdm(unit="client", desc=f"client history {bundle.model_version}") as bar:
        try:
            sent = load_history(bundle, publisher, progress=bar.update)
        finally:
            publisher.close()
    print(f"published the history of {sent} client(s) from bundle {bundle.model_version}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("kafka").setLevel(
        logging.WARNING
    )  # its connection chatter drowns the progress bar
    commands = {
        "serve": lambda: serve(),
        "replay": lambda: replay_csv(args),
        "load-history": lambda: load_history_cli(args),
    }
    try:
        return commands[args.command]()
    except BrokerUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
