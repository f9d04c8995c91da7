"""Relations between application fields that independent draws would break."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit.schema import DAYS_SENTINEL
from training.demodata.marginals import inverse_cdf

YEAR = 365.25
# Measured: nobody in the sample started work before 17.9 years old, or got the ID document
# of DAYS_ID_PUBLISH before 20; 14 (the age of a first Russian passport) leaves room below that.
MIN_WORK_AGE_DAYS = round(18 * YEAR)
MIN_ID_AGE_DAYS = round(14 * YEAR)
# Measured: CNT_FAM_MEMBERS is exactly CNT_CHILDREN + 1, + 1 more for these statuses.
WITH_PARTNER = ("Married", "Civil marriage")


def make_plausible(apps: pd.DataFrame, profile: dict, rng: np.random.Generator) -> None:
    """In place: dates after birth, loan amounts that fit together, family and car fields that
    agree."""
    birth = apps["DAYS_BIRTH"]
    employed = apps["DAYS_EMPLOYED"]
    apps["DAYS_EMPLOYED"] = employed.where(
        employed == DAYS_SENTINEL, employed.clip(lower=birth + MIN_WORK_AGE_DAYS, upper=0)
    )
    apps["DAYS_REGISTRATION"] = apps["DAYS_REGISTRATION"].clip(lower=birth, upper=0)
    apps["DAYS_ID_PUBLISH"] = apps["DAYS_ID_PUBLISH"].clip(lower=birth + MIN_ID_AGE_DAYS, upper=0)
    _fit_loan_amounts(apps, profile["derived"])
    partner = apps["NAME_FAMILY_STATUS"].isin(WITH_PARTNER)
    apps["CNT_FAM_MEMBERS"] = apps["CNT_CHILDREN"] + 1 + partner
    _fit_car(apps, profile["tables"]["application"]["columns"]["OWN_CAR_AGE"], rng)


def _fit_loan_amounts(apps: pd.DataFrame, derived: dict) -> None:
    # Keep credit / annuity (the term) and credit / goods inside their measured ranges.
    credit = apps["AMT_CREDIT"]
    terms = derived["application_credit_term"]["quantiles"]
    apps["AMT_ANNUITY"] = (
        apps["AMT_ANNUITY"].clip(lower=credit / terms[-1], upper=credit / terms[0]).round(1)
    )
    ratios = derived["application_credit_goods_ratio"]["quantiles"]
    # The 1 % quantile (1.0) rather than the minimum: goods above the credit are 0.05 % of rows.
    apps["AMT_GOODS_PRICE"] = apps["AMT_GOODS_PRICE"].clip(
        lower=credit / ratios[-1], upper=credit / ratios[1]
    )


def _fit_car(apps: pd.DataFrame, car_age: dict, rng: np.random.Generator) -> None:
    # In the sample OWN_CAR_AGE is missing exactly when FLAG_OWN_CAR is N.
    has_car = (apps["FLAG_OWN_CAR"] == "Y").to_numpy()
    ages = inverse_cdf(car_age, rng.random(len(apps)))
    apps["OWN_CAR_AGE"] = np.where(has_car, ages, np.nan)
