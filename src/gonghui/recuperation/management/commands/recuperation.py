"""``gonghui recuperation verify-draw <id>`` recomputes a draw from its record and says whether it matches;
``gonghui recuperation lapse-holds`` lapses holds past their deadline (for cron where tasks cannot be deferred)."""

from django.core.management.base import BaseCommand, CommandError

from gonghui.recuperation.models import Draw


class Command(BaseCommand):
    help = "职工疗休养: verify a draw, or lapse unconfirmed holds past their deadline."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify-draw", help="recompute a draw and compare it with its record")
        verify.add_argument("draw_id", type=int)
        verify.add_argument(
            "--record-only",
            action="store_true",
            help="check only the record, not the ranks stored on the applications",
        )
        sub.add_parser("lapse-holds", help="lapse holds past their deadline and pass the places on")

    def handle(self, *args, action, **options):
        if action == "verify-draw":
            return self.verify(options["draw_id"], record_only=options["record_only"])
        from gonghui.recuperation.services import holds_lapse

        lapsed = holds_lapse()
        self.stdout.write(f"lapsed {len(lapsed)} hold(s)")

    def verify(self, draw_id: int, *, record_only: bool):
        from gonghui.recuperation.selectors import draw_verification

        draw = Draw.objects.select_related("programme").filter(pk=draw_id).first()
        if draw is None:
            raise CommandError(f"no draw with id {draw_id}")
        result = draw_verification(draw, check_database=not record_only)
        self.stdout.write(f"draw {draw.pk} · {draw.programme.name}")
        self.stdout.write(f"  commitment      {draw.programme.seed_commitment}")
        self.stdout.write(f"  seed            {draw.seed}")
        self.stdout.write(f"  algorithm       {draw.algorithm}")
        self.stdout.write(f"  units           {result.units_checked}")
        self.stdout.write(f"  applications    {result.applications_checked}")
        for problem in result.problems:
            self.stdout.write(f"  problem         {problem}")
        if not result.matches:
            raise CommandError("MISMATCH: the draw record does not reproduce")
        self.stdout.write(self.style.SUCCESS("MATCH: recomputing the draw gives the recorded results"))
