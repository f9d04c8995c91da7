"""What the Faust workers share about failures that are not one message's."""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager

log = logging.getLogger(__name__)
EXIT_UNPUBLISHED = 70  # EX_SOFTWARE: the supervisor starts the worker again (deploy/supervise.py, compose's restart)


@contextmanager
def stop_on_failure(exit=os._exit):
    """Around one batch whose every message gets a result or a dead letter: an error that still escapes
    (the broker refused a dead letter) ends the process at once. Faust acknowledges a batch's offsets
    even when its agent raises; exiting before it commits them means the batch is read again."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - anything escaping a batch means its results are not all out
        log.critical("a batch could not be finished (%s: %s); stopping without committing its offsets",
                     type(error).__name__, str(error)[:200])
        for handler in logging.getLogger().handlers:
            handler.flush()
        exit(EXIT_UNPUBLISHED)
