"""Roll up the dashboard figures now (the schedule does it every 10 minutes): ``gonghui dashboard_rollup``."""

from django.core.management.base import BaseCommand, CommandError

from gonghui.dashboard import registry
from gonghui.dashboard.rollup import run_rollup


class Command(BaseCommand):
    help = "Roll up every registered dashboard figure (resumes from each figure's checkpoint)."

    def add_arguments(self, parser):
        parser.add_argument("--figure", action="append", help="only this figure key (repeatable)")
        parser.add_argument("--rebuild", action="store_true", help="recompute from DASHBOARD_SINCE")
        parser.add_argument("--list", action="store_true", help="list the registered figures and stop")
        parser.add_argument(
            "--show", type=int, metavar="YEAR", help="print the province's values for a year and stop"
        )

    def handle(self, *args, figure=None, rebuild=False, list=False, show=None, **options):
        if show:
            from gonghui.core.actor import Actor
            from gonghui.dashboard import selectors
            from gonghui.regions.models import Region, RegionLevel

            province = Region.objects.get(level=RegionLevel.PROVINCE)
            for f in registry.figures():
                value = selectors.value(Actor.system(), f, province, year=show)
                self.stdout.write(f"{f.key:<45} {value:>20,.{f.decimals}f} {f.unit}  {f.name}")
            return
        if list:
            for f in registry.figures():
                self.stdout.write(f"{f.key:<45} {f.kind:<6} {f.grain:<6} {f.name}")
            return
        unknown = [k for k in figure or [] if registry.get(k) is None]
        if unknown:
            raise CommandError(f"unknown figures: {', '.join(unknown)}")
        for stats in run_rollup(figure, rebuild=rebuild):
            self.stdout.write(
                f"{stats.figure_key:<45} {stats.periods:>4} periods  +{stats.created} ~{stats.updated} "
                f"-{stats.deleted}  {stats.seconds:.2f} s"
            )
