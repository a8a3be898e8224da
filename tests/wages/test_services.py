from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gonghui.accounts.models import Role
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import OrgLevel
from gonghui.wages import services
from gonghui.wages.models import (
    Agreement,
    AgreementEnterprise,
    AgreementScope,
    BargainingCase,
    BargainingRound,
    Campaign,
    CaseStatus,
    ChecklistEntry,
    CongressVote,
    ContactLog,
    LadderStep,
)
from tests.factories import EnterpriseFactory, role_user
from tests.wages.factories import LADDER, case_at, instructor, sign_terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return instructor("330127")


def refused(action):
    return list(AuditEvent.objects.filter(action=action, result="refused").values_list("detail", flat=True))


def test_full_lifecycle_reaches_in_force_with_ladder_and_items(staff):
    user, actor = staff
    case = case_at(actor, user, stage="published")
    assert case.status == CaseStatus.IN_FORCE
    agreement = case.agreement
    assert [(s.grade, s.base_pay, s.allowance) for s in agreement.ladder.all()] == [
        (r["grade"], r["base_pay"], r["allowance"]) for r in LADDER
    ]
    assert sorted(agreement.items.values_list("kind", "amount")) == [
        ("mentoring", 200),
        ("skill_allowance", 300),
    ]
    assert (agreement.filing_number, agreement.filed_on, agreement.published_on) == (
        "淳人社备2026-1",
        date(2026, 3, 5),
        date(2026, 3, 6),
    )
    assert list(agreement.coverage.values_list("enterprise_id", flat=True)) == [case.enterprise_id]
    actions = list(
        AuditEvent.objects.filter(object_id=str(case.pk), object_type="wages.bargainingcase").values_list(
            "action", "result"
        )
    )
    assert actions == [
        (a, "allowed")
        for a in (
            "wages.case.offer",
            "wages.case.prepare",
            "wages.case.round",
            "wages.case.vote",
            "wages.case.sign",
            "wages.case.file",
            "wages.case.publish",
        )
    ]


def test_decreasing_ladder_is_refused_and_nothing_saved(staff):
    user, actor = staff
    case = case_at(actor, user, stage="reviewed")
    ladder = [dict(r) for r in LADDER]
    ladder[3]["base_pay"] = 5000  # 技师 below 高级工
    with pytest.raises(services.ServiceError) as exc:
        services.case_sign(actor=actor, case_id=case.pk, **sign_terms(ladder=ladder))
    assert exc.value.messages == ["工资等级表不能随等级递减：技师岗位工资 5000 元低于高级工的 5600 元"]
    case.refresh_from_db()
    assert case.status == CaseStatus.REVIEWED
    assert (Agreement.objects.count(), LadderStep.objects.count()) == (0, 0)
    assert refused("wages.case.sign") == [
        "工资等级表不能随等级递减：技师岗位工资 5000 元低于高级工的 5600 元"
    ]


def test_decreasing_allowance_and_bad_term_reported_together(staff):
    user, actor = staff
    case = case_at(actor, user, stage="reviewed")
    ladder = [dict(r) for r in LADDER]
    ladder[1]["allowance"] = 100
    with pytest.raises(services.ServiceError) as exc:
        services.case_sign(
            actor=actor,
            case_id=case.pk,
            **sign_terms(ladder=ladder, starts_on=date(2026, 3, 1), ends_on=date(2026, 2, 1)),
        )
    assert exc.value.messages == [
        "合同期限的终止日期（2026-02-01）早于起始日期（2026-03-01）",
        "工资等级表不能随等级递减：中级工技能津贴 100 元低于初级工的 200 元",
    ]
    assert Agreement.objects.count() == 0


def test_term_ending_before_start_is_refused(staff):
    user, actor = staff
    case = case_at(actor, user, stage="reviewed")
    with pytest.raises(services.ServiceError) as exc:
        services.case_sign(actor=actor, case_id=case.pk, **sign_terms(ends_on=date(2025, 12, 31)))
    assert exc.value.messages == ["合同期限的终止日期（2025-12-31）早于起始日期（2026-03-01）"]
    assert (Agreement.objects.count(), BargainingCase.objects.get().status) == (0, CaseStatus.REVIEWED)


