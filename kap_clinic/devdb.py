"""The embedded, project-local PostgreSQL used when DATABASE_URL is not set.

The server comes from the `pgserver` package (Postgres binaries from pip); its data lives in
`.pgdata/` (git-ignored). It listens on a Unix socket inside that folder only, is started on
first use and keeps running between commands; `python -m kap_clinic.devdb stop` stops it.
"""

import sys
import warnings
from pathlib import Path

# platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); pgserver copes without it.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")

PGDATA = Path(__file__).resolve().parent.parent / ".pgdata"
DATABASE = "kap_clinic"


def url() -> str:
    """Start the embedded server if needed and return the URL of the project's database."""
    import pgserver

    server = pgserver.get_server(PGDATA, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}';")  # noqa: S608 (a constant)
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE};")
    return server.get_uri(DATABASE)


def stop() -> None:
    if not (PGDATA / "postmaster.pid").exists():
        print("embedded database is not running")
        return
    from pgserver._commands import pg_ctl

    user = "pgserver" if _is_root() else None
    pg_ctl(["-w", "stop"], pgdata=PGDATA, user=user)
    print(f"embedded database stopped ({PGDATA})")


def _is_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "start":
        print(f"embedded database running: {url()}")
    elif command == "stop":
        stop()
    else:
        sys.exit("usage: python -m kap_clinic.devdb [start|stop]")
