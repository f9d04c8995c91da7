"""python -m scorer worker [-l info]: run the scoring worker."""

import sys

from credit.bundle import BundleError


def main() -> None:
    from scorer.app import create_app

    try:
        app = create_app()  # the Worker
    except BundleError as error:  # refuse to start, with the reason, not a traceback
        sys.exit(f"scorer: refusing to start: {error}")
    app.app.main()


if __name__ == "__main__":
    main()