def test_equal_neighbouring_rungs_are_allowed(staff):
    user, actor = staff
    ladder = [
        {"grade": "5", "base_pay": 4000, "allowance": 0},
        {"grade": "4", "base_pay": 4000, "allowance": 0},
    ]
    case = case_at(actor, user, stage="signed", ladder=ladder)
    assert case.status == CaseStatus.SIGNED


def test_more_votes_than_representatives_is_refused(staff):
    user, actor = staff
    case = case_at(actor, user, stage="bargaining")
    with pytest.raises(services.ServiceError) as exc:
        services.case_record_vote(
            actor=actor,
            case_id=case.pk,
            held_on=date(2026, 2, 1),
            representatives=30,
            votes_for=25,
            votes_against=4,
            votes_abstain=2,
        )
    assert exc.value.messages == ["票数合计 31 超过代表总数 30"]
    assert CongressVote.objects.count() == 0
    assert BargainingCase.objects.get().status == CaseStatus.BARGAINING
    assert refused("wages.case.vote") == ["票数合计 31 超过代表总数 30"]


@pytest.mark.parametrize(
    "representatives,votes_for,against,abstain,passed",
    [
        (30, 16, 0, 0, True),
        (30, 15, 0, 0, False),
        (31, 16, 15, 0, True),
        (40, 20, 1, 1, False),
        (41, 21, 0, 20, True),
    ],
)
def test_congress_passes_only_with_more_than_half_of_all_representatives(
    staff, representatives, votes_for, against, abstain, passed
):
    user, actor = staff
    case = case_at(actor, user, stage="bargaining")
    vote = services.case_record_vote(
        actor=actor,
        case_id=case.pk,
        held_on=date(2026, 2, 1),
        representatives=representatives,
        votes_for=votes_for,
        votes_against=against,
        votes_abstain=abstain,
    )
    assert vote.passed is passed
    case.refresh_from_db()
    assert case.status == (CaseStatus.REVIEWED if passed else CaseStatus.BARGAINING)


def test_filing_an_unsigned_agreement_is_refused(staff):
    user, actor = staff
    case = case_at(actor, user, stage="reviewed")
    with pytest.raises(services.ServiceError) as exc:
        services.case_file(actor=actor, case_id=case.pk, filed_on=date(2026, 3, 5))
    assert exc.value.messages == ["只有已签订的合同才能备案"]
    assert BargainingCase.objects.get().status == CaseStatus.REVIEWED
    assert refused("wages.case.file") == ["只有已签订的合同才能备案"]


def test_rounds_need_preparation_and_are_numbered(staff):
    user, actor = staff
    case = case_at(actor, user, stage="offered")
    with pytest.raises(services.ServiceError):
        services.case_record_round(actor=actor, case_id=case.pk, held_on=date(2026, 1, 20), minutes="x")
    services.case_prepare(actor=actor, case_id=case.pk, worker_proposals="提高技能津贴")
    for day in (20, 27):
        services.case_record_round(
            actor=actor, case_id=case.pk, held_on=date(2026, 1, day), minutes=f"纪要{day}"
        )
    assert list(BargainingRound.objects.values_list("number", "minutes")) == [(1, "纪要20"), (2, "纪要27")]


def test_enterprise_outside_scope_is_refused_with_message(staff):
    user, actor = staff
    ningbo = EnterpriseFactory(region_id="330203")
    with pytest.raises(services.ServiceError) as exc:
        services.case_offer(actor=actor, enterprise_id=ningbo.pk, instructor_id=user.pk)
    assert exc.value.messages == ["所选企业或区域不在您的管辖范围内"]
    assert BargainingCase.objects.count() == 0
    assert refused("wages.case.offer") == ["所选企业或区域不在您的管辖范围内"]


def test_contact_log_outside_scope_is_refused(staff):
    user, actor = staff
    ningbo = EnterpriseFactory(region_id="330203")
    with pytest.raises(services.ServiceError):
        services.contact_record(
            actor=actor, enterprise_id=ningbo.pk, kind="heat_relief", happened_on=date(2026, 7, 1)
        )
    assert ContactLog.objects.count() == 0
    assert refused("wages.contact.record") == ["所选企业或区域不在您的管辖范围内"]


