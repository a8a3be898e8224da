"""Pages of the wages programme: thin wrappers around selectors and services."""

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.audit import record_refusal
from gonghui.core.scoping import get_scoped_or_404
from gonghui.orgs.models import Enterprise, Industry, Organisation
from gonghui.regions.models import Region, RegionLevel
from gonghui.wages import figures, importer, selectors, services
from gonghui.wages.forms import (
    AreaOfferForm,
    CampaignForm,
    ChecklistBuildForm,
    ContactForm,
    FileForm,
    ImportForm,
    PrepareForm,
    PublishForm,
    RoundForm,
    SignForm,
    VoteForm,
)
from gonghui.wages.models import Agreement, AgreementScope, BargainingCase, CaseStatus


def staff_page(view):
    """Staff only: anonymous visitors go to the login page; other roles get 403 (audited)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.actor.is_staff:
            record_refusal(request.actor, f"wages.page.{view.__name__}", reason="staff only")
            raise PermissionDenied(_("只有工会工作人员可以使用这个功能。"))
        return view(request, *args, **kwargs)

    return wrapper


def _show_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@staff_page
def index(request):
    """Coverage for the staff member's region, by county, city or industry."""
    actor = request.actor
    by = request.GET.get("by") or ("city" if len(actor.region_prefix) <= 2 else "county")
    if by not in figures.GROUPS:
        by = "county"
    return render(
        request,
        "wages/index.html",
        {
            "total": figures.coverage(actor),
            "rows": figures.coverage_rows(actor, by=by),
            "by": by,
            "groups": [("county", _("按县（市、区）")), ("city", _("按设区市")), ("industry", _("按行业"))],
        },
    )


def _counties_in_scope(actor):
    regions = Region.objects.filter(
        code__startswith=actor.region_prefix, level__in=(RegionLevel.COUNTY, RegionLevel.TOWN)
    )
    return [(r.code, r.name) for r in regions.order_by("code")[:500]]


@staff_page
def checklist(request):
    actor = request.actor
    entries = selectors.checklist(actor)
    show = request.GET.get("show", "open")
    listed = entries.filter(ticked_off_on__isnull=True) if show == "open" else entries
    listed = list(listed.order_by("ticked_off_on", "enterprise__credit_code")[:300])
    latest = selectors.latest_case_by_enterprise(e.enterprise_id for e in listed)
    return render(
        request,
        "wages/checklist.html",
        {
            "entries": [(e, latest.get(e.enterprise_id)) for e in listed],
            "progress": selectors.checklist_progress(entries),
            "flags": selectors.expiry_flags(actor, unseen_only=True)[:50],
            "show": show,
            "build_form": ChecklistBuildForm(regions=_counties_in_scope(actor)),
            "campaign_form": CampaignForm(),
            "open_statuses": [
                s.value
                for s in (
                    CaseStatus.OFFERED,
                    CaseStatus.PREPARING,
                    CaseStatus.BARGAINING,
                    CaseStatus.REVIEWED,
                )
            ],
        },
    )


@staff_page
@require_POST
def checklist_build(request):
    form = ChecklistBuildForm(request.POST, regions=_counties_in_scope(request.actor))
    if form.is_valid():
        try:
            added = services.checklist_build(
                actor=request.actor,
                instructor_id=request.actor.user_id,
                region_code=form.cleaned_data["region_code"],
            )
            messages.success(request, _("已列入 %(n)s 家企业") % {"n": added})
        except ValidationError as exc:
            _show_errors(request, exc)
    return redirect("wages:checklist")


@staff_page
@require_POST
def case_offer(request, enterprise_id):
    try:
        case = services.case_offer(
            actor=request.actor, enterprise_id=enterprise_id, instructor_id=request.actor.user_id
        )
    except ValidationError as exc:
        _show_errors(request, exc)
        return redirect("wages:checklist")
    return redirect("wages:case", case_id=case.pk)


