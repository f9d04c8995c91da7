"""python -m dashboard add-user NAME [--role rm|reviewer|ops]: create or reset an account (password
asked)."""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard.accounts import ROLES, add_user
from dashboard.settings import get_settings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    adding = commands.add_parser(
        "add-user", help="create or reset an account in DASHBOARD_USERS_FILE"
    )
    adding.add_argument("name")
    adding.add_argument("--role", choices=ROLES, default="rm")
    args = parser.parse_args(argv)
    password = (
        getpass.getpass(f"password for {args.name}: ")
        if sys.stdin.isatty()
        else sys.stdin.readline().strip()
    )
    try:
        add_user(get_settings().users_file, args.name, password, args.role)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{args.name} ({args.role}) saved in {get_settings().users_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
