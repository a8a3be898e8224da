"""Every write of the wages programme: one audited transaction each, explicit state checks."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core.actor import SYSTEM, Actor
from gonghui.core.audit import audited
from gonghui.core.errors import ConflictError, ServiceError
from gonghui.core.scoping import scoped
from gonghui.orgs.models import Enterprise, Industry
from gonghui.regions.models import Region, scope_prefix
from gonghui.wages.models import (
    COVERING_STATUSES,
    GRADE_RANK,
    Agreement,
    AgreementEnterprise,
    AgreementItem,
    AgreementKind,
    AgreementScope,
    BargainingCase,
    BargainingRound,
    Campaign,
    CampaignKind,
    CaseStatus,
    ChecklistEntry,
    CongressVote,
    ContactKind,
    ContactLog,
    ExpiryFlag,
    LadderStep,
)
from gonghui.wages.rules import check_items, check_term, parse_ladder, vote_passes

EXPIRY_THRESHOLDS = (60, 30)


# ---------------------------------------------------------------- helpers


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied(_("只有工会工作人员可以办理集体协商"))


def _require_covers(actor: Actor, region_code: str) -> None:
    if not actor.covers(region_code):
        raise ServiceError(_("所选企业或区域不在您的管辖范围内"))


def _enterprise_in_scope(actor: Actor, enterprise_id) -> Enterprise:
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None:
        raise ServiceError(_("企业不存在"))
    _require_covers(actor, enterprise.region_id)
    return enterprise


def _instructor(instructor_id, region_code: str) -> User:
    """The instructor must be staff whose organisation's region contains the case."""
    for assignment in RoleAssignment.objects.filter(
        user_id=instructor_id, role=Role.STAFF, active=True, user__is_active=True
    ).select_related("organisation", "user"):
        if region_code.startswith(scope_prefix(assignment.organisation.region_id)):
            return assignment.user
    raise ServiceError(_("指导员须为该企业所在区域的工会工作人员"))


