"""The root logger once a Faust worker has started (adapters.faust_worker.quiet_root_logger)."""

import logging

import pytest
from faust.utils.terminal.spinners import Spinner, SpinnerHandler

from adapters.faust_worker import quiet_root_logger


@pytest.fixture
def root():
    root = logging.getLogger()
    before = root.level, list(root.handlers)
    yield root
    root.setLevel(before[0])
    root.handlers = before[1]


def test_the_root_logger_goes_back_to_what_its_handlers_print_and_the_spinner_goes(root):
    printed = logging.StreamHandler()
    printed.setLevel(logging.WARNING)
    spinner = SpinnerHandler(Spinner(), level=logging.DEBUG)
    root.handlers = [printed, spinner]
    root.setLevel(logging.DEBUG)  # as Faust's worker leaves it
    assert logging.getLogger("aiokafka.producer").isEnabledFor(logging.DEBUG)
    quiet_root_logger()
    assert root.handlers == [printed] and root.level == logging.WARNING
    assert not logging.getLogger("aiokafka.producer").isEnabledFor(logging.INFO)
    assert logging.getLogger("aiokafka.producer").isEnabledFor(logging.WARNING)


def test_a_handler_that_prints_everything_keeps_debug(root):
    everything = logging.StreamHandler()  # NOTSET: prints every record
    root.handlers = [everything]
    root.setLevel(logging.DEBUG)
    quiet_root_logger()
    assert root.level == logging.DEBUG
