from django.core.management.base import BaseCommand

from gonghui.craftsmen.services import deadlines_sweep


class Command(BaseCommand):
    help = (
        "Expire unanswered craftsman offers, close expired listings and flag overdue problems (run by cron)."
    )

    def handle(self, *args, **options):
        counts = deadlines_sweep()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