def test_case_outside_scope_is_404_for_other_county(staff):
    user, actor = staff
    case = case_at(actor, user, stage="preparing")
    _, other = instructor("330203")
    with pytest.raises(Http404):
        services.case_record_round(actor=other, case_id=case.pk, held_on=date(2026, 1, 20), minutes="x")
    assert BargainingRound.objects.count() == 0


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.MEMBER, Role.CRAFTSMAN])
def test_only_staff_may_bargain(staff, actor_of, role):
    user, actor = staff
    case = case_at(actor, user, stage="preparing")
    kwargs = {"enterprise": case.enterprise} if role == Role.ENTERPRISE else {}
    other = actor_of(role_user(role, **kwargs), role)
    with pytest.raises(PermissionDenied):
        services.case_record_round(actor=other, case_id=case.pk, held_on=date(2026, 1, 20), minutes="x")
    assert BargainingRound.objects.count() == 0


def test_instructor_must_be_staff_covering_the_enterprise(staff):
    user, actor = staff
    ningbo_staff, _ = instructor("330203")
    enterprise = EnterpriseFactory(region_id="330127")
    with pytest.raises(services.ServiceError) as exc:
        services.case_offer(actor=actor, enterprise_id=enterprise.pk, instructor_id=ningbo_staff.pk)
    assert exc.value.messages == ["指导员须为该企业所在区域的工会工作人员"]


def test_second_open_case_for_same_enterprise_is_refused(staff):
    user, actor = staff
    case = case_at(actor, user, stage="offered")
    with pytest.raises(services.ConflictError):
        services.case_offer(actor=actor, enterprise_id=case.enterprise_id, instructor_id=user.pk)
    assert BargainingCase.objects.count() == 1


def test_campaign_offers_every_enterprise_or_none(staff):
    user, actor = staff
    inside = [EnterpriseFactory(region_id="330127") for _ in range(3)]
    outside = EnterpriseFactory(region_id="330203")
    with pytest.raises(services.ServiceError):
        services.campaign_launch(
            actor=actor,
            name="2026集中要约",
            kind="centralised_offer",
            region_code="330127",
            enterprise_ids=[e.pk for e in inside] + [outside.pk],
            instructor_id=user.pk,
        )
    assert (Campaign.objects.count(), BargainingCase.objects.count()) == (0, 0)
    campaign = services.campaign_launch(
        actor=actor,
        name="2026集中要约",
        kind="centralised_offer",
        region_code="330127",
        enterprise_ids=[e.pk for e in inside],
        instructor_id=user.pk,
    )
    assert sorted(campaign.cases.values_list("enterprise_id", flat=True)) == sorted(e.pk for e in inside)
    assert set(campaign.cases.values_list("status", flat=True)) == {CaseStatus.OFFERED}


def test_regional_agreement_covers_many_enterprises(staff):
    user, actor = staff
    members = [EnterpriseFactory(region_id="330127", employees=30) for _ in range(4)]
    case = services.case_offer_area(
        actor=actor,
        scope=AgreementScope.REGIONAL,
        region_code="330127",
        industry="C",
        title="淳安县竹木制品行业能级工资集体合同",
        instructor_id=user.pk,
        offered_on=date(2026, 1, 5),
    )
    services.case_prepare(actor=actor, case_id=case.pk, worker_proposals="统一技能等级津贴")
    services.case_record_round(actor=actor, case_id=case.pk, held_on=date(2026, 1, 20), minutes="行业协商")
    services.case_record_vote(
        actor=actor,
        case_id=case.pk,
        held_on=date(2026, 2, 1),
        representatives=21,
        votes_for=11,
        votes_against=5,
        votes_abstain=5,
    )
    ningbo = EnterpriseFactory(region_id="330203")
    with pytest.raises(services.ServiceError):
        services.case_sign(
            actor=actor, case_id=case.pk, **sign_terms(enterprise_ids=[e.pk for e in members] + [ningbo.pk])
        )
    assert AgreementEnterprise.objects.count() == 0
    agreement = services.case_sign(
        actor=actor, case_id=case.pk, **sign_terms(enterprise_ids=[e.pk for e in members])
    )
    assert sorted(agreement.coverage.values_list("enterprise_id", flat=True)) == sorted(e.pk for e in members)


