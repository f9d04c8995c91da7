"""Comparing a client with the reference population, on small populations whose answers are known by
construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit.compare import Population, main_groups, value_of
from credit.schema import DAYS_SENTINEL
from credit.segments import AGE_BANDS, AGE_LABELS, age_band
from credit.similarity import MISMATCH, SIMILARITY_FEATURES

pytestmark = pytest.mark.unit
IDLE = "not employed"
FEATURES = len(SIMILARITY_FEATURES)


def person(
    sk_id: int,
    age=40.0,
    income=100_000.0,
    credit=400_000.0,
    annuity=20_000.0,
    employed=5.0,
    children=0,
    contract="Cash loans",
    family="Married",
    education="Higher education",
    region=2,
    target=0,
    pd_=0.05,
) -> dict:
    days_employed = (
        DAYS_SENTINEL if employed == IDLE else None if employed is None else -employed * 365.25
    )
    return {
        "SK_ID_CURR": sk_id,
        "TARGET": target,
        "PD": pd_,
        "DAYS_BIRTH": None if age is None else -age * 365.25,
        "AMT_INCOME_TOTAL": income,
        "AMT_CREDIT": credit,
        "AMT_ANNUITY": annuity,
        "DAYS_EMPLOYED": days_employed,
        "CNT_CHILDREN": children,
        "NAME_CONTRACT_TYPE": contract,
        "NAME_FAMILY_STATUS": family,
        "NAME_EDUCATION_TYPE": education,
        "REGION_RATING_CLIENT": region,
    }


def crowd(n: int = 40, start: int = 1000) -> list[dict]:
    """Clients spread over every number, all single: at least one mismatch away from a married
    client."""
    rng = np.random.default_rng(7)
    return [
        person(
            start + i,
            age=rng.uniform(20, 70),
            income=rng.uniform(30_000, 400_000),
            credit=rng.uniform(50_000, 1_500_000),
            annuity=rng.uniform(5_000, 60_000),
            employed=rng.uniform(0, 30),
            children=int(rng.integers(0, 4)),
            family="Single / not married",
            target=int(rng.integers(0, 2)),
            pd_=rng.uniform(0.01, 0.5),
        )
        for i in range(n)
    ]


def population(rows: list[dict]) -> Population:
    return Population(pd.DataFrame(rows))


def client(**values) -> dict:
    row = person(1, **values)
    return {k: v for k, v in row.items() if k not in ("TARGET", "PD")}


def test_percentile_is_the_share_of_clients_with_a_strictly_lower_pd():
    ranked = population([person(i, pd_=p) for i, p in enumerate([0.3, 0.1, 0.5, 0.2, 0.4])])
    assert [ranked.percentile(p) for p in (0.1, 0.3, 0.5)] == [0.0, 40.0, 80.0]
    assert ranked.percentile(0.01) == 0.0 and ranked.percentile(0.9) == 100.0


def test_the_five_nearest_are_the_clients_built_nearly_identical_nearest_first():
    twins = [
        person(
            10 + i,
            age=40 + 0.2 * i,
            income=100_000 * (1 + 0.01 * i),
            target=int(i < 2),
            pd_=0.1 * (i + 1),
        )
        for i in (5, 3, 1, 4, 2)
    ]
    similar = population(crowd() + twins).similar(client(), k=5)
    assert similar.ids.tolist() == [11, 12, 13, 14, 15] and similar.k == 5
    assert similar.default_rate == pytest.approx(0.2) and similar.mean_pd == pytest.approx(0.4)
    assert [f.name for f in similar.features] == [f.name for f in SIMILARITY_FEATURES]
    assert np.all(np.diff(similar.distance) > 0)


def test_index_points_at_reference_rows_and_clients_without_outcome_are_never_neighbours():
    rows = crowd(10) + [person(20, target=None), person(21, age=41)]
    similar = population(rows).similar(client(), k=1)
    assert similar.ids.tolist() == [21] and similar.index.tolist() == [11]


def test_a_category_mismatch_weighs_more_than_a_one_year_age_gap():
    similar = population(crowd() + [person(10, family="Separated"), person(11, age=41)]).similar(
        client(), k=2
    )
    assert similar.ids.tolist() == [11, 10]
    assert similar.distance[1] == pytest.approx(MISMATCH / np.sqrt(FEATURES))


def test_a_value_the_client_did_not_state_is_left_out_of_the_distance():
    rows = crowd() + [person(10, income=400_000), person(11, age=45)]
    assert population(rows).similar(client(), k=1).ids.tolist() == [11]
    unstated = population(rows).similar(client(income=None), k=1)
    assert unstated.ids.tolist() == [10] and unstated.distance[0] == 0.0
    assert "AMT_INCOME_TOTAL" not in [f.name for f in unstated.features]


def test_a_missing_reference_value_counts_as_a_mismatch():
    similar = population(crowd() + [person(10, income=None), person(11, income=101_000)]).similar(
        client(), k=2
    )
    assert similar.ids.tolist() == [11, 10]
    assert similar.distance[1] == pytest.approx(MISMATCH / np.sqrt(FEATURES))


def test_not_employed_is_a_state_close_only_to_itself():
    rows = crowd() + [person(10, employed=IDLE), person(11, employed=0.1)]
    idle = population(rows).similar(client(employed=IDLE), k=2)
    assert idle.ids.tolist() == [10, 11] and idle.distance[0] == 0.0
    assert idle.distance[1] == pytest.approx(MISMATCH / np.sqrt(FEATURES))
    working = population(rows).similar(client(employed=0.1), k=2)
    assert working.ids.tolist() == [11, 10] and working.distance[1] == pytest.approx(
        MISMATCH / np.sqrt(FEATURES)
    )


def test_the_client_is_never_its_own_neighbour_and_k_is_capped_at_the_population():
    rows = [person(1), person(2, age=50), person(3, age=60)]
    similar = population(rows).similar(client(), k=10)
    assert similar.ids.tolist() == [2, 3] and similar.k == 2 and np.isfinite(similar.distance).all()


def test_a_client_stating_no_similarity_feature_is_refused():
    empty = {"SK_ID_CURR": 1, "DAYS_BIRTH": None, "NAME_FAMILY_STATUS": None}
    with pytest.raises(ValueError):
        population(crowd(5)).similar(empty, k=3)


def test_numeric_distribution_counts_everyone_once_and_marks_the_client():
    rows = [person(i, credit=float(i), target=int(i % 4 == 0)) for i in range(1, 101)] + [
        person(0, credit=None)
    ]
    view = population(rows).distribution("AMT_CREDIT", 50.5)
    assert (
        sum(view["repaid"]) == 75
        and sum(view["defaulted"]) == 25
        and view["missing"] == {"repaid": 1, "defaulted": 0}
    )
    assert (
        len(view["edges"]) == len(view["repaid"]) + 1
        and view["percentile"] == 50.0
        and view["value"] == 50.5
    )
    assert population(rows).distribution("AMT_CREDIT")["percentile"] is None


def test_small_whole_numbers_get_one_bin_per_value():
    rows = [
        person(i, children=c, target=t)
        for i, (c, t) in enumerate([(0, 0), (0, 0), (0, 1), (1, 0), (2, 1)])
    ]
    view = population(rows).distribution("CNT_CHILDREN", 0)
    assert view["edges"] == [-0.5, 0.5, 1.5, 2.5]
    assert view["repaid"] == [2, 1, 0] and view["defaulted"] == [1, 0, 1]
    assert view["percentile"] == 30.0  # mid-rank: three tied at 0 count half


def test_age_and_employment_distributions_are_in_years_and_not_employed_counts_as_missing():
    rows = [person(i, age=20 + i, employed=IDLE if i < 3 else i) for i in range(20)]
    ages = population(rows).distribution("AGE_YEARS", 29.5)
    assert ages["percentile"] == 50.0 and sum(ages["repaid"]) == 20
    jobs = population(rows).distribution(
        "EMPLOYED_YEARS", value_of(client(employed=IDLE), "EMPLOYED_YEARS")
    )
    assert (
        jobs["missing"] == {"repaid": 3, "defaulted": 0}
        and sum(jobs["repaid"]) == 17
        and jobs["value"] is None
    )


def test_category_distribution_has_counts_and_default_rate_most_frequent_first():
    families = [
        ("Married", 0),
        ("Married", 1),
        ("Married", 0),
        ("Married", 1),
        ("Widow", 1),
        (None, 0),
    ]
    view = population(
        [person(i, family=f, target=t) for i, (f, t) in enumerate(families)]
    ).distribution("NAME_FAMILY_STATUS", "Widow")
    assert (
        view["categories"] == ["Married", "Widow"]
        and view["repaid"] == [2, 0]
        and view["defaulted"] == [2, 1]
    )
    assert view["default_rate"] == [0.5, 1.0] and view["missing"] == {"repaid": 1, "defaulted": 0}


def test_segments_combine_filters_and_age_bands_are_left_closed():
    rows = [
        person(1, age=24.9),
        person(2, age=25.0),
        person(3, age=34.9, contract="Revolving loans"),
        person(4, age=70.0, region=3),
        person(5, age=None),
    ]
    people = population(rows)
    assert people.segment({"AGE_BAND": "25-34"}).tolist() == [False, True, True, False, False]
    assert people.segment({"AGE_BAND": ["<25", "65+"]}).tolist() == [
        True,
        False,
        False,
        True,
        False,
    ]
    assert (
        people.segment({"AGE_BAND": "25-34", "NAME_CONTRACT_TYPE": "Cash loans"}).tolist()
        == [False, True] + [False] * 3
    )
    assert people.segment({"REGION_RATING_CLIENT": 3, "NAME_FAMILY_STATUS": None}).tolist() == [
        False
    ] * 3 + [True, False]
    assert people.segment({}).all()
    with pytest.raises(KeyError):
        people.segment({"GENDER": "F"})


def test_income_bands_are_quintiles_with_their_limits_as_labels():
    people = population([person(i, income=1000.0 * i) for i in range(1, 101)])
    assert [int(people.segment({"INCOME_BAND": f"Q{b}"}).sum()) for b in range(1, 6)] == [20] * 5
    options = {f.key: f for f in people.segment_options("en")}
    assert options["INCOME_BAND"].options[0] == ("Q1", "under €20,800")
    assert options["INCOME_BAND"].options[-1] == ("Q5", "€80,200 and over")
    assert dict(options["NAME_FAMILY_STATUS"].options)["Married"] == "Married"
    french = {f.key: dict(f.options) for f in people.segment_options("fr")}
    assert (
        french["NAME_CONTRACT_TYPE"]["Cash loans"] == "Prêt personnel"
        and french["AGE_BAND"]["65+"] == "65 ans et plus"
    )


def test_age_bands_are_the_fairness_reports_and_left_closed():
    from training import pipeline

    days = pd.Series(
        [-24.99 * 365.25, -25 * 365.25, -64.99 * 365.25, -65 * 365.25, np.nan, -201 * 365.25]
    )
    assert pipeline.age_band is age_band  # the training report's bands are the dashboard's
    assert (
        age_band(days).tolist()[:4] == ["<25", "25-34", "55-64", "65+"]
        and age_band(days)[4:].isna().all()
    )
    assert list(age_band(days).cat.categories) == list(AGE_LABELS) and AGE_BANDS[0] == 0


def test_describe_gives_a_segments_size_default_rate_and_mean_pd():
    people = population(
        [person(1, target=1, pd_=0.3), person(2, pd_=0.1), person(3, contract="Revolving loans")]
    )
    summary = people.describe(people.segment({"NAME_CONTRACT_TYPE": "Cash loans"}))
    assert (
        summary["clients"] == 2
        and summary["default_rate"] == 0.5
        and summary["mean_pd"] == pytest.approx(0.2)
    )


def test_main_groups_rank_by_mean_absolute_points_and_keep_the_sign():
    points = pd.DataFrame(
        {
            "SK_ID_CURR": [1, 2],
            "PD": [0.9, 0.8],
            "age": [0.1, 0.1],
            "income": [-0.3, -0.3],
            "family": [0.2, -0.2],
            "car": [0.01, 0.01],
        }
    )
    assert main_groups(points) == [
        ("income", pytest.approx(-0.3)),
        ("family", 0.0),
        ("age", pytest.approx(0.1)),
    ]
    assert main_groups(points, top=1) == [("income", pytest.approx(-0.3))]


def test_value_of_makes_years_from_days_and_says_none_when_unknown():
    assert value_of(client(age=40.0), "AGE_YEARS") == pytest.approx(40.0)
    assert value_of(client(employed=IDLE), "EMPLOYED_YEARS") is None
    assert value_of({"NAME_FAMILY_STATUS": "Widow"}, "NAME_FAMILY_STATUS") == "Widow"
    assert value_of({}, "AMT_CREDIT") is None
