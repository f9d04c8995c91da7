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
from credit.events import ApplicationExplained, ApplicationScored, now
from credit.explain.contributions import Contributions, TreeContributions
from credit.explain.dictionary import groups, group_of
from credit.explain.reasons import Reference, explain_group, top_reasons, with_direction
from credit.explain.summary import summarise
from credit.features.vector import as_model_input

ADDS_UP = 1e-6  # base value + contributions must equal the decision's PD within this


def group_members(features: Sequence[str]) -> dict[str, list[int]]:
    """Readable group -> indices of its features, in the dictionary's group order."""
    owners = group_of(features)
    return {g.id: [i for i, owner in enumerate(owners) if owner == g.id] for g in groups() if g.id in owners}


def grouped_points(points: np.ndarray, members: dict[str, list[int]]) -> np.ndarray:
    """[applications, groups] sums of the feature points of each group."""
    return np.column_stack([points[:, idx].sum(axis=1) for idx in members.values()])


def reference_of(manifest: dict) -> Reference:
    stats = manifest["reference_stats"]
    return Reference(stats["medians"], stats["default_rates"], stats["default_rate"], manifest["vocabularies"])


class Explainer:
    """Explains the decisions of one model bundle with its native LightGBM model."""

    def __init__(self, bundle: Bundle, threads: int = 1):
        self.model_version, self.features = bundle.model_version, bundle.features
        booster = lgb.Booster(model_file=str(bundle.file("lightgbm")))
        self.contributions = TreeContributions(booster, bundle.calibrator, threads)
        self.members = group_members(self.features)
        self.reference = reference_of(bundle.manifest)
        self._groups = {g.id: g for g in groups()}

    def explain(self, decisions: Sequence[ApplicationScored]) -> list[ApplicationExplained]:
        """One explanation per decision; the caller checks `adds_up` before publishing."""
        x = as_model_input(np.array([d.features for d in decisions], dtype="float64").reshape(len(decisions), -1))
        result = self.contributions.explain(x)
        return [self._explanation(d, x[i], result, i) for i, d in enumerate(decisions)]

    def _explanation(self, decision: ApplicationScored, row: np.ndarray, result: Contributions, i: int):
        row_values, row_points = row.tolist(), result.points[i].tolist()  # plain floats: fast to index
        values, points = dict(zip(self.features, row_values)), dict(zip(self.features, row_points))
        contributions = sorted((self._group(g, idx, row_values, row_points) for g, idx in self.members.items()),
                               key=lambda c: -abs(c["points"]))
        reasons = [{"group": g, "direction": direction, "points": p,
                    "text": with_direction(explain_group(self._groups[g], values, points, self.reference), direction)}
                   for g, direction, p in top_reasons({c["group"]: c["points"] for c in contributions})]
        return ApplicationExplained(
            application_id=decision.application_id, client_id=decision.client_id, model_version=self.model_version,
            probability_of_default=decision.probability_of_default, decision=decision.decision,
            threshold=decision.threshold, base_value=result.base_value, contributions=contributions, reasons=reasons,
            summary=summarise(decision.probability_of_default, decision.decision, decision.threshold,
                              result.base_value, reasons),
            decided_at=decision.decided_at, explained_at=now())

    def _group(self, group: str, idx: list[int], values: list[float], points: list[float]) -> dict:
        used = [i for i in idx if points[i] != 0.0]  # a feature no tree splits on contributes exactly 0
        names = self.features
        return {"group": group, "points": math.fsum(points[i] for i in idx),
                "features": {names[i]: points[i] for i in used},
                "values": {names[i]: None if math.isnan(values[i]) else values[i] for i in used}}


def adds_up(explanation: ApplicationExplained) -> float:
    """How far base value + contributions are from the decision's PD (0 when they add up exactly)."""
    total = explanation.base_value + sum(c.points for c in explanation.contributions)
    return abs(total - explanation.probability_of_default)
