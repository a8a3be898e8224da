"""This programme's dashboard figures (discovered by gonghui.dashboard.registry).

All three are as-of figures: the agreements in effect on the period's last day (today for the current period),
exactly as gonghui.wages.figures defines them (its functions build the filters).
"""

from datetime import timedelta

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.dashboard.registry import Figure, Programme, Source
from gonghui.wages.figures import DENOMINATORS, covered_enterprise_ids, effective_agreements

PROGRAMME = Programme("wages", _("能级工资集体协商"), golden=True, order=40)


def _as_of(end):
    return min(end - timedelta(days=1), timezone.localdate())


def _effective(start, end):
    return Q(pk__in=effective_agreements("", on=_as_of(end)).values("pk"))


def _covered(start, end):
    return Q(pk__in=covered_enterprise_ids(on=_as_of(end)))


def _denominator(name):
    return lambda start, end: DENOMINATORS[name]


def _covered_in(name):
    return lambda start, end: DENOMINATORS[name] & _covered(start, end)


def _coverage(name, label, order, headline=False) -> list[Figure]:
    total, covered = f"wages.{name}_total", f"wages.{name}_covered"
    return [
        Figure(
            key=total,
            programme="wages",
            name=label[0],
            definition=label[1],
            unit=_("家"),
            order=order,
            sources=(Source("orgs.Enterprise", "region_id", None, _denominator(name)),),
        ),
        Figure(
            key=covered,
            programme="wages",
            name=label[2],
            definition=label[3],
            unit=_("家"),
            order=order + 1,
            sources=(Source("orgs.Enterprise", "region_id", None, _covered_in(name)),),
        ),
        Figure(
            key=f"wages.{name}_rate",
            programme="wages",
            name=label[4],
            definition=label[5],
            unit="%",
            decimals=2,
            headline=headline,
            order=order + 2,
            sources=(),
            ratio_of=(covered, total),
        ),
    ]


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
        *_coverage(
            "unionised_above",
            (
                _("已建会规上企业数"),
                _("已建工会的规模以上企业（按企业所在地区）。"),
                _("其中已覆盖企业数"),
                _("已建会规上企业中，期末被有效能级工资集体合同覆盖的企业。"),
                _("已建会规上企业覆盖率"),
                _("期末被覆盖的已建会规上企业占已建会规上企业的百分比。"),
            ),
            order=4,
            headline=True,
        ),
        *_coverage(
            "pilot",
            (
                _("产改试点企业数"),
                _("产业工人队伍建设改革试点企业（按企业所在地区）。"),
                _("其中已覆盖试点企业数"),
                _("产改试点企业中，期末被有效能级工资集体合同覆盖的企业。"),
                _("产改试点企业覆盖率"),
                _("期末被覆盖的产改试点企业占产改试点企业的百分比。"),
            ),
            order=7,
        ),
    ]
