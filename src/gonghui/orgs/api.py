"""Organisations, enterprises, members, Excel import/export and online joining.

Lists are paginated with ``id`` and ``region_code`` on every item; ``<list>/{x_id}`` is the detail, 404 outside scope.
"""

from datetime import date, datetime

from django.http import HttpResponse, JsonResponse
from ninja import File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from gonghui.accounts.services import pii_unmask
from gonghui.core.errors import ServiceError
from gonghui.core.masking import mask_id_number, mask_name, mask_phone
from gonghui.core.permissions import require_role
from gonghui.core.scoping import get_scoped_or_404
from gonghui.orgs import excel, selectors, services
from gonghui.orgs.forms import EnterpriseForm, MemberForm, OrganisationForm
from gonghui.orgs.models import Enterprise, JoinApplication, Member, Occupation, Organisation

router = Router(tags=["orgs"])


def _validated(form_class, actor, data: dict, instance=None) -> dict:
    require_role(actor, "staff", action=f"{form_class.__name__.removesuffix('Form').lower()}.save")
    form = form_class(data, actor=actor, instance=instance)
    if not form.is_valid():
        raise ServiceError({k: list(v) for k, v in form.errors.items()})
    return form.cleaned_data


# --- organisations -----------------------------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    region_code: str
    code: str
    name: str
    level: str
    parent_code: str | None
    is_holding_union: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class OrganisationIn(Schema):
    code: str
    name: str
    level: str
    parent: str
    region: str
    is_holding_union: bool = False


def _org_out(o: Organisation) -> Organisation:
    return o


@router.get("/organisations", response=list[OrganisationOut])
@paginate
def list_organisations(request, q: str = "", level: str = ""):
    return selectors.organisations(request.actor, q=q, level=level)


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def get_organisation(request, organisation_id: int):
    return _org_out(
        get_scoped_or_404(Organisation, request.actor, action="organisation.view", pk=organisation_id)
    )


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request, payload: OrganisationIn):
    data = _validated(OrganisationForm, request.actor, payload.dict())
    return Status(201, _org_out(services.organisation_save(actor=request.actor, data=data)))


@router.put("/organisations/{organisation_id}", response=OrganisationOut)
def update_organisation(request, organisation_id: int, payload: OrganisationIn):
    org = get_scoped_or_404(Organisation, request.actor, action="organisation.update", pk=organisation_id)
    data = _validated(OrganisationForm, request.actor, payload.dict(), instance=org)
    return _org_out(services.organisation_save(actor=request.actor, data=data, organisation=org))


# --- enterprises -------------------------------------------------------------------------------------------------


class EnterpriseOut(Schema):
    id: int
    region_code: str
    credit_code: str
    name: str
    industry: str
    industry_division: str
    address: str
    employees: int
    above_designated_size: bool
    non_public: bool
    unionised: bool
    reform_pilot: bool
    platform: bool
    group_name: str

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id


class EnterpriseIn(Schema):
    credit_code: str
    name: str
    industry: str
    industry_division: str
    region: str
    address: str = ""
    employees: int = 0
    above_designated_size: bool = False
    non_public: bool = True
    unionised: bool = False
    reform_pilot: bool = False
    platform: bool = False
    group_name: str = ""


def _ent_out(e: Enterprise) -> Enterprise:
    return e


@router.get("/enterprises", response=list[EnterpriseOut])
@paginate
def list_enterprises(request, q: str = "", industry: str = ""):
    return selectors.enterprises(request.actor, q=q, industry=industry)


@router.get("/enterprises/{enterprise_id}", response=EnterpriseOut)
def get_enterprise(request, enterprise_id: int):
    return _ent_out(get_scoped_or_404(Enterprise, request.actor, action="enterprise.view", pk=enterprise_id))


@router.post("/enterprises", response={201: EnterpriseOut})
def create_enterprise(request, payload: EnterpriseIn):
    data = _validated(EnterpriseForm, request.actor, payload.dict())
    return Status(201, _ent_out(services.enterprise_save(actor=request.actor, data=data)))


@router.put("/enterprises/{enterprise_id}", response=EnterpriseOut)
def update_enterprise(request, enterprise_id: int, payload: EnterpriseIn):
    ent = get_scoped_or_404(Enterprise, request.actor, action="enterprise.update", pk=enterprise_id)
    data = _validated(EnterpriseForm, request.actor, payload.dict(), instance=ent)
    return _ent_out(services.enterprise_save(actor=request.actor, data=data, enterprise=ent))


# --- members -----------------------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    region_code: str
    name: str
    id_number: str
    phone: str
    union_code: str
    union_name: str
    enterprise_id: int | None
    occupation: str
    skill_grade: str
    join_date: date
    status: str
    model_worker: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_name(obj):
        return mask_name(obj.name)

    @staticmethod
    def resolve_id_number(obj):
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_union_code(obj):
        return obj.union.code

    @staticmethod
    def resolve_union_name(obj):
        return obj.union.name


class MemberIn(Schema):
    name: str
    id_number: str = ""
    phone: str = ""
    union: str
    enterprise: str = ""
    occupation: str
    skill_grade: str = "none"
    join_date: date
    model_worker: bool = False


