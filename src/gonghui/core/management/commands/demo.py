from django.core.management.base import BaseCommand, CommandError

from gonghui.core.demodata import DEMO_PASSWORD, SCALES, build_demo, database_is_empty, reset_database


class Command(BaseCommand):
    help = "Build the deterministic Zhejiang demo data set (refuses a database that holds data unless --reset)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="small", choices=SCALES)
        parser.add_argument("--reset", action="store_true", help="delete all data first")
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args, scale, reset, seed, **opts):
        if not database_is_empty():
            if not reset:
                raise CommandError(
                    "the database already holds data; run `gonghui demo --reset` to replace it with demo data"
                )
            reset_database()
        ctx = build_demo(
            scale, seed=seed, progress=lambda label, secs: self.stdout.write(f"  {label:<14} {secs:6.1f} s")
        )
        total = sum(s for _, s in ctx.timings)
        self.stdout.write(self.style.SUCCESS(f"Demo data ({scale}) built in {total:.1f} s. Accounts (password {DEMO_PASSWORD}):"))
        for acc in ctx.accounts:
            self.stdout.write(f"  {acc.role:<16} {acc.phone}  {acc.name}  {acc.note}")