@staff_page
@require_POST
def campaign_launch(request):
    """集中要约 from the checklist: one offer to every ticked enterprise, all or none."""
    actor = request.actor
    open_ids = selectors.checklist(actor, open_only=True).values_list("enterprise_id", flat=True)
    form = CampaignForm(request.POST, enterprise_ids=open_ids)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("wages:checklist")
    try:
        campaign = services.campaign_launch(
            actor=actor,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            region_code=Organisation.objects.get(pk=actor.organisation_id).region_id,
            enterprise_ids=form.cleaned_data["enterprise_ids"],
            instructor_id=actor.user_id,
        )
    except ValidationError as exc:
        _show_errors(request, exc)
        return redirect("wages:checklist")
    messages.success(request, _("已向 %(n)s 家企业发出要约") % {"n": campaign.cases.count()})
    return redirect(f"{reverse('wages:cases')}?campaign={campaign.pk}")


@staff_page
def case_list(request):
    status = request.GET.get("status") or None
    mine = request.GET.get("mine") == "1"
    campaign = request.GET.get("campaign") or ""
    cases = selectors.cases(
        request.actor,
        status=status,
        instructor_id=request.actor.user_id if mine else None,
        campaign_id=int(campaign) if campaign.isdigit() else None,
    )
    return render(
        request,
        "wages/cases.html",
        {
            "cases": cases[:200],
            "count": cases.count(),
            "status": status,
            "mine": mine,
            "statuses": CaseStatus.choices,
            "area_form": AreaOfferForm(regions=_counties_in_scope(request.actor)),
        },
    )


@staff_page
@require_POST
def area_offer(request):
    """An offer for a regional or industry agreement that will cover many small enterprises."""
    form = AreaOfferForm(request.POST, regions=_counties_in_scope(request.actor))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("wages:cases")
    try:
        case = services.case_offer_area(
            actor=request.actor, instructor_id=request.actor.user_id, **form.cleaned_data
        )
    except ValidationError as exc:
        _show_errors(request, exc)
        return redirect("wages:cases")
    return redirect("wages:case", case_id=case.pk)


def _sign_initial(case):
    initial = {"minimum_pay": 2600}
    if case.enterprise_id:
        initial["workers_covered"] = case.enterprise.employees
    return initial


def _case_page(request, case, forms=None, status=200):
    forms = forms or {}
    context = {
        "case": case,
        "rounds": case.rounds.all(),
        "votes": case.votes.all(),
        "agreement": getattr(case, "agreement", None)
        if case.status
        not in (CaseStatus.OFFERED, CaseStatus.PREPARING, CaseStatus.BARGAINING, CaseStatus.REVIEWED)
        else None,
        "prepare_form": forms.get("prepare")
        or PrepareForm(
            initial={
                "local_average_wage": case.survey_local_average_wage,
                "guideline_raise": case.survey_guideline_raise,
                "enterprise_average_wage": case.survey_enterprise_average_wage,
                "worker_proposals": case.worker_proposals,
            }
        ),
        "round_form": forms.get("round") or RoundForm(),
        "vote_form": forms.get("vote") or VoteForm(),
        "sign_form": forms.get("sign") or SignForm(initial=_sign_initial(case)),
        "file_form": forms.get("file") or FileForm(),
        "publish_form": forms.get("publish") or PublishForm(),
        "area": case.scope != AgreementScope.ENTERPRISE,
    }
    return render(request, "wages/case.html", context, status=status)


@staff_page
def case_detail(request, case_id):
    case = get_scoped_or_404(
        BargainingCase.objects.select_related("enterprise", "instructor", "region"),
        request.actor,
        action="wages.case.view",
        pk=case_id,
    )
    return _case_page(request, case)


STEPS = {
    "prepare": (
        PrepareForm,
        lambda actor, case, d, form: services.case_prepare(actor=actor, case_id=case.pk, **d),
    ),
    "round": (
        RoundForm,
        lambda actor, case, d, form: services.case_record_round(actor=actor, case_id=case.pk, **d),
    ),
    "vote": (
        VoteForm,
        lambda actor, case, d, form: services.case_record_vote(actor=actor, case_id=case.pk, **d),
    ),
    "file": (FileForm, lambda actor, case, d, form: services.case_file(actor=actor, case_id=case.pk, **d)),
    "publish": (
        PublishForm,
        lambda actor, case, d, form: services.case_publish(actor=actor, case_id=case.pk, **d),
    ),
}