def _case_for_update(actor: Actor, case_id) -> BargainingCase:
    case = (
        scoped(BargainingCase.objects.select_for_update(of=("self",)), actor)
        .select_related("enterprise")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _require_status(case: BargainingCase, allowed, message) -> None:
    if case.status not in allowed:
        raise ServiceError(message)


def _today() -> date:
    return timezone.localdate()


def time_status(starts_on: date, ends_on: date, on: date) -> str:
    """The status of a published agreement on a day: not yet started, in force, expiring within 60 days, lapsed."""
    if ends_on < on:
        return CaseStatus.LAPSED
    if ends_on - on <= timedelta(days=EXPIRY_THRESHOLDS[0]):
        return CaseStatus.EXPIRING
    if starts_on <= on:
        return CaseStatus.IN_FORCE
    return CaseStatus.PUBLISHED


# ---------------------------------------------------------------- offers


def _new_enterprise_case(enterprise, instructor, offered_on, campaign=None, renews=None) -> BargainingCase:
    return BargainingCase.objects.create(
        scope=AgreementScope.ENTERPRISE,
        enterprise=enterprise,
        region_id=enterprise.region_id,
        industry=enterprise.industry,
        title=_("%(name)s能级工资集体协商") % {"name": enterprise.name},
        campaign=campaign,
        instructor=instructor,
        renews=renews,
        offered_on=offered_on,
    )


def _refuse_duplicate_open_case(enterprise) -> None:
    if BargainingCase.objects.filter(
        enterprise=enterprise,
        status__in=(CaseStatus.OFFERED, CaseStatus.PREPARING, CaseStatus.BARGAINING, CaseStatus.REVIEWED),
    ).exists():
        raise ConflictError(_("%(name)s已有进行中的协商案件") % {"name": enterprise.name})


def case_offer(
    *, actor: Actor, enterprise_id, instructor_id, offered_on: date | None = None
) -> BargainingCase:
    """An offer to bargain (要约) with one enterprise."""
    with audited(actor, "wages.case.offer") as audit:
        _require_staff(actor)
        enterprise = _enterprise_in_scope(actor, enterprise_id)
        instructor = _instructor(instructor_id, enterprise.region_id)
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
        _refuse_duplicate_open_case(enterprise)
        case = _new_enterprise_case(enterprise, instructor, offered_on or _today())
        audit.target = case
        audit.changes = {"enterprise_id": enterprise.pk, "instructor_id": instructor.pk}
    return case


def case_offer_area(
    *,
    actor: Actor,
    scope: str,
    region_code: str,
    industry: str,
    title: str,
    instructor_id,
    offered_on: date | None = None,
) -> BargainingCase:
    """An offer for a regional (区域性) or industry (行业性) agreement that will cover many enterprises."""
    with audited(actor, "wages.case.offer") as audit:
        _require_staff(actor)
        if scope not in (AgreementScope.REGIONAL, AgreementScope.INDUSTRY):
            raise ServiceError(_("区域性或行业性协商须选择相应范围"))
        if industry not in Industry.values:
            raise ServiceError(_("未知的行业门类"))
        if not Region.objects.filter(pk=region_code).exists():
            raise ServiceError(_("区划不存在"))
        _require_covers(actor, region_code)
        if not title.strip():
            raise ServiceError(_("请填写协商名称"))
        instructor = _instructor(instructor_id, region_code)
        case = BargainingCase.objects.create(
            scope=scope,
            region_id=region_code,
            industry=industry,
            title=title.strip(),
            instructor=instructor,
            offered_on=offered_on or _today(),
        )
        audit.target = case
        audit.changes = {"scope": scope, "region": region_code, "industry": industry}
    return case


def campaign_launch(
    *,
    actor: Actor,
    name: str,
    kind: str,
    region_code: str,
    enterprise_ids,
    instructor_id,
    launched_on: date | None = None,
) -> Campaign:
    """集中要约: offers to many enterprises at once; any enterprise out of scope refuses the whole batch."""
    with audited(actor, "wages.campaign.launch") as audit:
        _require_staff(actor)
        if kind not in CampaignKind.values:
            raise ServiceError(_("未知的行动类型"))
        if not name.strip():
            raise ServiceError(_("请填写行动名称"))
        _require_covers(actor, region_code)
        ids = list(dict.fromkeys(int(i) for i in enterprise_ids))
        if not ids:
            raise ServiceError(_("请至少选择一家企业"))
        enterprises = list(Enterprise.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(enterprises) != len(ids):
            raise ServiceError(_("部分企业不存在"))
        outside = [
            e
            for e in enterprises
            if not e.region_id.startswith(scope_prefix(region_code)) or not actor.covers(e.region_id)
        ]
        if outside:
            raise ServiceError(_("所选企业或区域不在您的管辖范围内"))
        busy = set(
            BargainingCase.objects.filter(
                enterprise__in=enterprises,
                status__in=(
                    CaseStatus.OFFERED,
                    CaseStatus.PREPARING,
                    CaseStatus.BARGAINING,
                    CaseStatus.REVIEWED,
                ),
            ).values_list("enterprise__name", flat=True)
        )
        if busy:
            raise ConflictError(
                _("以下企业已有进行中的协商案件：%(names)s") % {"names": "、".join(sorted(busy))}
            )
        campaign = Campaign.objects.create(
            name=name.strip(),
            kind=kind,
            region_id=region_code,
            launched_on=launched_on or _today(),
            launched_by_id=actor.user_id,
        )
        for enterprise in enterprises:
            _new_enterprise_case(
                enterprise,
                _instructor(instructor_id, enterprise.region_id),
                campaign.launched_on,
                campaign=campaign,
            )
        audit.target = campaign
        audit.changes = {"enterprises": len(enterprises), "kind": kind}
    return campaign


# ---------------------------------------------------------------- bargaining


def _positive_int_or_none(value, label):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("%(label)s须为整数") % {"label": label}) from None
    if number < 0:
        raise ServiceError(_("%(label)s不能为负数") % {"label": label})
    return number


def _decimal(value, label, *, required=True):
    if value in (None, ""):
        if required:
            raise ServiceError(_("请填写%(label)s") % {"label": label})
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ServiceError(_("%(label)s不是有效数字") % {"label": label}) from None


def case_prepare(
    *,
    actor: Actor,
    case_id,
    local_average_wage=None,
    guideline_raise=None,
    enterprise_average_wage=None,
    worker_proposals: str = "",
) -> BargainingCase:
    """Preparation: wage survey data and the worker side's proposals."""
    with audited(actor, "wages.case.prepare") as audit:
        _require_staff(actor)
        case = _case_for_update(actor, case_id)
        audit.target = case
        _require_status(
            case, (CaseStatus.OFFERED, CaseStatus.PREPARING), _("协商准备只能在要约后、协商会议前填写")
        )
        case.survey_local_average_wage = _positive_int_or_none(local_average_wage, _("当地职工平均工资"))
        case.survey_guideline_raise = _decimal(guideline_raise, _("工资指导线基准涨幅"), required=False)
        case.survey_enterprise_average_wage = _positive_int_or_none(
            enterprise_average_wage, _("企业职工平均工资")
        )
        case.worker_proposals = (worker_proposals or "").strip()
        if not case.worker_proposals:
            raise ServiceError(_("请填写职工方协商要求"))
        case.status = CaseStatus.PREPARING
        case.save()
        audit.changes = {"status": case.status}
    return case


def case_record_round(*, actor: Actor, case_id, held_on: date, minutes: str) -> BargainingRound:
    with audited(actor, "wages.case.round") as audit:
        _require_staff(actor)
        case = _case_for_update(actor, case_id)
        audit.target = case
        _require_status(
            case,
            (CaseStatus.PREPARING, CaseStatus.BARGAINING),
            _("请先完成协商准备；审议通过后不再增加协商轮次"),
        )
        if not (minutes or "").strip():
            raise ServiceError(_("请填写会议纪要"))
        if held_on is None:
            raise ServiceError(_("请填写日期"))
        if held_on < case.offered_on:
            raise ServiceError(_("协商会议日期不能早于要约日期"))
        number = case.rounds.count() + 1
        round_ = BargainingRound.objects.create(
            case=case, number=number, held_on=held_on, minutes=minutes.strip(), recorded_by_id=actor.user_id
        )
        case.status = CaseStatus.BARGAINING
        case.save(update_fields=["status"])
        audit.changes = {"round": number}
    return round_


def case_record_vote(
    *,
    actor: Actor,
    case_id,
    held_on: date,
    representatives: int,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
) -> CongressVote:
    """The workers' congress review. A vote that fails sends the draft back to the bargaining table."""
    with audited(actor, "wages.case.vote") as audit:
        _require_staff(actor)
        case = _case_for_update(actor, case_id)
        audit.target = case
        _require_status(case, (CaseStatus.BARGAINING,), _("须至少召开一轮协商会议后才能提交职代会审议"))
        counts = {}
        for label, value in (
            (_("代表总数"), representatives),
            (_("赞成票"), votes_for),
            (_("反对票"), votes_against),
            (_("弃权票"), votes_abstain),
        ):
            number = _positive_int_or_none(value, label)
            if number is None:
                raise ServiceError(_("请填写%(label)s") % {"label": label})
            counts[label] = number
        representatives, votes_for, votes_against, votes_abstain = counts.values()
        if representatives == 0:
            raise ServiceError(_("代表总数须大于零"))
        cast = votes_for + votes_against + votes_abstain
        if cast > representatives:
            raise ServiceError(
                _("票数合计 %(cast)s 超过代表总数 %(total)s") % {"cast": cast, "total": representatives}
            )
        passed = vote_passes(representatives, votes_for)
        vote = CongressVote.objects.create(
            case=case,
            held_on=held_on,
            representatives=representatives,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            passed=passed,
        )
        if passed:
            case.status = CaseStatus.REVIEWED
            case.save(update_fields=["status"])
        audit.changes = {"passed": passed, "for": votes_for, "representatives": representatives}
    return vote


# ---------------------------------------------------------------- signing and after


def case_sign(
    *,
    actor: Actor,
    case_id,
    kind: str = AgreementKind.SKILL_WAGE,
    signed_on: date | None,
    starts_on: date | None,
    ends_on: date | None,
    workers_covered,
    average_raise,
    minimum_pay,
    ladder,
    items=(),
    enterprise_ids=(),
) -> Agreement:
    """Sign the agreement the congress approved; its enterprises are ticked off their instructors' checklists."""
    with audited(actor, "wages.case.sign") as audit:
        _require_staff(actor)
        case = _case_for_update(actor, case_id)
        audit.target = case
        _require_status(case, (CaseStatus.REVIEWED,), _("只有经职代会审议通过的协商才能签订"))
        problems = []
        if kind not in AgreementKind.values:
            problems.append(_("未知的合同类型"))
        problems += check_term(starts_on, ends_on, signed_on)
        rungs, ladder_problems = parse_ladder(ladder)
        problems += ladder_problems + check_items(items)
        try:
            workers = _positive_int_or_none(workers_covered, _("覆盖职工数"))
            minimum = _positive_int_or_none(minimum_pay, _("最低工资条款"))
            raise_pct = _decimal(average_raise, _("平均涨幅"))
        except ServiceError as exc:
            problems += exc.messages
            workers = minimum = raise_pct = None
        if workers is None or workers == 0:
            problems.append(_("覆盖职工数须大于零"))
        if minimum is None:
            problems.append(_("请填写最低工资条款"))
        if case.scope == AgreementScope.ENTERPRISE:
            enterprises = [case.enterprise]
        else:
            ids = list(dict.fromkeys(int(i) for i in enterprise_ids))
            enterprises = list(Enterprise.objects.filter(pk__in=ids))
            if not enterprises:
                problems.append(_("区域性或行业性合同须列明覆盖的企业"))
            elif len(enterprises) != len(ids):
                problems.append(_("部分企业不存在"))
            area = scope_prefix(case.region_id)
            if any(not e.region_id.startswith(area) or not actor.covers(e.region_id) for e in enterprises):
                problems.append(_("所选企业或区域不在您的管辖范围内"))
        if problems:
            raise ServiceError(problems)
        agreement = Agreement.objects.create(
            case=case,
            kind=kind,
            scope=case.scope,
            region_id=case.region_id,
            industry=case.industry,
            signed_on=signed_on,
            starts_on=starts_on,
            ends_on=ends_on,
            workers_covered=workers,
            average_raise=raise_pct,
            minimum_pay=minimum,
        )
        LadderStep.objects.bulk_create(
            LadderStep(
                agreement=agreement,
                grade=r.grade,
                rank=GRADE_RANK[r.grade],
                base_pay=r.base_pay,
                allowance=r.allowance,
            )
            for r in rungs
        )
        AgreementItem.objects.bulk_create(
            AgreementItem(
                agreement=agreement,
                kind=i["kind"],
                description=(i.get("description") or "")[:200],
                amount=int(i.get("amount") or 0),
            )
            for i in items
        )
        AgreementEnterprise.objects.bulk_create(
            AgreementEnterprise(agreement=agreement, enterprise=e) for e in enterprises
        )
        ticked = ChecklistEntry.objects.filter(enterprise__in=enterprises, ticked_off_on__isnull=True).update(
            ticked_off_on=signed_on, ticked_off_by=case
        )
        case.status = CaseStatus.SIGNED
        case.save(update_fields=["status"])
        if case.renews_id:
            BargainingCase.objects.filter(pk=case.renews_id).update(status=CaseStatus.RENEWED)
        audit.changes = {"agreement_id": agreement.pk, "enterprises": len(enterprises), "ticked_off": ticked}
    return agreement


def case_file(*, actor: Actor, case_id, filed_on: date | None, filing_number: str = "") -> Agreement:
    """备案 with the labour authority: only a signed agreement can be filed."""
    with audited(actor, "wages.case.file") as audit:
        _require_staff(actor)
        case = _case_for_update(actor, case_id)
        audit.target = case
        _require_status(case, (CaseStatus.SIGNED,), _("只有已签订的合同才能备案"))
        agreement = case.agreement
        if filed_on is None:
            raise ServiceError(_("请填写备案日期"))
        if filed_on < agreement.signed_on:
            raise ServiceError(_("备案日期不能早于签订日期"))
        agreement.filed_on = filed_on
        agreement.filing_number = (filing_number or "").strip()[:40]
        agreement.save(update_fields=["filed_on", "filing_number"])
        case.status = CaseStatus.FILED
        case.save(update_fields=["status"])
        audit.changes = {"filed_on": filed_on.isoformat(), "filing_number": agreement.filing_number}
    return agreement


def case_publish(*, actor: Actor, case_id, published_on: date | None, on: date | None = None) -> Agreement:
    """公示 to the workforce; the agreement is then in force (or expiring) according to its term."""
    with audited(actor, "wages.case.publish") as audit:
        _require_staff(actor)
        case = _case_for_update(actor, case_id)
        audit.target = case
        _require_status(case, (CaseStatus.FILED,), _("只有已备案的合同才能公示"))
        agreement = case.agreement
        if published_on is None:
            raise ServiceError(_("请填写公示日期"))
        if published_on < agreement.filed_on:
            raise ServiceError(_("公示日期不能早于备案日期"))
        agreement.published_on = published_on
        agreement.save(update_fields=["published_on"])
        case.status = time_status(agreement.starts_on, agreement.ends_on, on or _today())
        case.save(update_fields=["status"])
        audit.changes = {"status": case.status}
    return agreement


def case_renew(
    *, actor: Actor, case_id, instructor_id=None, offered_on: date | None = None
) -> BargainingCase:
    """A new offer to renew an agreement; the old one becomes 已续签 when the new one is signed."""
    with audited(actor, "wages.case.renew") as audit:
        _require_staff(actor)
        case = _case_for_update(actor, case_id)
        audit.target = case
        _require_status(
            case,
            (CaseStatus.PUBLISHED, CaseStatus.IN_FORCE, CaseStatus.EXPIRING, CaseStatus.LAPSED),
            _("只有已公示的合同才能续签"),
        )
        if case.renewals.exclude(status=CaseStatus.LAPSED).exists():
            raise ConflictError(_("该合同已发起续签"))
        instructor = _instructor(instructor_id or case.instructor_id, case.region_id)
        if case.scope == AgreementScope.ENTERPRISE:
            renewal = _new_enterprise_case(case.enterprise, instructor, offered_on or _today(), renews=case)
        else:
            renewal = BargainingCase.objects.create(
                scope=case.scope,
                region_id=case.region_id,
                industry=case.industry,
                title=case.title,
                instructor=instructor,
                renews=case,
                offered_on=offered_on or _today(),
            )
        audit.changes = {"renewal_id": renewal.pk}
    return renewal


def agreements_refresh(*, on: date | None = None) -> dict:
    """The daily job: move agreements along their term and flag those expiring within 60 and 30 days to their
    instructors (once per threshold). Safe to run any number of times a day."""
    on = on or _today()
    actor = Actor.system()
    with audited(actor, "wages.agreements.refresh") as audit:
        covering = BargainingCase.objects.filter(status__in=COVERING_STATUSES)
        lapsed = covering.filter(agreement__ends_on__lt=on).update(status=CaseStatus.LAPSED)
        horizon = on + timedelta(days=EXPIRY_THRESHOLDS[0])
        expiring = BargainingCase.objects.filter(
            status__in=(CaseStatus.PUBLISHED, CaseStatus.IN_FORCE), agreement__ends_on__lte=horizon
        ).update(status=CaseStatus.EXPIRING)
        started = BargainingCase.objects.filter(
            status=CaseStatus.PUBLISHED, agreement__starts_on__lte=on
        ).update(status=CaseStatus.IN_FORCE)
        flags = []
        for days in EXPIRY_THRESHOLDS:
            due = (
                Agreement.objects.filter(
                    case__status=CaseStatus.EXPIRING, ends_on__gte=on, ends_on__lte=on + timedelta(days=days)
                )
                .exclude(expiry_flags__days=days)
                .values_list("pk", "case__instructor_id")
            )
            flags += [
                ExpiryFlag(agreement_id=pk, instructor_id=instructor, days=days, flagged_on=on)
                for pk, instructor in due
            ]
        ExpiryFlag.objects.bulk_create(flags, batch_size=2000, ignore_conflicts=True)
        audit.changes = {
            "on": on.isoformat(),
            "lapsed": lapsed,
            "expiring": expiring,
            "in_force": started,
            "flags": len(flags),
        }
    return audit.changes


# ---------------------------------------------------------------- reaching enterprises


def contact_record(
    *,
    actor: Actor,
    enterprise_id,
    kind: str,
    happened_on: date | None,
    notes: str = "",
    willing: bool = False,
) -> ContactLog:
    with audited(actor, "wages.contact.record") as audit:
        _require_staff(actor)
        enterprise = _enterprise_in_scope(actor, enterprise_id)
        if kind not in ContactKind.values:
            raise ServiceError(_("未知的接触方式"))
        if happened_on is None:
            raise ServiceError(_("请填写日期"))
        if happened_on > _today():
            raise ServiceError(_("接触日期不能晚于今天"))
        log = ContactLog.objects.create(
            enterprise=enterprise,
            kind=kind,
            happened_on=happened_on,
            notes=(notes or "").strip(),
            willing=bool(willing),
            recorded_by_id=actor.user_id,
        )
        audit.target = log
        audit.changes = {"enterprise_id": enterprise.pk, "kind": kind}
    return log


def should_be_covered_q() -> Q:
    """Enterprises the programme must reach: reform pilots, unionised above-size enterprises, platforms."""
    return Q(reform_pilot=True) | Q(unionised=True, above_designated_size=True) | Q(platform=True)


def checklist_build(*, actor: Actor, instructor_id, region_code: str, on: date | None = None) -> int:
    """排查: put every enterprise in ``region_code`` that should be covered, and is on no checklist yet, on the
    instructor's list; enterprises already covered are entered ticked off."""
    on = on or _today()
    with audited(actor, "wages.checklist.build") as audit:
        _require_staff(actor)
        if not Region.objects.filter(pk=region_code).exists():
            raise ServiceError(_("区划不存在"))
        _require_covers(actor, region_code)
        instructor = _instructor(instructor_id, region_code)
        candidates = list(
            Enterprise.objects.filter(
                should_be_covered_q(), region__code__startswith=scope_prefix(region_code)
            )
            .exclude(wage_checklist__isnull=False)
            .values_list("pk", flat=True)
        )
        covering = dict(
            AgreementEnterprise.objects.filter(
                enterprise_id__in=candidates,
                agreement__case__status__in=COVERING_STATUSES,
                agreement__ends_on__gte=on,
            ).values_list("enterprise_id", "agreement__case_id")
        )
        ChecklistEntry.objects.bulk_create(
            [
                ChecklistEntry(
                    instructor=instructor,
                    enterprise_id=pk,
                    added_on=on,
                    ticked_off_on=on if pk in covering else None,
                    ticked_off_by_id=covering.get(pk),
                )
                for pk in candidates
            ],
            batch_size=2000,
        )
        audit.changes = {"instructor_id": instructor.pk, "region": region_code, "added": len(candidates)}
    return len(candidates)


def flag_seen(*, actor: Actor, flag_id) -> ExpiryFlag:
    with audited(actor, "wages.expiry_flag.seen") as audit:
        flag = ExpiryFlag.objects.filter(pk=flag_id, instructor_id=actor.user_id).first()
        if flag is None or actor.role == SYSTEM:
            raise Http404
        audit.target = flag
        flag.seen = True
        flag.save(update_fields=["seen"])
    return flag


__all__ = [
    "agreements_refresh",
    "campaign_launch",
    "case_file",
    "case_offer",
    "case_offer_area",
    "case_prepare",
    "case_publish",
    "case_record_round",
    "case_record_vote",
    "case_renew",
    "case_sign",
    "checklist_build",
    "contact_record",
    "flag_seen",
    "time_status",
    "transaction",
]
