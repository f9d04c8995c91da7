"""`python -m ingest serve | replay | load-history` (see ingest.cli)."""

from ingest.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
