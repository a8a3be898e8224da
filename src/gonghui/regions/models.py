from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    TOWN = "town", _("乡镇（街道）")


class Region(models.Model):
    """A GB/T 2260 division (and its 9-digit towns). Codes nest by prefix: see ``scope_prefix``."""

    code = models.CharField(_("区划代码"), max_length=9, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=8, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    # Programme flags are data that staff edit, not code.
    mountain = models.BooleanField(_("山区26县"), default=False)
    island = models.BooleanField(_("海岛县"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self):
        return self.name

    @property
    def prefix(self) -> str:
        return scope_prefix(self.code)

    @property
    def county_code(self) -> str | None:
        return self.code[:6] if self.level in (RegionLevel.COUNTY, RegionLevel.TOWN) else None


def scope_prefix(code: str) -> str:
    """The code prefix that every region inside ``code`` starts with: 330000→33, 330100→3301, 330102→330102."""
    if len(code) == 9:
        return code
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code
