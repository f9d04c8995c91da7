"""python -m scorer worker [-l info]: run the scoring worker."""
from scorer.app import create_app


def main() -> None:
    create_app().main()


if __name__ == "__main__":
    main()
