"""A throwaway PostgreSQL cluster and Redis server, for the production profile's tests and
benches: made in a temporary folder on free ports, gone when stopped. Never the system's own
services (nothing preinstalled or running is assumed or touched).

    .venv/bin/python scripts/throwaway_services.py install   # Debian packages, if missing
    .venv/bin/python scripts/throwaway_services.py run       # start both, print the URLs, wait

Debian's `postgresql` and `redis-server` packages provide the programs; `install` gets them
with apt-get when run as root (`make test` does). PostgreSQL refuses to run as root, so as
root the cluster runs as the `postgres` user the package creates.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import free_port

PACKAGES = ("postgresql", "redis-server")
DB_NAME = DB_USER = "rettighedsbot"
# Only for throwaway services on 127.0.0.1: they prove the URLs carry passwords correctly.
DB_PASSWORD = "throwaway-pg"
REDIS_PASSWORD = "throwaway-redis"


class Unavailable(RuntimeError):
    """This machine cannot run them (not Debian, not root to install, ...): say why."""


def postgres_bin() -> Path | None:
    """Debian keeps the server programs off PATH, in /usr/lib/postgresql/<version>/bin."""
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(found).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def redis_server() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)


def missing() -> list[str]:
    return [p for p, found in zip(PACKAGES, (postgres_bin(), redis_server())) if not found]


def install() -> None:
    """apt-get install what is missing; Unavailable if this machine cannot."""
    needed = missing()
    if not needed:
        return
    if not shutil.which("apt-get"):
        raise Unavailable(f"{' and '.join(needed)} missing and no apt-get to install them")
    if os.geteuid() != 0:
        raise Unavailable(f"{' and '.join(needed)} missing: run `sudo apt-get install "
                          f"{' '.join(needed)}` (or `make test` as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"==> installing Debian {' '.join(needed)} (throwaway services for the tests)",
          flush=True)
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *needed]):
        done = subprocess.run(cmd, check=False, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
        if done.returncode:
            raise Unavailable(f"{' '.join(cmd)} failed: {done.stderr.strip()[-500:]}")
    if missing():
        raise Unavailable(f"still missing after apt-get: {', '.join(missing())}")


def _as_db_user() -> tuple[dict, int | None, int | None]:
    """(extra env, uid, gid) to run PostgreSQL with: ourselves, or `postgres` if we are root."""
    if os.geteuid() != 0:
        return {}, None, None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("running as root and there is no `postgres` user to run "
                          "PostgreSQL as (Debian's postgresql package creates it)") from None
    return {"HOME": user.pw_dir, "USER": "postgres"}, user.pw_uid, user.pw_gid


@dataclass
class Postgres:
    url: str
    folder: Path
    port: int
    pg_ctl: Path
    data: Path
    uid: int | None

    def stop(self) -> None:
        subprocess.run([str(self.pg_ctl), "stop", "-D", str(self.data), "-m", "immediate"],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       user=self.uid)
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Redis:
    url: str
    folder: Path
    port: int
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres(port: int | None = None, host: str = "127.0.0.1") -> Postgres:
    """initdb + pg_ctl start in a fresh temporary folder, with our user, password and database.
    Durability is switched off (fsync): the data is thrown away anyway."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise Unavailable("PostgreSQL is not installed (Debian package `postgresql`)")
    env_extra, uid, gid = _as_db_user()
    # In /tmp itself, not under a pytest folder only root may enter.
    folder = Path(tempfile.mkdtemp(prefix="rettighedsbot-pg-"))
    data, pwfile = folder / "data", folder / "pw"
    pwfile.write_text(DB_PASSWORD + "\n")
    if uid is not None:
        for path in (folder, pwfile):
            os.chown(path, uid, gid)
    env = {**os.environ, **env_extra, "LC_ALL": "C.UTF-8"}
    port = port or free_port(host)

    def run(cmd: list[str]) -> None:
        done = subprocess.run(cmd, check=False, env=env, user=uid, group=gid, cwd=folder,
                              text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if done.returncode:
            shutil.rmtree(folder, ignore_errors=True)
            raise Unavailable(f"{' '.join(cmd[:2])} failed:\n{done.stdout[-1500:]}")

    run([str(bin_dir / "initdb"), "-D", str(data), "-U", DB_USER, "--pwfile", str(pwfile),
         "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"])
    options = (f"-c listen_addresses={host} -p {port} -k {folder} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    run([str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data),
         "-l", str(folder / "postgres.log"), "-o", options])
    run([str(bin_dir / "createdb"), "-h", str(folder), "-p", str(port), "-U", DB_USER, DB_NAME])
    url = f"postgresql://{DB_USER}:{DB_PASSWORD}@{host}:{port}/{DB_NAME}"
    return Postgres(url, folder, port, bin_dir / "pg_ctl", data, uid)


def start_redis(port: int | None = None, host: str = "127.0.0.1") -> Redis:
    """redis-server on a free port with a temporary working folder and no persistence."""
    server = redis_server()
    if server is None:
        raise Unavailable("Redis is not installed (Debian package `redis-server`)")
    folder = Path(tempfile.mkdtemp(prefix="rettighedsbot-redis-"))
    port = port or free_port(host)
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", host, "--dir", str(folder), "--save", "",
         "--appendonly", "no", "--requirepass", REDIS_PASSWORD, "--daemonize", "no",
         "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (folder / "redis.log").read_text(errors="replace")[-1500:]
            shutil.rmtree(folder, ignore_errors=True)
            raise Unavailable(f"redis-server exited with {process.returncode}:\n{log}")
        try:
            with socket.create_connection((host, port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    return Redis(f"redis://:{REDIS_PASSWORD}@{host}:{port}/0", folder, port, process)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    try:
        install()
        if command == "install":
            return 0
        pg, redis = start_postgres(), start_redis()
    except Unavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"DATABASE_URL={pg.url}\nREDIS_URL={redis.url}\n(Ctrl-C stops and deletes both)",
          flush=True)
    try:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, SystemExit):
        return 0
    finally:
        redis.stop()
        pg.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