def _member_out(m: Member) -> Member:
    return m


@router.get("/members", response=list[MemberOut])
@paginate
def list_members(request, q: str = "", occupation: str = ""):
    return selectors.members(request.actor, q=q, occupation=occupation)


@router.get("/members/{member_id}", response=MemberOut)
def get_member(request, member_id: int):
    return _member_out(
        get_scoped_or_404(
            Member.objects.select_related("union"), request.actor, action="member.view", pk=member_id
        )
    )


@router.post("/members", response={201: MemberOut})
def create_member(request, payload: MemberIn):
    data = _validated(MemberForm, request.actor, payload.dict())
    return Status(201, _member_out(services.member_save(actor=request.actor, data=data)))


@router.put("/members/{member_id}", response=MemberOut)
def update_member(request, member_id: int, payload: MemberIn):
    member = get_scoped_or_404(Member, request.actor, action="member.update", pk=member_id)
    data = _validated(MemberForm, request.actor, payload.dict(), instance=member)
    return _member_out(services.member_save(actor=request.actor, data=data, member=member))


class UnmaskIn(Schema):
    field: str


class UnmaskOut(Schema):
    field: str
    value: str


@router.post("/members/{member_id}/unmask", response=UnmaskOut)
def unmask_member(request, member_id: int, payload: UnmaskIn):
    """A member's full ID number or phone: staff of the member's region only; every call is audited."""
    return {
        "field": payload.field,
        "value": pii_unmask(actor=request.actor, model=Member, pk=member_id, field=payload.field),
    }


# --- Excel -------------------------------------------------------------------------------------------------------


class ImportOut(Schema):
    imported: int


@router.post("/import/{kind}", response={200: ImportOut})
def import_excel(request, kind: str, file: UploadedFile = File(...)):  # noqa: B008
    """Import .xlsx rows: all or nothing. A bad file gives 400 with ``rows``: every bad row and field."""
    try:
        count = excel.import_file(actor=request.actor, kind=kind, content=file.read())
    except excel.ImportRejected as exc:
        rows = [e.__dict__ for e in exc.rows]
        return JsonResponse(
            {"detail": exc.messages[0], "errors": {"rows": rows}, "rows": rows},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return {"imported": count}


@router.get("/export/{kind}")
def export_excel(request, kind: str):
    if kind not in excel.KINDS:
        raise ServiceError({"kind": ["unknown"]})
    content = excel.export_workbook(
        actor=request.actor, kind=kind, queryset=selectors.SELECTORS[kind](request.actor)
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}.xlsx"'
    return response


# --- online joining ----------------------------------------------------------------------------------------------


class HoldingUnionOut(Schema):
    id: int
    region_code: str
    code: str
    name: str


@router.get(
    "/holding-unions", response=list[HoldingUnionOut], auth=None, openapi_extra={"x-gonghui-scope": "public"}
)
def list_holding_unions(request):
    """Public reference list: the county unions that workers without a unionised employer join through."""
    return [
        {"id": o.pk, "region_code": o.region_id, "code": o.code, "name": o.name}
        for o in selectors.holding_unions()
    ]


class JoinIn(Schema):
    union_id: int
    name: str
    id_number: str
    phone: str
    occupation: Occupation
    employer_name: str = ""


class JoinOut(Schema):
    id: int
    region_code: str
    union_name: str
    name: str
    id_number: str
    phone: str
    occupation: str
    employer_name: str
    status: str
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_union_name(obj):
        return obj.union.name

    @staticmethod
    def resolve_name(obj):
        return mask_name(obj.name)

    @staticmethod
    def resolve_id_number(obj):
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)


def _join_out(j: JoinApplication) -> JoinApplication:
    return j


@router.post("/join-applications", response={201: JoinOut})
def apply_to_join(request, payload: JoinIn):
    union = Organisation.objects.filter(pk=payload.union_id, is_holding_union=True).first()
    if union is None:
        raise ServiceError({"union_id": ["unknown holding union"]})
    application = services.join_apply(
        actor=request.actor,
        union=union,
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        occupation=payload.occupation,
        employer_name=payload.employer_name,
    )
    return Status(201, _join_out(application))


@router.get("/join-applications", response=list[JoinOut])
@paginate
def list_join_applications(request, status: str = ""):
    return selectors.join_applications(request.actor, status=status)


@router.get("/join-applications/{application_id}", response=JoinOut)
def get_join_application(request, application_id: int):
    return _join_out(
        get_scoped_or_404(
            JoinApplication.objects.select_related("union"),
            request.actor,
            action="join.view",
            pk=application_id,
        )
    )


class DecisionIn(Schema):
    reason: str = ""


@router.post("/join-applications/{application_id}/approve", response=JoinOut)
def approve_join(request, application_id: int, payload: DecisionIn):
    return _join_out(
        services.join_decide(
            actor=request.actor, application_id=application_id, approve=True, reason=payload.reason
        )
    )


@router.post("/join-applications/{application_id}/refuse", response=JoinOut)
def refuse_join(request, application_id: int, payload: DecisionIn):
    return _join_out(
        services.join_decide(
            actor=request.actor, application_id=application_id, approve=False, reason=payload.reason
        )
    )
