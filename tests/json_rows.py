"""Table rows as upstream systems send them: JSON objects, missing values as null."""
from __future__ import annotations

import json

import pandas as pd


def json_rows(frame: pd.DataFrame) -> list[dict]:
    """The rows of `frame` after a JSON round trip (floats keep every digit; NaN becomes null)."""
    return json.loads(json.dumps(frame.astype(object).where(frame.notna(), None).to_dict("records")))
