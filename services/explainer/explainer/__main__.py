"""python -m explainer worker [-l info]: run the explanation worker."""

import sys

from credit.bundle import BundleError
from credit.explain.dictionary import DictionaryError


def main() -> None:
    from explainer.app import create_app

    try:
        app = create_app()  # the Worker
    except (
        BundleError,
        DictionaryError,
    ) as error:  # refuse to start, with the reason, not a traceback
        sys.exit(f"explainer: refusing to start: {error}")
    app.app.main()


if __name__ == "__main__":
    main()
