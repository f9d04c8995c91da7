"""The replay and history-loader CLIs turn real-looking rows into valid events, without a broker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit.bundle import Bundle
from credit.events import ApplicationReceived, HistoryRecorded
from credit.schema import columns_of
from credit.topics import CLIENT_HISTORY
from ingest.history_loader import load_history
from ingest.replay import count_rows, read_rows, replay, row_to_application
from tests.fakes import FakeClock, FakePublisher

pytestmark = pytest.mark.unit


def application_frame(rows: int = 4) -> pd.DataFrame:
    """A tiny application_train-like frame: every Kaggle column, NaN where a real file has gaps."""
    frame = pd.DataFrame({column: [np.nan] * rows for column in columns_of("application_train")})
    frame["SK_ID_CURR"] = range(100_002, 100_002 + rows)
    frame["TARGET"] = [0, 1, 0, 0][:rows]
    frame["NAME_CONTRACT_TYPE"] = "Cash loans"
    frame["CODE_GENDER"], frame["FLAG_OWN_CAR"], frame["FLAG_OWN_REALTY"] = "M", "N", "Y"
    frame["CNT_CHILDREN"], frame["AMT_INCOME_TOTAL"], frame["AMT_CREDIT"] = 0, 202_500.0, 406_597.5
    frame["DAYS_BIRTH"], frame["DAYS_EMPLOYED"], frame["FLAG_MOBIL"] = -9_461, 365_243, 1
    frame["NAME_INCOME_TYPE"], frame["EXT_SOURCE_2"] = "Working", 0.262949
    return frame


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "application_train.csv"
    application_frame().to_csv(path, index=False)
    return path


def test_csv_rows_become_valid_events_without_target_and_with_none_for_gaps(csv):
    events = [row_to_application(row) for row in read_rows(csv)]
    assert [e.SK_ID_CURR for e in events] == [100_002, 100_003, 100_004, 100_005]
    first = events[0]
    assert first.EXT_SOURCE_1 is None and first.EXT_SOURCE_2 == pytest.approx(0.262949)
    assert first.DAYS_EMPLOYED == 365_243 and first.FLAG_OWN_REALTY == "Y"
    assert "TARGET" not in first.model_dump() and len({e.application_id for e in events}) == 4
    assert ApplicationReceived.from_bytes(first.to_bytes()) == first


def test_replay_publishes_every_valid_row_and_reports_the_bad_ones(tmp_path):
    frame = application_frame()
    frame.loc[1, "AMT_CREDIT"] = -1.0
    frame.loc[2, "CODE_GENDER"] = "Q"
    frame.to_csv(tmp_path / "apps.csv", index=False)
    publisher, clock = FakePublisher(), FakeClock()
    report = replay(
        read_rows(tmp_path / "apps.csv"), publisher, rate=100, clock=clock, sleep=clock.sleep
    )
    assert (report.sent, report.refused) == (2, 2)
    assert [e.SK_ID_CURR for _, e in publisher.published] == [100_002, 100_005]
    assert "row 2 (SK_ID_CURR 100003): AMT_CREDIT" in report.problems[0]
    assert "CODE_GENDER" in report.problems[1] and "-1" not in report.problems[0]


def test_replay_keeps_to_the_rate(tmp_path):
    pd.concat([application_frame()] * 5, ignore_index=True).to_csv(
        tmp_path / "apps.csv", index=False
    )
    publisher, clock = FakePublisher(), FakeClock()
    report = replay(
        read_rows(tmp_path / "apps.csv"), publisher, rate=2, clock=clock, sleep=clock.sleep
    )
    assert report.sent == 20 and clock.now == pytest.approx(
        report.sent / 2
    )  # 20 rows at 2 per second: 10 s


def test_replay_honours_the_limit(csv):
    assert count_rows(csv, limit=3) == 3 and count_rows(csv) == 4
    assert len(list(read_rows(csv, limit=3))) == 3


def test_the_message_key_is_the_client_id():
    event = ApplicationReceived(SK_ID_CURR=100_002)
    history = HistoryRecorded(client_id=100_003, aggregates={}, computed_from="sha")
    assert event.key == b"100002" and history.key == b"100003"


def test_history_loader_publishes_one_record_per_client(tmp_path):
    history = pd.DataFrame(
        {
            "SK_ID_CURR": [100_002, 100_003],
            "BUREAU_LOANS": [2.0, np.nan],
            "INSTALMENTS_LATE_SHARE": [0.1, 0.0],
        }
    )
    history.to_parquet(tmp_path / "history.parquet", index=False)
    publisher = FakePublisher()
    bundle = Bundle(tmp_path, {"model_version": "v1", "data_fingerprint": "fp-123"})
    assert load_history(bundle, publisher, batch_size=1) == 2
    [(topic, first), (_, second)] = publisher.published
    assert topic == CLIENT_HISTORY and (first.client_id, first.computed_from) == (100_002, "fp-123")
    assert second.aggregates == {"BUREAU_LOANS": None, "INSTALMENTS_LATE_SHARE": 0.0}
