from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serves Agora over HTTP with gunicorn (or Django's reloading server with --reload)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")
        parser.add_argument(
            "--reload", action="store_true", help="restart on code changes (development)"
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run a background task worker (one machine, e.g. the demo)",
        )
        parser.add_argument(
            "--with-mail",
            action="store_true",
            help="also receive mail for information requests (agora mail serve; e.g. the demo)",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        workers: int,
        threads: int,
        reload: bool,
        with_worker: bool,
        with_mail: bool,
        **options: Any,
    ) -> None:
        self.stdout.write(f"Agora on http://{host}:{port}/ (Ctrl+C to stop)")
        if with_worker:
            # A child of this process, which becomes the server: Ctrl+C stops both.
            subprocess.Popen([sys.executable, "-m", "agora.cli", "worker"])
        if with_mail:
            subprocess.Popen([sys.executable, "-m", "agora.cli", "mail", "serve"])
        if reload:
            call_command("runserver", f"{host}:{port}", use_reloader=True)
            return
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            raise CommandError("gunicorn is not installed: pip install agora (it is a dependency).")
        os.execv(  # noqa: S606  replaces this process with the server
            gunicorn,
            [
                gunicorn,
                "agora.wsgi:application",
                f"--bind={host}:{port}",
                f"--workers={workers}",
                f"--threads={threads}",
                # Requests are logged by AccessLogMiddleware, with secrets taken out of paths.
                # gunicorn trusts X-Forwarded-* from FORWARDED_ALLOW_IPS (default 127.0.0.1).
            ],
        )
