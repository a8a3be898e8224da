"""Roll-up tables: the dashboard reads these, never the raw records (Zulip's analytics pattern)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")


class FigureValue(models.Model):
    """One figure's value for one region (county, city or province) and one period (first day of the month, or
    of the year for yearly figures). ``dimension`` is empty for the total, else a breakdown value."""

    figure_key = models.CharField(max_length=64)
    region_code = models.CharField(max_length=9)
    level = models.CharField(max_length=8, choices=Level.choices)
    period = models.DateField()
    dimension = models.CharField(max_length=32, blank=True, default="")
    value = models.DecimalField(max_digits=20, decimal_places=2)
    computed_at = models.DateTimeField(auto_now=True)

    scope_region_field = "region_code"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["figure_key", "region_code", "period", "dimension"], name="one_value_per_figure_cell"
            )
        ]
        indexes = [
            models.Index(fields=["figure_key", "level", "period"], name="figure_level_period"),
            models.Index(fields=["figure_key", "region_code", "period"], name="figure_region_period"),
        ]

    def __str__(self):
        return f"{self.figure_key} {self.region_code} {self.period:%Y-%m} = {self.value}"


class RollupCheckpoint(models.Model):
    """Where the roll-up of one figure stopped: every period up to ``done_through`` is final (closed periods);
    later ones are recomputed on the next run."""

    figure_key = models.CharField(max_length=64, primary_key=True)
    done_through = models.DateField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_seconds = models.FloatField(default=0)
    rows_written = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.figure_key} → {self.done_through}"
