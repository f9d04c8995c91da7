"""Table rows as upstream systems send them: JSON objects, missing values as null."""

from __future__ import annotations

import json

import pandas as pd


def json_rows(frame: pd.DataFrame) -> list[dict]:
    """The rows of `frame` after a JSON round trip (floats keep every digit; NaN becomes null)."""
    return json.loads(
        json.dumps(frame.astype(object).where(frame.notna(), None).to_dict("records"))
    )


def decided(scorer, frame: pd.DataFrame, history: pd.DataFrame | None = None) -> tuple[list, list]:
    """Application rows as upstream systems send them (TARGET dropped), and the scorer's decisions
    on their events as the scorer service decodes them from the topic, with the clients' history
    (None: no history)."""
    from credit.dead_letters import decode_application
    from credit.events import ApplicationReceived
    from credit.features import client_histories

    received = [
        ApplicationReceived(**row)
        for row in json_rows(frame.drop(columns="TARGET", errors="ignore"))
    ]
    histories = {} if history is None else client_histories(history, frame["SK_ID_CURR"])
    return received, scorer.score([decode_application(r.to_bytes()) for r in received], histories)
