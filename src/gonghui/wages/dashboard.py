"""This programme's dashboard figures (discovered by gonghui.dashboard.registry).

All three are as-of figures: the agreements in effect on the period's last day (today for the current period),
exactly as gonghui.wages.figures defines them (its functions build the filters).
"""

from datetime import timedelta

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.dashboard.registry import Figure, Programme, Source
from gonghui.wages.figures import covered_enterprise_ids, effective_agreements

PROGRAMME = Programme("wages", _("能级工资集体协商"), golden=True, order=40)


def _as_of(end):
    return min(end - timedelta(days=1), timezone.localdate())


def _effective(start, end):
    return Q(pk__in=effective_agreements("", on=_as_of(end)).values("pk"))


def _covered(start, end):
    return Q(pk__in=covered_enterprise_ids(on=_as_of(end)))


def dashboard_figures() -> list[Figure]:
    return [
        Figure(
            key="wages.agreements",
            programme="wages",
            name=_("能级工资集体合同数"),
            definition=_("期末有效的能级工资集体合同：已签订（含备案、公示）、签订日不晚于期末且未到期。"),
            unit=_("份"),
            headline=True,
            order=1,
            sources=(Source("wages.Agreement", "region_id", None, _effective),),
        ),
        Figure(
            key="wages.enterprises_covered",
            programme="wages",
            name=_("覆盖企业数"),
            definition=_(
                "期末被有效能级工资集体合同覆盖的企业（按企业所在地区，区域性、行业性合同覆盖的企业也计入）。"
            ),
            unit=_("家"),
            headline=True,
            order=2,
            sources=(Source("orgs.Enterprise", "region_id", None, _covered),),
        ),
        Figure(
            key="wages.workers_covered",
            programme="wages",
            name=_("覆盖职工人数"),
            definition=_("期末有效的能级工资集体合同所覆盖的职工人数之和。"),
            unit=_("人"),
            headline=True,
            order=3,
            sources=(
                Source(
                    "wages.Agreement", "region_id", None, _effective, measure=lambda: Sum("workers_covered")
                ),
            ),
        ),
    ]
