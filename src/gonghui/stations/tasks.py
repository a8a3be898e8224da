"""Background work for stations: the manager's notice of a new complaint, and the sweep that escalates late ones.

Declared with gonghui.jobs (retries, ledger, schedules); the escalation is a periodic sweep over everything overdue,
so a run missed while the scheduler was down is caught up by the next one.
"""

import logging
from datetime import timedelta

from gonghui.jobs import TargetGone, enqueue_on_commit, job, periodic

log = logging.getLogger(__name__)


@job(max_attempts=3, backoff_seconds=60)
def notify_complaint_filed(complaint_id: int) -> str:
    """Tell the station's manager by SMS; the complaint is on their work list either way."""
    from gonghui.accounts.sms import send_sms
    from gonghui.stations.models import Complaint

    complaint = Complaint.objects.select_related("station__manager").filter(pk=complaint_id).first()
    if complaint is None:
        raise TargetGone(f"complaint {complaint_id} was deleted")
    if complaint.station.manager is None:
        return "no manager"
    deadline = complaint.deadline_at.astimezone().strftime("%m-%d %H:%M")
    send_sms(
        complaint.station.manager.phone,
        f"【工会驿站】{complaint.station.name}收到新投诉，请在{deadline}前处理。",
    )
    return "sent"


@periodic(every=timedelta(minutes=15))
@job(timeout_seconds=600)
def escalate_overdue_complaints() -> int:
    from gonghui.stations.services import complaints_escalate_overdue

    return complaints_escalate_overdue()


def notify_on_commit(complaint_id: int) -> None:
    enqueue_on_commit(
        notify_complaint_filed, complaint_id, idempotency_key=f"stations.complaint-filed:{complaint_id}"
    )


@periodic(daily="07:30")
@job(timeout_seconds=600)
def restock_reminders() -> int:
    """Each morning, tell every station manager what is expired, expiring within 30 days or running low."""
    from gonghui.accounts.sms import send_sms
    from gonghui.core.actor import Actor
    from gonghui.stations.selectors import restock_alerts

    by_manager: dict[str, list[str]] = {}
    for row in restock_alerts(Actor.system()):
        manager = row["item"].station.manager
        if manager is not None:
            by_manager.setdefault(manager.phone, []).append(f"{row['item'].station.name}·{row['item'].name}")
    for phone, items in by_manager.items():
        send_sms(phone, "【工会驿站】需补货或更换：" + "、".join(items[:10]))
    return len(by_manager)


@periodic(daily="03:30")
@job(timeout_seconds=1800)
def monthly_star_reviews() -> dict:
    """The month's star review of every active station (ratings, inspection, unfixed complaints).

    Scheduled daily but reviewing each station once per month: the first run of a month does the work, later
    runs find nothing due, and a run missed while the scheduler was down is caught up the next day.
    """
    from gonghui.stations.services import star_reviews_monthly

    return star_reviews_monthly()


@job(max_attempts=3, backoff_seconds=60)
def notify_star_review(review_id: int) -> str:
    """Tell the station's manager that the monthly review changed the station's stars, and why."""
    from django.utils.translation import gettext as _

    from gonghui.accounts.sms import send_sms
    from gonghui.stations.models import StarReview

    review = StarReview.objects.select_related("station__manager").filter(pk=review_id).first()
    if review is None:
        raise TargetGone(f"star review {review_id} was deleted")
    if review.station.manager is None:
        return "no manager"
    if review.new_level < review.old_level and review.overdue_complaints:
        template = _(
            "【工会驿站】%(name)s本月星级评定由%(old)d星降为%(new)d星（%(overdue)d件投诉逾期未解决）。"
        )
    else:
        template = _("【工会驿站】%(name)s本月星级评定由%(old)d星调整为%(new)d星。")
    send_sms(
        review.station.manager.phone,
        template
        % {
            "name": review.station.name,
            "old": review.old_level,
            "new": review.new_level,
            "overdue": review.overdue_complaints,
        },
    )
    return "sent"


def notify_star_review_on_commit(review_id: int) -> None:
    enqueue_on_commit(notify_star_review, review_id, idempotency_key=f"stations.star-review:{review_id}")
