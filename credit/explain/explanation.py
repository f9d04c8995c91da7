"""Explanations of decisions: contributions grouped for people, reasons and a summary.

One Explainer per model version; the explainer service and training (for the reference
clients) both use it, so a client's explanation and the reference ones are computed alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import lightgbm as lgb
import numpy as np

from credit.bundle import Bundle
from credit.decision import TO_REVIEW
from credit.events import ApplicationExplained, ApplicationScored, now
from credit.explain.contributions import TreeContributions
from credit.explain.dictionary import group_of, groups
from credit.explain.reasons import Reasons, top_reasons
from credit.explain.reference import reference_of
from credit.explain.summary import summarise
from credit.features.vector import as_model_input

ADDS_UP = 1e-6  # base value + contributions must equal the decision's PD within this


def group_members(features: Sequence[str]) -> dict[str, list[int]]:
    """Readable group -> indices of its features, in the dictionary's group order."""
    owners = group_of(features)
    return {
        g.id: [i for i, owner in enumerate(owners) if owner == g.id]
        for g in groups()
        if g.id in owners
    }


def grouped_points(points: np.ndarray, members: dict[str, list[int]]) -> np.ndarray:
    """[applications, groups] sums of the feature points of each group."""
    return np.column_stack([points[:, idx].sum(axis=1) for idx in members.values()])


class Explainer:
    """Explains the decisions of one model bundle with its native LightGBM model."""

    def __init__(self, bundle: Bundle):
        self.model_version, self.features = bundle.model_version, bundle.features
        booster = lgb.Booster(model_file=str(bundle.file("lightgbm")))
        self.contributions = TreeContributions(booster, bundle.calibrator)
        self.members = group_members(self.features)
        self.reference = reference_of(
            bundle.manifest["reference_stats"], bundle.manifest["vocabularies"]
        )
        self._reasons_of = Reasons(self.reference)
        self._groups = {g.id: g for g in groups()}

    def explain(self, decisions: Sequence[ApplicationScored]) -> list[ApplicationExplained]:
        """One explanation per decision; the caller checks `adds_up` before publishing."""
        x = as_model_input(
            np.array([d.features for d in decisions], dtype="float64").reshape(len(decisions), -1)
        )
        result = self.contributions.explain(x)
        grouped = grouped_points(result.points, self.members)
        return [  # the arrays turned into lists once for the whole batch
            self._explanation(d, row, points, by_group, result.base_value)
            for d, row, points, by_group in zip(
                decisions, x.tolist(), result.points.tolist(), grouped.tolist(), strict=True
            )
        ]

    def _explanation(
        self,
        decision: ApplicationScored,
        row: list[float],
        points: list[float],
        grouped: list[float],
        base_value: float,
    ) -> ApplicationExplained:
        by_group = dict(zip(self.members, grouped))
        reasons = self._reasons(
            by_group, dict(zip(self.features, row)), dict(zip(self.features, points))
        )
        return ApplicationExplained(
            application_id=decision.application_id,
            client_id=decision.client_id,
            model_version=self.model_version,
            probability_of_default=decision.probability_of_default,
            decision=decision.decision,
            threshold=decision.threshold,
            base_value=base_value,
            contributions=[
                {"group": g, "points": p}
                for g, p in sorted(by_group.items(), key=lambda gp: -abs(gp[1]))
            ],
            feature_points=points,
            reasons=reasons,
            summary=summarise(
                decision.probability_of_default,
                decision.decision,
                decision.threshold,
                base_value,
                reasons,
                decision.status == TO_REVIEW,
            ),
            decided_at=decision.decided_at,
            explained_at=now(),
            status=decision.status,
        )

    def _reasons(self, by_group: dict, values: dict, points: dict) -> list[dict]:
        """The main reasons each way, with their codes; a group that is never a reason (the
        application's weekday and hour, until the input policy drops them) keeps its contribution
        but is not given."""
        said = {g: p for g, p in by_group.items() if self._groups[g].reason}
        return [
            {
                "group": g,
                "code": self._groups[g].code,
                "direction": direction,
                "points": p,
                "text": self._reasons_of.of(self._groups[g], values, points, direction),
            }
            for g, direction, p in top_reasons(said)
        ]


def adds_up(explanation: ApplicationExplained) -> float:
    """How far base value + contributions (by group and by feature) are from the decision's PD; 0
    when exact."""
    by_group = explanation.base_value + math.fsum(c.points for c in explanation.contributions)
    by_feature = explanation.base_value + math.fsum(explanation.feature_points)
    return max(
        abs(by_group - explanation.probability_of_default),
        abs(by_feature - explanation.probability_of_default),
    )
