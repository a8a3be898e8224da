"""gonghui up: migrate, load demo data into an empty database, and serve with gunicorn plus background workers.

Stopping it (Ctrl-C or SIGTERM) stops every process it started.
"""

import errno
import os
import signal
import socket
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gonghui.core.dbcheck import database_problem


def port_problem(host: str, port: int) -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is already in use (is gonghui already running?) "
                    f"— stop the other server or pass --port"
                )
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


class Command(BaseCommand):
    help = "Migrate, load demo data if the database is empty, and serve gonghui with its background workers."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GONGHUI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GONGHUI_PORT", 8000)))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
        parser.add_argument("--scale", default="small", choices=["small", "province"], help="demo data scale")
        parser.add_argument("--no-demo", action="store_true", help="do not load demo data into an empty database")
        parser.add_argument("--no-background", action="store_true", help="serve only; start no task worker")
        parser.add_argument("--check-only", action="store_true", help="prepare everything, then exit without serving")

    def handle(self, *args, **opts):
        problem = database_problem() or port_problem(opts["host"], opts["port"])
        if problem:
            raise CommandError(problem)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        from gonghui.core.demodata import database_is_empty

        if not opts["no_demo"] and database_is_empty():
            self.stdout.write(f"Empty database: loading {opts['scale']} demo data…")
            call_command("demo", scale=opts["scale"])
        call_command("collectstatic", interactive=False, verbosity=0)
        if opts["check_only"]:
            self.stdout.write("ready")
            return
        self.serve(opts)

    def serve(self, opts):
        bind = f"{opts['host']}:{opts['port']}"
        commands = [
            [sys.executable, "-m", "gunicorn", "gonghui.wsgi:application", "--bind", bind,
             "--workers", str(opts["workers"]), "--worker-class", "gthread", "--threads", "4",
             "--access-logfile", "-", "--graceful-timeout", "10"],
        ]
        if not opts["no_background"]:
            from gonghui.jobs.runner import background_commands

            commands += background_commands()
        children = [subprocess.Popen(cmd, start_new_session=True) for cmd in commands]
        self.stdout.write(self.style.SUCCESS(f"gonghui is serving on http://{bind}/ (Ctrl-C stops everything)"))

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    exit_code = child.returncode or 1
                    self.stderr.write(f"gonghui: {' '.join(child.args[:4])} exited ({child.returncode}); stopping")
                    stopping = True
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        if exit_code:
            raise SystemExit(exit_code)
