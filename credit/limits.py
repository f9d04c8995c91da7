"""What an accepted value may be: every event field's limits, so the pipeline carries it faithfully.

Ids fit a signed 64-bit integer (Kafka keys, SQLite, pandas). Application numbers are JSON numbers
(never booleans or numeric strings), finite in float32 (the model's input type) and within plausible
Kaggle limits; counts and 0/1 flags are whole numbers; DAYS_* count days before the application.
Every row of the Kaggle files respects these limits (the full files' extremes are in the comments).
"""

from __future__ import annotations

import numbers
import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from credit.schema import DAYS_SENTINEL

INT64_MAX = 2**63 - 1
FLOAT32_MAX = 3.4028234e38  # float32's largest finite value, rounded down
# Printable ASCII without spaces, 1 to 64 characters: a uuid4, or "<topic>-<partition>-<offset>".
APPLICATION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"

# Generous plausible limits: the sample's extremes are an income of 2.0e6, 25 people in the social
# circle, 17 credit-bureau enquiries a year and a birth 25,161 days ago (the full Kaggle files':
# 1.2e8 income, a few hundred people or enquiries, 25,229 days).
AMOUNT_MAX = 1e9
COUNT_MAX = 1_000
DAYS_MIN = -36_525  # 100 years

# RFC 3339, as JSON Schema's date-time: a date, a time with seconds, and the timezone (without one,
# pydantic's AwareDatetime says so).
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?")


def _integer(value):
    """A JSON integer: a whole number (100002 or 100002.0, both integers to JSON Schema), never a
    bool or a string."""
    if isinstance(value, bool) or not isinstance(value, (int, float, numbers.Integral)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _timestamp(value):
    """A date-time as text, RFC 3339 with its timezone; not a number of seconds (pydantic would take
    one)."""
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise PydanticCustomError(
            "datetime_format", "Input should be an RFC 3339 date-time, e.g. 2026-12-01T19:45:00Z"
        )
    if not isinstance(value, (str, datetime)):
        raise PydanticCustomError(
            "datetime_type", "Input should be an RFC 3339 date-time, e.g. 2026-12-01T19:45:00Z"
        )
    return value


def _whole(value: float | None) -> float | None:
    """multiple_of=1 lets 0.9999999999999999 and 5e-324 through (floating-point remainders): check
    exactly."""
    if value is not None and not float(value).is_integer():
        raise PydanticCustomError("multiple_of", "Input should be a multiple of 1")
    return value


ClientId = Annotated[
    int, Field(gt=0, le=INT64_MAX), BeforeValidator(_integer)
]  # SK_ID_CURR: a JSON integer
Timestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp)]  # every event's times
ApplicationId = Annotated[str, Field(min_length=1, max_length=64, pattern=APPLICATION_ID_PATTERN)]

# The numbers of the other events: JSON numbers (never booleans or numeric strings), finite, within
# their limits.
DURATION_MAX_MS = 3_600_000  # an hour: a stage's time per application is milliseconds, never this
Number32 = Annotated[
    float, Field(strict=True, allow_inf_nan=False, ge=-FLOAT32_MAX, le=FLOAT32_MAX)
]  # a model input
Share = Annotated[
    float, Field(strict=True, allow_inf_nan=False, ge=0, le=1)
]  # a probability (of default)
Threshold = Annotated[
    float, Field(strict=True, allow_inf_nan=False, gt=0, lt=1)
]  # PD from which a loan is refused
Band = Annotated[
    float, Field(strict=True, allow_inf_nan=False, ge=0, lt=1)
]  # a share of the threshold
Points = Annotated[
    float, Field(strict=True, allow_inf_nan=False, ge=-1, le=1)
]  # probability points: a PD difference
Milliseconds = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=DURATION_MAX_MS)]

_WHOLE = {"multiple_of": 1}
_SHARE = {"ge": 0, "le": 1}
# Limits of the application numbers, the first matching rule applies (a column's name matches
# re.match).
_RULES: list[tuple[str, dict]] = [
    (r"AMT_REQ_CREDIT_BUREAU_", {"ge": 0, "le": COUNT_MAX, **_WHOLE}),  # enquiries, not money
    # Money: one unit at least (the sample's smallest: an annuity of 2,425.5), so no ratio of two
    # overflows.
    (r"AMT_", {"ge": 1, "le": AMOUNT_MAX}),
    (r"CNT_CHILDREN$", {"ge": 0, "le": 30, **_WHOLE}),
    (r"CNT_FAM_MEMBERS$", {"ge": 1, "le": 40, **_WHOLE}),
    (r"(OBS|DEF)_\d+_CNT_SOCIAL_CIRCLE$", {"ge": 0, "le": COUNT_MAX, **_WHOLE}),
    (r"DAYS_BIRTH$", {"ge": DAYS_MIN, "le": -6_570}),  # 18 to 100 years old
    (r"DAYS_", {"ge": DAYS_MIN, "le": 0}),
    (r"EXT_SOURCE_", _SHARE),
    (r"HOUR_APPR_PROCESS_START$", {"ge": 0, "le": 23, **_WHOLE}),
    (r"OWN_CAR_AGE$", {"ge": 0, "le": 100}),
    (r"REGION_RATING_CLIENT", {"ge": 1, "le": 3, **_WHOLE}),
    (r"REGION_POPULATION_RELATIVE$", _SHARE),
    (r"FLAG_|(REG|LIVE)_(REGION|CITY)_NOT_", {**_SHARE, **_WHOLE}),  # 0/1 flags
    (r".*_(AVG|MODE|MEDI)$", _SHARE),  # the building's statistics, normalised by Kaggle
    (r"", {"ge": -FLOAT32_MAX, "le": FLOAT32_MAX}),
]


def number_limits(column: str) -> dict:
    """The Field limits of one application number (ge, le and, for counts and flags,
    multiple_of)."""
    return next(limits for pattern, limits in _RULES if re.match(pattern, column))


def application_number(column: str):
    """The type and default of one optional application number, with its limits."""
    if column == "DAYS_EMPLOYED":
        return _days_employed()
    limits = number_limits(column)
    kind = (
        Annotated[float | None, AfterValidator(_whole)] if "multiple_of" in limits else float | None
    )
    return (kind, Field(None, strict=True, allow_inf_nan=False, **limits))


def _employed_or_sentinel(days: float | None) -> float | None:
    if days is not None and days > 0 and days != DAYS_SENTINEL:
        raise PydanticCustomError(
            "days_employed",
            "must be 0 or less (days before the application), or {sentinel} (not employed)",
            {"sentinel": DAYS_SENTINEL},
        )
    return days


def _days_employed():
    """DAYS_EMPLOYED: days before the application, or Kaggle's 365243 for "not employed"."""
    schema = {
        "anyOf": [
            {"type": "number", "minimum": DAYS_MIN, "maximum": 0},
            {"type": "number", "const": DAYS_SENTINEL},
            {"type": "null"},
        ],
        "default": None,
        "title": "Days Employed",
    }
    kind = Annotated[float | None, AfterValidator(_employed_or_sentinel), WithJsonSchema(schema)]
    return (kind, Field(None, strict=True, allow_inf_nan=False, ge=DAYS_MIN, le=DAYS_SENTINEL))
