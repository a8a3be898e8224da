from django.core.management.base import BaseCommand, CommandError

from gonghui.core.audit import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `gonghui audit verify` checks the hash chain and names the first broken entry."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="check every entry's hash and link; exit 1 at the first broken one")

    def handle(self, *args, subcommand, **opts):
        if subcommand == "verify":
            report = verify_chain()
            if report.ok:
                self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.checked} entries checked"))
                return
            raise CommandError(
                f"audit chain broken at entry #{report.first_broken_id}: {report.problem} "
                f"({report.checked} entries before it are intact)"
            )
