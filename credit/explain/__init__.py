"""Explanations of decisions: exact contributions in probability points, grouped, in words."""
from credit.explain.dictionary import DictionaryError, group_of
from credit.explain.explanation import ADDS_UP, Explainer, adds_up, group_members, grouped_points

__all__ = ["ADDS_UP", "DictionaryError", "Explainer", "adds_up", "group_members", "group_of", "grouped_points"]