def test_checklist_built_then_ticked_off_when_signed(staff):
    user, actor = staff
    target = EnterpriseFactory(region_id="330127100", unionised=True, above_designated_size=True)
    pilot = EnterpriseFactory(region_id="330127", unionised=False, reform_pilot=True)
    EnterpriseFactory(
        region_id="330127", unionised=True, above_designated_size=False
    )  # not in scope of the list
    EnterpriseFactory(region_id="330203", unionised=True, above_designated_size=True)  # other county
    added = services.checklist_build(
        actor=actor, instructor_id=user.pk, region_code="330127", on=date(2026, 1, 1)
    )
    assert added == 2
    assert set(ChecklistEntry.objects.values_list("enterprise_id", "ticked_off_on")) == {
        (target.pk, None),
        (pilot.pk, None),
    }
    assert services.checklist_build(actor=actor, instructor_id=user.pk, region_code="330127") == 0
    case = case_at(actor, user, target, stage="signed")
    entry = ChecklistEntry.objects.get(enterprise=target)
    assert (entry.ticked_off_on, entry.ticked_off_by_id) == (date(2026, 3, 1), case.pk)
    assert ChecklistEntry.objects.get(enterprise=pilot).ticked_off_on is None


def test_renewal_replaces_the_old_agreement_when_signed(staff):
    user, actor = staff
    case = case_at(actor, user, stage="published")
    renewal = services.case_renew(actor=actor, case_id=case.pk, offered_on=date(2028, 12, 1))
    with pytest.raises(services.ConflictError):
        services.case_renew(actor=actor, case_id=case.pk)
    services.case_prepare(actor=actor, case_id=renewal.pk, worker_proposals="续签")
    services.case_record_round(
        actor=actor, case_id=renewal.pk, held_on=date(2028, 12, 10), minutes="续签协商"
    )
    services.case_record_vote(
        actor=actor,
        case_id=renewal.pk,
        held_on=date(2028, 12, 20),
        representatives=35,
        votes_for=30,
        votes_against=0,
        votes_abstain=0,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_FORCE
    services.case_sign(
        actor=actor,
        case_id=renewal.pk,
        **sign_terms(signed_on=date(2029, 1, 5), starts_on=date(2029, 3, 1), ends_on=date(2032, 2, 28)),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RENEWED


def test_refresh_moves_terms_and_flags_instructor_once_per_threshold(staff):
    user, actor = staff
    case = case_at(actor, user, stage="published")  # ends 2029-02-28
    assert services.agreements_refresh(on=date(2028, 12, 1))["flags"] == 0
    changes = services.agreements_refresh(on=date(2028, 12, 30))  # 60 days before
    assert (changes["expiring"], changes["flags"]) == (1, 1)
    assert services.agreements_refresh(on=date(2028, 12, 31))["flags"] == 0
    assert services.agreements_refresh(on=date(2029, 2, 1))["flags"] == 1  # 27 days before
    agreement = Agreement.objects.get()
    assert sorted(agreement.expiry_flags.values_list("days", "instructor_id")) == [
        (30, user.pk),
        (60, user.pk),
    ]
    assert services.agreements_refresh(on=date(2029, 3, 1))["lapsed"] == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.LAPSED


def test_county_staff_may_use_a_town_instructor(staff):
    user, actor = staff
    town_user, _ = instructor("330127100", level=OrgLevel.TOWN)
    enterprise = EnterpriseFactory(region_id="330127100")
    case = services.case_offer(actor=actor, enterprise_id=enterprise.pk, instructor_id=town_user.pk)
    assert case.instructor_id == town_user.pk


def test_daily_job_is_scheduled_and_runs_the_sweep(staff):
    from gonghui.jobs.registry import SCHEDULES
    from gonghui.wages.tasks import refresh_agreements

    assert SCHEDULES["wages.agreements-refresh"].daily == "06:30"
    user, actor = staff
    case_at(actor, user, stage="published")
    result = refresh_agreements.call()
    assert result["flags"] == 0 and result["on"] == services._today().isoformat()
