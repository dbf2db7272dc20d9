"""The action server in one process: `python -m actions.server --port 5055`.

`python -m rasa_sdk --actions actions` serves from a Sanic worker that a manager process
spawns, beside a helper and multiprocessing's resource tracker: four processes, of which
only the worker answers. The manager imports the actions too, so it held ~110 MiB (and the
other two ~30 MiB) for nothing; the stack's memory target (1.2 GB for everything) has no room
for that. This starts the same rasa-sdk app (`create_app_for_serve`, as `rasa_sdk.endpoint.run`
builds it) in Sanic's single-process mode. scripts/stack.py restarts it if it dies, which is
what the manager did for its worker.
"""
from __future__ import annotations

import argparse
import logging
import os
import threading

import knowledge  # noqa: F401 - first: it limits BLAS/OpenMP threads before numpy loads

log = logging.getLogger("rettighedsbot.actions")


def main(argv: list[str] | None = None) -> None:
    from rasa_sdk import utils
    from rasa_sdk.constants import DEFAULT_KEEP_ALIVE_TIMEOUT, DEFAULT_SERVER_PORT
    from rasa_sdk.endpoint import create_app_for_serve
    from rasa_sdk.executor import ActionExecutor

    from . import warm_up

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-p", "--port", type=int, default=DEFAULT_SERVER_PORT)
    parser.add_argument("--host", default=os.environ.get("SANIC_HOST", "127.0.0.1"))
    parser.add_argument("--loglevel", default="INFO")
    args = parser.parse_args(argv)

    utils.configure_colored_logging(args.loglevel)
    utils.update_sanic_log_level()
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app_for_serve(executor, cors_origins=None,
                               keep_alive_timeout=DEFAULT_KEEP_ALIVE_TIMEOUT)
    # Load the embedder and index while Sanic starts, so the first citizen does not wait.
    threading.Thread(target=warm_up, name="knowledge-warm-up", daemon=True).start()
    log.info("action server on http://%s:%d (one process)", args.host, args.port)
    app.run(host=args.host, port=args.port, single_process=True, access_log=False,
            motd=False)


if __name__ == "__main__":
    main()
