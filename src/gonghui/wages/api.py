"""Wages API: everything the pages do, for mobile and mini-program clients."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gonghui.core.scoping import get_scoped_or_404
from gonghui.wages import figures, importer, selectors, services
from gonghui.wages.models import Agreement, BargainingCase, Campaign, ChecklistEntry, ContactLog, ExpiryFlag

router = Router(tags=["wages"])


def _staff(request):
    if not request.actor.is_staff:
        raise PermissionDenied(_("只有工会工作人员可以使用这个功能。"))
    return request.actor


# ------------------------------------------------------------------ schemas


class WageCaseOut(Schema):
    id: int
    region_code: str
    title: str
    status: str
    status_label: str
    scope: str
    industry: str
    enterprise_id: int | None
    enterprise_name: str | None
    instructor_id: int
    instructor_name: str
    campaign_id: int | None
    offered_on: date

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name if obj.enterprise_id else None

    @staticmethod
    def resolve_instructor_name(obj):
        return obj.instructor.name


class WageRoundOut(Schema):
    number: int
    held_on: date
    minutes: str


class WageVoteOut(Schema):
    held_on: date
    representatives: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    passed: bool


class WageCaseDetailOut(WageCaseOut):
    survey_local_average_wage: int | None
    survey_guideline_raise: Decimal | None
    survey_enterprise_average_wage: int | None
    worker_proposals: str
    renews_id: int | None
    rounds: list[WageRoundOut]
    votes: list[WageVoteOut]
    agreement_id: int | None

    @staticmethod
    def resolve_rounds(obj):
        return list(obj.rounds.all())

    @staticmethod
    def resolve_votes(obj):
        return list(obj.votes.all())

    @staticmethod
    def resolve_agreement_id(obj):
        return Agreement.objects.filter(case=obj).values_list("pk", flat=True).first()


class WageOfferIn(Schema):
    enterprise_id: int
    instructor_id: int | None = None
    offered_on: date | None = None


class WageAreaOfferIn(Schema):
    scope: str
    region_code: str
    industry: str
    title: str
    instructor_id: int | None = None
    offered_on: date | None = None


class WagePrepareIn(Schema):
    local_average_wage: int | None = None
    guideline_raise: Decimal | None = None
    enterprise_average_wage: int | None = None
    worker_proposals: str


class WageRoundIn(Schema):
    held_on: date
    minutes: str


class WageVoteIn(Schema):
    held_on: date
    representatives: int
    votes_for: int
    votes_against: int
    votes_abstain: int


class WageRungIn(Schema):
    grade: str
    base_pay: int
    allowance: int = 0


class WageItemIn(Schema):
    kind: str
    amount: int = 0
    description: str = ""


class WageSignIn(Schema):
    kind: str = "skill_wage"
    signed_on: date
    starts_on: date
    ends_on: date
    workers_covered: int
    average_raise: Decimal
    minimum_pay: int
    ladder: list[WageRungIn]
    items: list[WageItemIn] = []
    enterprise_ids: list[int] = []


class WageFileIn(Schema):
    filed_on: date
    filing_number: str = ""


class WagePublishIn(Schema):
    published_on: date


class WageRenewIn(Schema):
    instructor_id: int | None = None
    offered_on: date | None = None


class WageCampaignOut(Schema):
    id: int
    region_code: str
    name: str
    kind: str
    launched_on: date
    case_count: int

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_case_count(obj):
        return getattr(obj, "case_count", None) or obj.cases.count()


class WageCampaignIn(Schema):
    name: str
    kind: str
    region_code: str
    enterprise_ids: list[int]
    instructor_id: int | None = None
    launched_on: date | None = None


class WageRungOut(Schema):
    grade: str
    base_pay: int
    allowance: int


class WageItemOut(Schema):
    kind: str
    amount: int
    description: str


class WageAgreementOut(Schema):
    id: int
    region_code: str
    case_id: int
    title: str
    status: str
    kind: str
    scope: str
    industry: str
    signed_on: date
    starts_on: date
    ends_on: date
    workers_covered: int
    average_raise: Decimal
    minimum_pay: int
    filed_on: date | None
    filing_number: str
    published_on: date | None
    imported: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_title(obj):
        return obj.case.title

    @staticmethod
    def resolve_status(obj):
        return obj.case.status


class WageAgreementDetailOut(WageAgreementOut):
    ladder: list[WageRungOut]
    items: list[WageItemOut]
    enterprise_ids: list[int]

    @staticmethod
    def resolve_ladder(obj):
        return list(obj.ladder.all())

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())

    @staticmethod
    def resolve_enterprise_ids(obj):
        return list(obj.coverage.values_list("enterprise_id", flat=True))


class WageComparisonOut(Schema):
    grades: list[str]
    labels: list[str]
    agreement: list[float | None]
    county_median: list[float | None]
    city_median: list[float | None]
    county_peers: int
    city_peers: int


class WageImportOut(Schema):
    imported: int


class WageContactOut(Schema):
    id: int
    region_code: str
    enterprise_id: int
    enterprise_name: str
    kind: str
    happened_on: date
    notes: str
    willing: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.enterprise.region_id

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name


class WageContactIn(Schema):
    enterprise_id: int
    kind: str
    happened_on: date
    notes: str = ""
    willing: bool = False


class WageChecklistOut(Schema):
    id: int
    region_code: str
    enterprise_id: int
    enterprise_name: str
    credit_code: str
    added_on: date
    ticked_off_on: date | None
    ticked_off_by_id: int | None

    @staticmethod
    def resolve_region_code(obj):
        return obj.enterprise.region_id

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_credit_code(obj):
        return obj.enterprise.credit_code


class WageChecklistBuildIn(Schema):
    region_code: str
    instructor_id: int | None = None


class WageCountOut(Schema):
    added: int


class WageFlagOut(Schema):
    id: int
    region_code: str
    agreement_id: int
    title: str
    days: int
    ends_on: date
    flagged_on: date
    seen: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.agreement.region_id

    @staticmethod
    def resolve_title(obj):
        return obj.agreement.case.title

    @staticmethod
    def resolve_ends_on(obj):
        return obj.agreement.ends_on


class WageCoverageRow(Schema):
    key: str | None = None
    name: str | None = None
    agreements: int
    enterprises_covered: int
    workers_covered: int
    pilot_total: int
    pilot_covered: int
    pilot_rate: float | None
    unionised_above_total: int
    unionised_above_covered: int
    unionised_above_rate: float | None
    platform_total: int
    platform_covered: int
    platform_rate: float | None


class WageCoverageOut(Schema):
    region_prefix: str
    on: date
    total: WageCoverageRow
    by: str
    rows: list[WageCoverageRow]


# ------------------------------------------------------------------ cases


def _case(request, case_id, action="wages.case.view"):
    return get_scoped_or_404(
        BargainingCase.objects.select_related("enterprise", "instructor"),
        request.actor,
        action=action,
        pk=case_id,
    )


@router.get("/cases", response=list[WageCaseOut])
@paginate
def list_cases(request, status: str | None = None, mine: bool = False, campaign_id: int | None = None):
    return selectors.cases(
        request.actor,
        status=status,
        campaign_id=campaign_id,
        instructor_id=request.actor.user_id if mine else None,
    )


@router.get("/cases/{case_id}", response=WageCaseDetailOut)
def get_case(request, case_id: int):
    return _case(request, case_id)


@router.post("/cases", response={201: WageCaseDetailOut})
def offer_case(request, payload: WageOfferIn):
    actor = _staff(request)
    case = services.case_offer(
        actor=actor,
        enterprise_id=payload.enterprise_id,
        instructor_id=payload.instructor_id or actor.user_id,
        offered_on=payload.offered_on,
    )
    return 201, _case(request, case.pk)


@router.post("/cases/area", response={201: WageCaseDetailOut})
def offer_area_case(request, payload: WageAreaOfferIn):
    actor = _staff(request)
    case = services.case_offer_area(
        actor=actor,
        scope=payload.scope,
        region_code=payload.region_code,
        industry=payload.industry,
        title=payload.title,
        instructor_id=payload.instructor_id or actor.user_id,
        offered_on=payload.offered_on,
    )
    return 201, _case(request, case.pk)


@router.post("/cases/{case_id}/prepare", response=WageCaseDetailOut)
def prepare_case(request, case_id: int, payload: WagePrepareIn):
    services.case_prepare(actor=request.actor, case_id=case_id, **payload.dict())
    return _case(request, case_id)


@router.post("/cases/{case_id}/rounds", response=WageCaseDetailOut)
def record_round(request, case_id: int, payload: WageRoundIn):
    services.case_record_round(actor=request.actor, case_id=case_id, **payload.dict())
    return _case(request, case_id)


@router.post("/cases/{case_id}/vote", response=WageCaseDetailOut)
def record_vote(request, case_id: int, payload: WageVoteIn):
    services.case_record_vote(actor=request.actor, case_id=case_id, **payload.dict())
    return _case(request, case_id)


@router.post("/cases/{case_id}/sign", response=WageAgreementDetailOut)
def sign_case(request, case_id: int, payload: WageSignIn):
    data = payload.dict()
    return services.case_sign(actor=request.actor, case_id=case_id, **data)


@router.post("/cases/{case_id}/file", response=WageAgreementDetailOut)
def file_case(request, case_id: int, payload: WageFileIn):
    return services.case_file(actor=request.actor, case_id=case_id, **payload.dict())


@router.post("/cases/{case_id}/publish", response=WageAgreementDetailOut)
def publish_case(request, case_id: int, payload: WagePublishIn):
    return services.case_publish(actor=request.actor, case_id=case_id, **payload.dict())


@router.post("/cases/{case_id}/renew", response={201: WageCaseDetailOut})
def renew_case(request, case_id: int, payload: WageRenewIn):
    renewal = services.case_renew(actor=request.actor, case_id=case_id, **payload.dict())
    return 201, _case(request, renewal.pk)


# ------------------------------------------------------------------ campaigns


@router.get("/campaigns", response=list[WageCampaignOut])
@paginate
def list_campaigns(request):
    return selectors.campaigns(request.actor)


@router.get("/campaigns/{campaign_id}", response=WageCampaignOut)
def get_campaign(request, campaign_id: int):
    return get_scoped_or_404(Campaign, request.actor, action="wages.campaign.view", pk=campaign_id)


@router.post("/campaigns", response={201: WageCampaignOut})
def launch_campaign(request, payload: WageCampaignIn):
    actor = _staff(request)
    data = payload.dict()
    data["instructor_id"] = data["instructor_id"] or actor.user_id
    return 201, services.campaign_launch(actor=actor, **data)


# ------------------------------------------------------------------ agreements


@router.get("/agreements", response=list[WageAgreementOut])
@paginate
def list_agreements(request, industry: str | None = None, kind: str | None = None):
    return selectors.agreements(request.actor, industry=industry, kind=kind)


def _agreement(request, agreement_id):
    return get_scoped_or_404(
        Agreement.objects.select_related("case"),
        request.actor,
        action="wages.agreement.view",
        pk=agreement_id,
    )


@router.get("/agreements/{agreement_id}", response=WageAgreementDetailOut)
def get_agreement(request, agreement_id: int):
    return _agreement(request, agreement_id)


@router.get("/agreements/{agreement_id}/compare", response=WageComparisonOut)
def compare_agreement(request, agreement_id: int):
    return selectors.ladder_comparison(_agreement(request, agreement_id))


@router.post("/imports", response=WageImportOut)
def import_agreements(request, file: File[UploadedFile]):
    return {"imported": importer.agreements_import(actor=request.actor, data=file.read())}


# ------------------------------------------------------------------ contacts, checklist, flags


@router.get("/contacts", response=list[WageContactOut])
@paginate
def list_contacts(request, enterprise_id: int | None = None):
    return selectors.contacts(request.actor, enterprise_id=enterprise_id)


@router.get("/contacts/{contact_id}", response=WageContactOut)
def get_contact(request, contact_id: int):
    return get_scoped_or_404(
        ContactLog.objects.select_related("enterprise"),
        request.actor,
        action="wages.contact.view",
        pk=contact_id,
    )


@router.post("/contacts", response={201: WageContactOut})
def record_contact(request, payload: WageContactIn):
    return 201, services.contact_record(actor=request.actor, **payload.dict())


@router.get("/checklist", response=list[WageChecklistOut])
@paginate
def list_checklist(request, open_only: bool = False):
    return selectors.checklist(request.actor, open_only=open_only)


@router.get("/checklist/{entry_id}", response=WageChecklistOut)
def get_checklist_entry(request, entry_id: int):
    return get_scoped_or_404(
        ChecklistEntry.objects.select_related("enterprise"),
        request.actor,
        action="wages.checklist.view",
        pk=entry_id,
    )


@router.post("/checklist/build", response=WageCountOut)
def build_checklist(request, payload: WageChecklistBuildIn):
    actor = _staff(request)
    added = services.checklist_build(
        actor=actor, instructor_id=payload.instructor_id or actor.user_id, region_code=payload.region_code
    )
    return {"added": added}


@router.get("/expiry-flags", response=list[WageFlagOut])
@paginate
def list_expiry_flags(request, unseen_only: bool = False):
    return selectors.expiry_flags(request.actor, unseen_only=unseen_only)


@router.get("/expiry-flags/{flag_id}", response=WageFlagOut)
def get_expiry_flag(request, flag_id: int):
    return get_scoped_or_404(
        ExpiryFlag.objects.select_related("agreement", "agreement__case").filter(
            instructor_id=request.actor.user_id
        ),
        request.actor,
        action="wages.expiry_flag.view",
        pk=flag_id,
    )


@router.post("/expiry-flags/{flag_id}/seen", response=WageFlagOut)
def mark_flag_seen(request, flag_id: int):
    flag = services.flag_seen(actor=request.actor, flag_id=flag_id)
    return ExpiryFlag.objects.select_related("agreement", "agreement__case").get(pk=flag.pk)


# ------------------------------------------------------------------ coverage


@router.get("/coverage", response=WageCoverageOut)
def coverage(request, by: str = "county", on: date | None = None):
    actor = _staff(request)
    if by not in figures.GROUPS:
        raise services.ServiceError(_("by 须为 county、city 或 industry"))
    return {
        "region_prefix": actor.region_prefix,
        "on": on or services._today(),
        "by": by,
        "total": figures.coverage(actor, on=on),
        "rows": figures.coverage_rows(actor, by=by, on=on),
    }
