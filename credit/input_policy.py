"""The input policy: which source fields and history tables may feed the model, and why.

credit/input_policy.json is the project's written decision on every field of application_train
and every history table: admitted (with the business reason), excluded (with the reason), or in an
option group (age, family situation, building statistics) that training includes or excludes
(`python -m training --include-group/--exclude-group`). Feature code takes its inputs from here,
and a bundle records the policy and the group choices it was trained under (`policy_record`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

from credit.schema import columns_of

ADMITTED, EXCLUDED, OPTION = "admitted", "excluded", "option"
INCLUDE, EXCLUDE = "include", "exclude"


class PolicyError(ValueError):
    """Options or inputs the input policy does not allow, with the rule at stake."""


@cache
def _text() -> str:
    return resources.files("credit").joinpath("input_policy.json").read_text()


@cache
def policy() -> dict:
    """The policy file's content (do not modify: cached)."""
    return json.loads(_text())


def group_choices(include: Iterable[str] = (), exclude: Iterable[str] = ()) -> dict[str, str]:
    """Group -> include/exclude: the policy's defaults, overridden by training options."""
    include, exclude = set(include), set(exclude)
    unknown = (include | exclude) - set(policy()["groups"])
    if unknown:
        raise PolicyError(
            f"unknown option group(s) {', '.join(sorted(unknown))} "
            f"(known: {', '.join(policy()['groups'])})"
        )
    if include & exclude:
        raise PolicyError(
            f"group(s) {', '.join(sorted(include & exclude))} both included and excluded"
        )
    return {
        group: INCLUDE if group in include else EXCLUDE if group in exclude else spec["default"]
        for group, spec in policy()["groups"].items()
    }


def policy_record(groups: Mapping[str, str]) -> dict:
    """What a bundle's manifest records: the policy's version, hash and content, and the group
    choices."""
    return {
        "version": policy()["version"],
        "sha256": hashlib.sha256(_text().encode()).hexdigest(),
        "groups": dict(groups),
        "policy": policy(),
    }


@cache
def application_inputs() -> dict[str, str]:
    """application_train columns the features may read (admitted or in an option group), with their
    kind."""
    fields = policy()["application_train"]
    return {
        column: kind
        for column, kind in columns_of("application_train").items()
        if fields[column]["use"] in (ADMITTED, OPTION)
    }


def group_fields(group: str) -> tuple[str, ...]:
    """The application fields of one option group."""
    return tuple(
        c
        for c, e in policy()["application_train"].items()
        if e["use"] == OPTION and e["group"] == group
    )


def protected_fields() -> tuple[str, ...]:
    """Excluded fields kept in the data for the fairness report only (sex)."""
    return tuple(c for c, e in policy()["application_train"].items() if e.get("fairness_only"))


def history_tables() -> tuple[str, ...]:
    """The history tables admitted as sources."""
    return tuple(stem for stem, entry in policy()["history"].items() if entry["use"] == ADMITTED)


def excluded_history_fields(stem: str) -> list[str]:
    """The fields of an admitted history table the features must not read."""
    return list(policy()["history"][stem].get("excluded_fields", {}))


def breaches(sources: Mapping[str, Iterable[str]], groups: Mapping[str, str]) -> list[str]:
    """One sentence per model feature whose sources the policy (with these group choices)
    forbids."""
    found = []
    for feature, fields in sources.items():
        for source in fields:
            rule = _rule(source, groups)
            if rule:
                found.append(f"feature {feature} uses {source}, {rule}")
    return found


def allowed(
    sources: Mapping[str, Iterable[str]], groups: Mapping[str, str], without: Iterable[str] = ()
) -> list[str]:
    """The features (in order) every source of which the policy allows, none of them in
    `without`."""
    without = set(without)
    return [
        feature
        for feature, fields in sources.items()
        if not any(_rule(s, groups) or s in without for s in fields)
    ]


def _rule(source: str, groups: Mapping[str, str]) -> str | None:
    """Why the policy forbids a source under these group choices, or None when it allows it."""
    entry = policy()["application_train"].get(source) or policy()["history"].get(source)
    if entry is None:
        return "which has no entry in the input policy (credit/input_policy.json)"
    if entry["use"] == EXCLUDED:
        return f"excluded by the input policy: {entry['reason']}"
    if entry["use"] == OPTION and groups.get(entry["group"]) != INCLUDE:
        return (
            f"in the option group {entry['group']!r}, which this model excludes: {entry['reason']}"
        )
    return None
