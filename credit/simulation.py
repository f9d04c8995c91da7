"""What-if simulations of an application: new loan terms scored and explained by the services' own
rules.

Nothing here is published or stored: a simulation is only shown to the relationship manager.
Simulations apply the review band the scorer service applied to the client's recorded decision
(its SCORER_REVIEW_BAND), so a simulated PD close to the threshold is shown as left to a reviewer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from credit.dead_letters import describe
from credit.decision import DECIDED, GRANTED, REVIEW_BAND
from credit.events import ApplicationExplained, ApplicationReceived, ApplicationScored
from credit.scoring import Scorer

CHANGEABLE = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "AMT_INCOME_TOTAL")
AMOUNT, TERM = "amount", "term"


class WrongValue(ValueError):
    """A simulated field the application cannot take; `reason`: "wrong" (not a positive amount) or
    "invalid"."""

    def __init__(self, field: str, reason: str, detail: str):
        super().__init__(f"{field}: {detail}")
        self.field, self.reason = field, reason


@dataclass(frozen=True)
class Suggestion:
    """The smallest change of amount or term found that turns a refusal into a grant."""

    kind: str  # AMOUNT (borrow less, same term) or TERM (more repayments, same amount)
    change: float  # relative: 0.15 is 15 % less money, or 15 % more repayments
    changes: dict  # the new AMT_CREDIT and AMT_ANNUITY, ready for `simulate`
    repayments: (
        float | None
    )  # the term it gives, in annuities (credit / annuity); None when the annuity is unknown
    probability_of_default: float


def changed(application: ApplicationReceived, changes: dict) -> ApplicationReceived:
    """The application with new loan amounts or income; WrongValue names a wrong field."""
    for field, value in changes.items():
        if field not in CHANGEABLE:
            raise ValueError(
                f"{field}: cannot be changed in a simulation (only {', '.join(CHANGEABLE)})"
            )
        if (
            value is None or not value > 0
        ):  # a zero amount or income would make the ratios meaningless
            raise WrongValue(field, "wrong", f"must be a positive amount, not {value!r}")
    try:
        return ApplicationReceived.model_validate({**application.model_dump(), **changes})
    except ValidationError as error:
        fields = [str(e["loc"][0]) for e in error.errors() if e.get("loc")]
        raise WrongValue(", ".join(fields) or "?", "invalid", describe(error)) from None


def _amount_candidates(application, step: float, floor: float) -> list[tuple[float, dict]]:
    """Smaller loans at the same term (the annuity shrinks with the amount), largest first; whole
    amounts, as a person would type them."""
    credit, annuity = application.AMT_CREDIT, application.AMT_ANNUITY
    cuts = [round(k * step, 10) for k in range(1, int(round((1 - floor) / step)) + 1)]
    return [
        (
            cut,
            {"AMT_CREDIT": round(credit * (1 - cut))}
            | ({"AMT_ANNUITY": round(annuity * (1 - cut))} if annuity else {}),
        )
        for cut in cuts
        if round(credit * (1 - cut)) > 0
    ]


def _term_candidates(application, longest: float) -> list[tuple[float, dict]]:
    """The same loan repaid in each whole number of repayments (annuities) more than now, up to
    `longest` times now; how often an annuity falls the data does not say (Kaggle: "Loan
    annuity")."""
    credit, annuity = application.AMT_CREDIT, application.AMT_ANNUITY
    if not annuity:
        return []  # no term to lengthen
    count = credit / annuity
    return [
        (n / count - 1, {"AMT_CREDIT": credit, "AMT_ANNUITY": round(credit / n)})
        for n in range(math.floor(count) + 1, math.floor(longest * count) + 1)
    ]


class Simulator:
    """Scores and explains changed applications as the services would: a scorer, an explainer, and
    the clients' history records (client ids -> {client id: aggregates} for those that have a
    history)."""

    def __init__(
        self, scorer: Scorer, explainer, histories: Callable[[Iterable[int]], Mapping[int, Mapping]]
    ):
        self.scorer, self.explainer, self.histories = scorer, explainer, histories

    def simulate(
        self, application: ApplicationReceived, changes: dict, review_band: float = REVIEW_BAND
    ) -> tuple[ApplicationScored, ApplicationExplained]:
        """The decision and explanation the services would give the application with `changes`."""
        decision = self._score([changed(application, changes)], review_band)[0]
        return decision, self.explainer.explain([decision])[0]

    def smallest_grant(
        self,
        application: ApplicationReceived,
        review_band: float = REVIEW_BAND,
        step: float = 0.01,
        floor: float = 0.2,
        longest: float = 2.0,
    ) -> Suggestion | None:
        """The smallest relative change (amount down to `floor` of it, or term up to `longest` times
        it) that is granted automatically: a proposed grant left to a reviewer is not a grant yet.

        Every candidate is scored in one batch, and the grid is searched in full rather than
        bisected: the PD is monotone in some features only, so a larger loan can be granted where a
        smaller one is not. None when the application is already granted, or when nothing in the
        search range grants.
        """
        if not application.AMT_CREDIT:
            return None
        candidates = [(AMOUNT, c, ch) for c, ch in _amount_candidates(application, step, floor)]
        candidates += [(TERM, c, ch) for c, ch in _term_candidates(application, longest)]
        decisions = self._score(
            [application] + [changed(application, ch) for _, _, ch in candidates], review_band
        )
        if granted_automatically(decisions[0]):
            return None
        granted = [
            (change, kind, ch, d)
            for (kind, change, ch), d in zip(candidates, decisions[1:])
            if granted_automatically(d)
        ]
        if not granted:
            return None
        change, kind, changes, decision = min(
            granted, key=lambda g: (g[0], g[1])
        )  # ties: the amount
        annuity = changes.get("AMT_ANNUITY")
        return Suggestion(
            kind,
            change,
            changes,
            changes["AMT_CREDIT"] / annuity if annuity else None,
            decision.probability_of_default,
        )

    def _score(
        self, applications: list[ApplicationReceived], review_band: float
    ) -> list[ApplicationScored]:
        """Decisions for validated applications, with their clients' history as the scorer service
        has it."""
        histories = self.histories({a.SK_ID_CURR for a in applications})
        return self.scorer.score(
            [a.model_dump() for a in applications], histories, review_band=review_band
        )


def granted_automatically(decision: ApplicationScored) -> bool:
    return decision.decision == GRANTED and decision.status == DECIDED