def _sign(actor, case, data, form):
    codes = [c.strip().upper() for c in (data.pop("credit_codes") or "").split() if c.strip()]
    enterprise_ids = list(Enterprise.objects.filter(credit_code__in=codes).values_list("pk", flat=True))
    if len(enterprise_ids) != len(set(codes)):
        raise services.ServiceError(_("部分统一社会信用代码未登记"))
    for key in list(data):
        if key.startswith(("base_", "allowance_", "item_")):
            data.pop(key)
    return services.case_sign(
        actor=actor,
        case_id=case.pk,
        ladder=form.ladder(),
        items=form.items(),
        enterprise_ids=enterprise_ids,
        **data,
    )


STEPS["sign"] = (SignForm, _sign)


@staff_page
@require_POST
def case_step(request, case_id, step):
    case = get_scoped_or_404(
        BargainingCase.objects.select_related("enterprise", "instructor", "region"),
        request.actor,
        action=f"wages.case.{step}",
        pk=case_id,
    )
    if step not in STEPS:
        return HttpResponse(status=404)
    form_class, run = STEPS[step]
    form = form_class(request.POST)
    if not form.is_valid():
        return _case_page(request, case, {step: form}, status=400)
    try:
        run(request.actor, case, dict(form.cleaned_data), form)
    except ValidationError as exc:
        _show_errors(request, exc)
        case.refresh_from_db()
        return _case_page(request, case, {step: form}, status=400)
    messages.success(request, _("已保存"))
    return redirect("wages:case", case_id=case.pk)


@staff_page
@require_POST
def case_renew(request, case_id):
    try:
        renewal = services.case_renew(actor=request.actor, case_id=case_id)
    except ValidationError as exc:
        _show_errors(request, exc)
        return redirect("wages:case", case_id=case_id)
    return redirect("wages:case", case_id=renewal.pk)


@staff_page
def agreement_list(request):
    industry = request.GET.get("industry") or None
    agreements = selectors.agreements(request.actor, industry=industry)
    return render(
        request,
        "wages/agreements.html",
        {
            "agreements": agreements[:200],
            "count": agreements.count(),
            "industry": industry,
            "industries": Industry.choices,
        },
    )


@staff_page
def agreement_detail(request, agreement_id):
    agreement = get_scoped_or_404(
        Agreement.objects.select_related("case", "case__enterprise", "region"),
        request.actor,
        action="wages.agreement.view",
        pk=agreement_id,
    )
    return render(
        request,
        "wages/agreement.html",
        {
            "agreement": agreement,
            "ladder": agreement.ladder.all(),
            "items": agreement.items.all(),
            "covered": agreement.coverage.select_related("enterprise")[:100],
            "covered_count": agreement.coverage.count(),
            "comparison": selectors.ladder_comparison(agreement),
        },
    )


@staff_page
def contacts(request, enterprise_id):
    enterprise = get_scoped_or_404(Enterprise, request.actor, action="wages.contacts.view", pk=enterprise_id)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_record(actor=request.actor, enterprise_id=enterprise.pk, **form.cleaned_data)
            messages.success(request, _("已记录"))
            return redirect("wages:contacts", enterprise_id=enterprise.pk)
        except ValidationError as exc:
            _show_errors(request, exc)
    return render(
        request,
        "wages/contacts.html",
        {
            "enterprise": enterprise,
            "form": form,
            "logs": selectors.contacts(request.actor, enterprise_id=enterprise.pk),
            "cases": BargainingCase.objects.filter(enterprise=enterprise).order_by("-offered_on"),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_page
def import_agreements(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            count = importer.agreements_import(actor=request.actor, data=form.cleaned_data["file"].read())
            messages.success(request, _("已导入 %(n)s 份集体合同") % {"n": count})
            return redirect("wages:agreements")
        except ValidationError as exc:
            errors = exc.messages
    return render(
        request,
        "wages/import.html",
        {"form": form, "errors": errors},
        status=400 if request.method == "POST" else 200,
    )


@staff_page
def import_template(request):
    response = HttpResponse(
        importer.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="agreements-template.xlsx"'
    return response
