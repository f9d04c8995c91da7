"""Reading the Kaggle files: every bad input gets an error naming the file and the column."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from credit.schema import DataError
from credit.tables import coerce, read_table, read_tables
from tests.unit.tiny_tables import tiny_table, write_tiny_dir

pytestmark = pytest.mark.unit


@pytest.fixture
def data_dir(tmp_path):
    return write_tiny_dir(tmp_path / "data")


def rewrite(data_dir, stem, frame, **to_csv):
    frame.to_csv(data_dir / f"{stem}.csv", index=False, **to_csv)


def test_valid_directory_reads_every_table_with_schema_types(data_dir):
    tables = read_tables(data_dir)
    assert set(tables) >= {"application_train", "bureau_balance", "credit_card_balance"}
    train = tables["application_train"]
    assert train["AMT_CREDIT"].dtype == "float64" and train["SK_ID_CURR"].dtype == "int64"
    assert set(train["FLAG_OWN_CAR"]) == {1.0}


def test_missing_file_is_named(data_dir):
    (data_dir / "bureau.csv").unlink()
    with pytest.raises(DataError, match=r"bureau\.csv: file not found"):
        read_tables(data_dir)


def test_missing_required_column_is_named(data_dir):
    rewrite(
        data_dir, "application_train", tiny_table("application_train").drop(columns="AMT_CREDIT")
    )
    with pytest.raises(
        DataError, match=r"application_train\.csv, column AMT_CREDIT: required column missing"
    ):
        read_table(data_dir, "application_train")


def test_wrong_delimiter_is_detected(data_dir):
    rewrite(data_dir, "bureau", tiny_table("bureau"), sep=";")
    with pytest.raises(
        DataError, match=r"bureau\.csv: wrong delimiter: expected commas \(found ';'\)"
    ):
        read_table(data_dir, "bureau")


def test_non_numeric_value_names_column_and_row(data_dir):
    frame = tiny_table("installments_payments")
    frame["AMT_PAYMENT"] = frame["AMT_PAYMENT"].astype(object)
    frame.loc[1, "AMT_PAYMENT"] = "12,5 EUR"
    rewrite(data_dir, "installments_payments", frame)
    with pytest.raises(
        DataError, match=r"column AMT_PAYMENT: non-numeric value '12,5 EUR' at data row 2"
    ):
        read_table(data_dir, "installments_payments")


def test_table_with_header_only_is_empty(data_dir):
    rewrite(data_dir, "POS_CASH_balance", tiny_table("POS_CASH_balance").head(0))
    with pytest.raises(
        DataError, match=r"POS_CASH_balance\.csv: the table has a header but no rows"
    ):
        read_table(data_dir, "POS_CASH_balance")


def test_zero_byte_file_is_empty(data_dir):
    (data_dir / "bureau_balance.csv").write_text("")
    with pytest.raises(DataError, match=r"bureau_balance\.csv: the file is empty"):
        read_table(data_dir, "bureau_balance")


@pytest.mark.parametrize("bad_target", [2, -1, 0.5])
def test_target_must_be_zero_or_one(data_dir, bad_target):
    frame = tiny_table("application_train").astype({"TARGET": "float64"})
    frame.loc[0, "TARGET"] = bad_target
    rewrite(data_dir, "application_train", frame)
    with pytest.raises(DataError, match=r"column TARGET: TARGET must be 0 or 1"):
        read_table(data_dir, "application_train")


def test_flag_other_than_y_or_n_is_named(data_dir):
    frame = tiny_table("application_train")
    frame.loc[2, "FLAG_OWN_REALTY"] = "maybe"
    rewrite(data_dir, "application_train", frame)
    with pytest.raises(DataError, match=r"column FLAG_OWN_REALTY: expected Y or N, found 'maybe'"):
        read_table(data_dir, "application_train")


def test_missing_client_id_is_refused(data_dir):
    frame = tiny_table("bureau")
    frame["SK_ID_CURR"] = frame["SK_ID_CURR"].astype(object)
    frame.loc[1, "SK_ID_CURR"] = None
    rewrite(data_dir, "bureau", frame)
    with pytest.raises(DataError, match=r"column SK_ID_CURR: missing id at data row 2"):
        read_table(data_dir, "bureau")


def test_unknown_extra_column_is_ignored_with_a_warning(data_dir, caplog):
    rewrite(data_dir, "bureau", tiny_table("bureau").assign(MY_NOTE="x"))
    with caplog.at_level(logging.WARNING):
        frame = read_table(data_dir, "bureau")
    assert "MY_NOTE" not in frame.columns
    assert "bureau.csv: ignoring 1 unknown column(s): MY_NOTE" in caplog.text


def test_kaggle_missing_codes_become_missing():
    frame = pd.DataFrame(
        {
            "SK_ID_PREV": [1, 2, 3],
            "SK_ID_CURR": [1, 1, 2],
            "NAME_CASH_LOAN_PURPOSE": ["XAP", "XNA", "Repairs"],
        }
    )
    typed = coerce(frame, "previous_application")
    assert typed["NAME_CASH_LOAN_PURPOSE"].tolist() == [None, None, "Repairs"]
