"""Builders for wages tests: cases driven through the real services, so every stage is a reachable state."""

from datetime import date

from gonghui.core.actor import actor_for_user
from gonghui.orgs.models import OrgLevel
from gonghui.wages import services
from tests.factories import EnterpriseFactory, staff_user

LADDER = [
    {"grade": "5", "base_pay": 4200, "allowance": 200},
    {"grade": "4", "base_pay": 4800, "allowance": 400},
    {"grade": "3", "base_pay": 5600, "allowance": 700},
    {"grade": "2", "base_pay": 6800, "allowance": 1200},
    {"grade": "1", "base_pay": 8200, "allowance": 1800},
]
SIGNED_ON = date(2026, 3, 1)


def instructor(region_code="330127", level=OrgLevel.COUNTY, name=None):
    user = staff_user(region_code, level=level, name=name)
    return user, actor_for_user(user, role="staff", client_ip="127.0.0.1")


def sign_terms(**overrides):
    terms = dict(
        signed_on=SIGNED_ON,
        starts_on=SIGNED_ON,
        ends_on=date(2029, 2, 28),
        workers_covered=120,
        average_raise="6.50",
        minimum_pay=2600,
        ladder=LADDER,
        items=[{"kind": "skill_allowance", "amount": 300}, {"kind": "mentoring", "amount": 200}],
    )
    terms.update(overrides)
    return terms


def case_at(actor, user, enterprise=None, *, stage="signed", region_code="330127", **sign_overrides):
    """A case for ``enterprise`` driven through the services up to ``stage``."""
    enterprise = enterprise or EnterpriseFactory(region_id=region_code, above_designated_size=True)
    case = services.case_offer(
        actor=actor, enterprise_id=enterprise.pk, instructor_id=user.pk, offered_on=date(2026, 1, 5)
    )
    steps = ["offered", "preparing", "bargaining", "reviewed", "signed", "filed", "published"]
    upto = steps.index(stage)
    if upto >= 1:
        services.case_prepare(
            actor=actor,
            case_id=case.pk,
            local_average_wage=6200,
            guideline_raise="5.5",
            enterprise_average_wage=5900,
            worker_proposals="技能津贴按等级发放",
        )
    if upto >= 2:
        services.case_record_round(actor=actor, case_id=case.pk, held_on=date(2026, 1, 20), minutes="第一轮")
    if upto >= 3:
        services.case_record_vote(
            actor=actor,
            case_id=case.pk,
            held_on=date(2026, 2, 10),
            representatives=35,
            votes_for=30,
            votes_against=3,
            votes_abstain=2,
        )
    if upto >= 4:
        services.case_sign(actor=actor, case_id=case.pk, **sign_terms(**sign_overrides))
    if upto >= 5:
        services.case_file(
            actor=actor, case_id=case.pk, filed_on=date(2026, 3, 5), filing_number="淳人社备2026-1"
        )
    if upto >= 6:
        services.case_publish(
            actor=actor, case_id=case.pk, published_on=date(2026, 3, 6), on=date(2026, 3, 10)
        )
    case.refresh_from_db()
    return case
