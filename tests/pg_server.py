"""A throwaway PostgreSQL server for the server tests: ``start DIR`` prints its URL, ``stop DIR`` ends it.

Debian's ``postgresql`` package is installed when it is missing and the
machine allows it. The cluster is made with ``initdb`` in DIR, owned by the
``postgres`` user when run as root (the server refuses to run as root),
listens on a free port of 127.0.0.1 only, trusts local connections (it holds
test data only and lives as long as the test run) and skips fsync.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _install() -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for args in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "postgresql"]):
        subprocess.run(args, env=env, stdout=subprocess.DEVNULL, check=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def start(folder: Path) -> str:
    bin_dir = _bin_dir()
    if bin_dir is None:
        _install()
        bin_dir = _bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed and could not be installed here")
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    os.chmod(folder, 0o700)
    subprocess.run(_as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                              "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8"]),
                   check=True, stdout=subprocess.DEVNULL)
    port = _free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                              "-w", "-t", "60", "start"]), check=True, stdout=subprocess.DEVNULL)
    (folder / "bin").write_text(str(bin_dir))
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def stop(folder: Path) -> None:
    data = folder / "data"
    if not (folder / "bin").exists() or not data.exists():
        return
    bin_dir = Path((folder / "bin").read_text())
    subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                   check=False, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    what, where = sys.argv[1], Path(sys.argv[2])
    if what == "start":
        print(start(where))
    else:
        stop(where)
