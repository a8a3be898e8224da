"""This programme's dashboard figures (discovered by gonghui.dashboard.registry).

Definitions follow gonghui.recuperation.figures: union trip reports (aggregate rows) plus programme applications
that travelled, by the region the workers come from (the roll-up tests check that both agree).
"""

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from gonghui.dashboard.registry import Figure, Programme, Source
from gonghui.recuperation.figures import TRAVELLED
from gonghui.recuperation.models import TargetGroup

PROGRAMME = Programme("recuperation", _("职工疗休养"), golden=True, order=30)
TRAVELLED_Q = Q(state__in=TRAVELLED)
MOUNTAIN_ISLAND_REPORT = Q(destination__mountain=True) | Q(destination__island=True)
MOUNTAIN_ISLAND_APPLICATION = Q(departure__route__destination__mountain=True) | Q(
    departure__route__destination__island=True
)


def _trips(measure, application_measure, report_q=None, application_q=None):
    report_q, application_q = report_q or Q(), application_q or Q()
    return (
        Source(
            "recuperation.TripReport",
            "region_id",
            "started_on",
            report_q,
            measure=measure,
            breakdown="target_group",
        ),
        Source(
            "recuperation.Application",
            "region_id",
            "travelled_on",
            TRAVELLED_Q & application_q,
            measure=application_measure,
            breakdown="target_group",
        ),
    )


def dashboard_figures() -> list[Figure]:
    groups = dict(TargetGroup.choices)
    return [
        Figure(
            key="recuperation.participants",
            programme="recuperation",
            name=_("疗休养职工人数"),
            definition=_(
                "工会上报的疗休养团组人数，加上报名参加并已出行的职工（每人一次），按出发日期、职工所在地区计。"
            ),
            unit=_("人"),
            headline=True,
            order=1,
            breakdown_labels=groups,
            sources=_trips(lambda: Sum("participants"), lambda: Count("pk")),
        ),
        Figure(
            key="recuperation.spend",
            programme="recuperation",
            name=_("带动消费金额"),
            definition=_("疗休养团组上报的消费金额，加上已出行报名的费用，按出发日期计。"),
            unit=_("元"),
            headline=True,
            order=2,
            breakdown_labels=groups,
            sources=_trips(lambda: Sum("spend"), lambda: Sum("cost")),
        ),
        Figure(
            key="recuperation.person_days",
            programme="recuperation",
            name=_("疗休养人天数"),
            definition=_("人数乘以天数之和，按出发日期计。"),
            unit=_("人天"),
            order=3,
            breakdown_labels=groups,
            sources=_trips(lambda: Sum(F("participants") * F("days")), lambda: Sum("days")),
        ),
        Figure(
            key="recuperation.mountain_island_participants",
            programme="recuperation",
            name=_("赴山区海岛县疗休养人数"),
            definition=_("目的地为山区26县或海岛县的疗休养人数，按出发日期计。"),
            unit=_("人"),
            order=4,
            breakdown_labels=groups,
            sources=_trips(
                lambda: Sum("participants"),
                lambda: Count("pk"),
                MOUNTAIN_ISLAND_REPORT,
                MOUNTAIN_ISLAND_APPLICATION,
            ),
        ),
    ]
