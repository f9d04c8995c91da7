"""Recording a reviewer's decision: checked, published to loan-reviews, then shown at once.

The review counts once the broker has acknowledged it (acks from every replica): the reviewer is
told it is recorded only then. It is also written to the store straight away, so the file shows
it before the feed brings it back (the upsert by review_id makes that harmless).
`record` blocks until then (15 s at worst with the broker down): the page calls it off the
server's event loop, so several may run at once; they are taken one at a time, because the check
that the file is as shown holds only until the review is in the store.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from pydantic import ValidationError

from adapters.kafka import Producer
from credit.dead_letters import describe
from credit.events import ApplicationReviewed
from credit.reviews import review_kind
from credit.topics import LOAN_REVIEWS
from dashboard.accounts import role_of
from dashboard.store import ClientFileRecord

REVIEWER = "reviewer"
log = logging.getLogger(__name__)
SEND_TIMEOUT_S = 5  # per step (connect, metadata, acknowledgement): a reviewer waits 15 s at worst


class ReviewRefused(ValueError):
    """A review that cannot be recorded; `reason` says why, for the reviewer in their language (the
    catalogue's review.refusals), the message for the log."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class ReviewUnrecorded(RuntimeError):
    """The broker did not acknowledge the review: nothing was recorded, the reviewer may try
    again."""

    reason = "unrecorded"


def shown_state(file: ClientFileRecord) -> tuple:
    """What a reviewer decides on: the file's application and its decision in force, as shown to
    them."""
    return file.application_id, file.in_force


class Reviews:
    """`producer`: the shared producer to loan-reviews (tests give one over a fake)."""

    def __init__(self, store, bootstrap: str, users_file: Path, producer: Producer | None = None):
        self.store, self.bootstrap, self.users_file = store, bootstrap, users_file
        self.producer = producer or Producer(bootstrap, SEND_TIMEOUT_S, "dashboard-reviews")
        self._lock = threading.Lock()

    def record(
        self, user: str, client_id: int, shown: tuple, after: str, justification: str
    ) -> ApplicationReviewed:
        """The review by `user` of the file shown to them (`shown`: its `shown_state`); refused when
        the file changed meanwhile (a newer application, another reviewer's decision).
        Raises ReviewRefused or ReviewUnrecorded."""
        with (
            self._lock
        ):  # two reviewers (or two clicks) on one file: the second sees the first and is refused
            return self._record(user, client_id, shown, after, justification)

    def _record(
        self, user: str, client_id: int, shown: tuple, after: str, justification: str
    ) -> ApplicationReviewed:
        # The role as it is now, not as it was at log-in (a reviewer's right may have been withdrawn
        # since), checked here and not only by hiding the form: the server decides who may review.
        if (role := role_of(self.users_file, user)) != REVIEWER:
            raise ReviewRefused(
                "not_reviewer",
                f"only a reviewer may record a review; {user!r} has the role {role!r}",
            )
        file = self.store.client_file(client_id)
        if file is None:
            raise ReviewRefused(
                "no_file", f"client {client_id} has no decided application to review"
            )
        if shown_state(file) != shown:
            raise ReviewRefused(
                "changed",
                f"client {client_id}'s file changed since it was shown (a newer application "
                "or another reviewer's decision); read it again before deciding",
            )
        decision = file.decision
        try:
            review = ApplicationReviewed(
                application_id=decision.application_id,
                client_id=client_id,
                kind=review_kind(file.in_force),
                reviewer=user,
                before=file.in_force or decision.decision,
                after=after,
                justification=justification.strip(),
            )
        except ValidationError as error:
            raise ReviewRefused("invalid", describe(error)) from None
        self._publish(review)
        try:
            self.store.upsert([review])
        except Exception:  # noqa: BLE001 - acknowledged, so recorded: the feed will store it from the topic
            log.exception(
                "review %s published but not stored; the dashboard feed will store it",
                review.review_id,
            )
        return review

    def _publish(self, review: ApplicationReviewed) -> None:
        try:
            self.producer.publish(
                LOAN_REVIEWS, [review]
            )  # a failed producer is replaced at the next review
        except Exception as error:  # noqa: BLE001 - any failure means: not recorded
            raise ReviewUnrecorded(
                f"the review was not recorded (Kafka: {type(error).__name__}); try again"
            ) from error
