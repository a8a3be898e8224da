"""This programme's dashboard figures (discovered by gonghui.dashboard.registry).

Definitions follow gonghui.craftsmen.figures (the roll-up tests check that both agree on the same records).
"""

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from gonghui.craftsmen.models import NeedCategory, OfferStatus, ProblemStatus
from gonghui.dashboard.registry import Figure, Programme, Source

PROGRAMME = Programme("craftsmen", _("劳模工匠助企行"), golden=True, order=10)
CLOSED = Q(status__in=(ProblemStatus.CLOSED, ProblemStatus.ARCHIVED))


def dashboard_figures() -> list[Figure]:
    return [
        Figure(
            key="craftsmen.participations",
            programme="craftsmen",
            name=_("劳模工匠参与人次"),
            definition=_(
                "工匠接下一个企业难题（接单或揭榜，按接单时间），加上工匠参加一场专场服务（按服务日期），各计一人次。"
            ),
            unit=_("人次"),
            headline=True,
            order=1,
            sources=(
                Source(
                    "craftsmen.Offer", "problem__region_id", "responded_at", Q(status=OfferStatus.ACCEPTED)
                ),
                Source(
                    "craftsmen.SpecialSession_craftsmen", "specialsession__region_id", "specialsession__date"
                ),
            ),
        ),
        Figure(
            key="craftsmen.problems_solved",
            programme="craftsmen",
            name=_("解决企业难题数"),
            definition=_("本期办结（或归档）且成效为“已解决”的企业难题，按办结时间计。"),
            unit=_("项"),
            headline=True,
            order=2,
            breakdown_labels=dict(NeedCategory.choices),
            sources=(
                Source(
                    "craftsmen.Problem",
                    "region_id",
                    "closed_at",
                    CLOSED & Q(outcome__solved=True),
                    breakdown="category",
                ),
            ),
        ),
        Figure(
            key="craftsmen.special_sessions",
            programme="craftsmen",
            name=_("专场服务场次"),
            definition=_("在山区海岛县等地举办的劳模工匠专场服务活动，按活动日期计。"),
            unit=_("场"),
            headline=True,
            order=3,
            sources=(Source("craftsmen.SpecialSession", "region_id", "date"),),
        ),
        Figure(
            key="craftsmen.problems_filed",
            programme="craftsmen",
            name=_("企业点单数"),
            definition=_("企业提交的难题需求，按提交时间计。"),
            unit=_("项"),
            order=4,
            breakdown_labels=dict(NeedCategory.choices),
            sources=(Source("craftsmen.Problem", "region_id", "submitted_at", breakdown="category"),),
        ),
        Figure(
            key="craftsmen.workers_trained",
            programme="craftsmen",
            name=_("培训职工人数"),
            definition=_(
                "专场服务培训的职工（按活动日期），加上本期办结难题成效中记录的培训职工（按办结时间）。"
            ),
            unit=_("人"),
            order=5,
            sources=(
                Source(
                    "craftsmen.SpecialSession", "region_id", "date", measure=lambda: Sum("workers_trained")
                ),
                Source(
                    "craftsmen.Outcome",
                    "problem__region_id",
                    "problem__closed_at",
                    Q(problem__status__in=(ProblemStatus.CLOSED, ProblemStatus.ARCHIVED)),
                    measure=lambda: Sum("workers_trained"),
                ),
            ),
        ),
        Figure(
            key="craftsmen.session_workers_trained",
            programme="craftsmen",
            name=_("专场服务培训职工人数"),
            definition=_("劳模工匠专场服务活动中培训的职工人数，按活动日期计。"),
            unit=_("人"),
            order=5,
            sources=(
                Source(
                    "craftsmen.SpecialSession",
                    "region_id",
                    "date",
                    measure=lambda: Sum("workers_trained"),
                ),
            ),
        ),
        Figure(
            key="craftsmen.benefit_yuan",
            programme="craftsmen",
            name=_("预计经济效益"),
            definition=_("本期办结难题成效中记录的预计经济效益之和，按办结时间计。"),
            unit=_("元"),
            order=6,
            sources=(
                Source(
                    "craftsmen.Outcome",
                    "problem__region_id",
                    "problem__closed_at",
                    Q(problem__status__in=(ProblemStatus.CLOSED, ProblemStatus.ARCHIVED)),
                    measure=lambda: Sum("benefit_yuan"),
                ),
            ),
        ),
    ]
