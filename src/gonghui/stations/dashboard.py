"""This programme's dashboard figures (discovered by gonghui.dashboard.registry).

Definitions follow gonghui.stations.figures (the roll-up tests check that both agree on the same records).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.dashboard.registry import YEAR, Figure, Programme, Source
from gonghui.stations.models import CheckInResult, SessionKind, StationStatus, StationType

PROGRAMME = Programme("stations", _("户外劳动者服务站点"), golden=True, order=20)


def _renovated_in(start, end):
    return Q(year_renovated=start.year) & ~Q(status=StationStatus.CLOSED)


def _renovated_24h_in(start, end):
    return _renovated_in(start, end) & Q(open_24h=True)


def dashboard_figures() -> list[Figure]:
    return [
        Figure(
            key="stations.renovated",
            programme="stations",
            name=_("改造提升站点数"),
            definition=_("当年完成改造提升、目前未关闭的户外劳动者服务站点，按改造年份计。"),
            unit=_("个"),
            grain=YEAR,
            headline=True,
            order=1,
            breakdown_labels=dict(StationType.choices),
            sources=(Source("stations.Station", "region_id", None, _renovated_in, breakdown="station_type"),),
        ),
        Figure(
            key="stations.renovated_open_24h",
            programme="stations",
            name=_("其中24小时开放站点"),
            definition=_("当年改造提升的站点中24小时开放的站点。"),
            unit=_("个"),
            grain=YEAR,
            headline=True,
            order=2,
            sources=(Source("stations.Station", "region_id", None, _renovated_24h_in),),
        ),
        Figure(
            key="stations.sessions",
            programme="stations",
            name=_("专项服务场次"),
            definition=_("站点举办且未取消的专项服务（义剪、义诊、交通安全课等），按服务日期计。"),
            unit=_("场"),
            headline=True,
            order=3,
            breakdown_labels=dict(SessionKind.choices),
            sources=(
                Source("stations.ServiceSession", "region_id", "date", Q(cancelled=False), breakdown="kind"),
            ),
        ),
        Figure(
            key="stations.beneficiaries",
            programme="stations",
            name=_("专项服务惠及人次"),
            definition=_("未取消的专项服务中成功签到的人次，按服务日期计。"),
            unit=_("人次"),
            headline=True,
            order=4,
            sources=(
                Source(
                    "stations.CheckIn",
                    "session__region_id",
                    "session__date",
                    Q(result=CheckInResult.OK, session__cancelled=False),
                ),
            ),
        ),
        Figure(
            key="stations.visits",
            programme="stations",
            name=_("站点到站人次"),
            definition=_("劳动者到站（扫码、出示会员码或登记）的人次，按到站时间计。"),
            unit=_("人次"),
            order=5,
            sources=(Source("stations.Visit", "station__region_id", "visited_at"),),
        ),
        Figure(
            key="stations.complaints",
            programme="stations",
            name=_("站点投诉件数"),
            definition=_("劳动者对站点的投诉，按提交时间计。"),
            unit=_("件"),
            order=6,
            sources=(Source("stations.Complaint", "station__region_id", "created_at"),),
        ),
    ]
