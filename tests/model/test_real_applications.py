"""Every application of the real Kaggle sample is accepted by the shared schema, as an upstream
system sends it."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from credit.events import ApplicationReceived
from tests.json_rows import json_rows

pytestmark = pytest.mark.model


@pytest.mark.parametrize("stem", ["application_train", "application_test"])
def test_every_real_application_is_accepted(real_data_dir, stem):
    frame = pd.read_csv(real_data_dir / f"{stem}.csv", low_memory=False).drop(
        columns="TARGET", errors="ignore"
    )
    refused = []
    for row in json_rows(frame):
        try:
            ApplicationReceived.model_validate(row)
        except ValidationError as error:
            refused.append(f"SK_ID_CURR {row['SK_ID_CURR']}: {error}")
    assert len(frame) > 1000 and not refused, refused[:3]
