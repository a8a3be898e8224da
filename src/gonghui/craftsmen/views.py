"""Pages of 劳模工匠助企行. Thin: parse the form, call a service or selector, render (or redirect with a message)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.craftsmen import figures, selectors, services
from gonghui.craftsmen.models import (
    NeedCategory,
    ProblemStatus,
    ServiceTeam,
    SolutionStatus,
    Urgency,
)
from gonghui.craftsmen.services import IMPORT_COLUMNS
from gonghui.regions.models import Region, RegionLevel


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or _("您无权执行此操作。")


def _run(request, action, success: str, back: str):
    """Call a service; a refusal becomes an error message (the service has already audited it)."""
    try:
        result = action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
        return None, redirect(back)
    if success:
        messages.success(request, success)
    return result, redirect(back)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError(_("日期格式无效：%(v)s") % {"v": value}) from None


def _page(request, qs, size=30):
    return Paginator(qs, size).get_page(request.GET.get("page"))


@login_required
@require_GET
def home(request):
    actor = request.actor
    context = {"unread": selectors.unread_count(actor)}
    if actor.role == "staff":
        status = request.GET.get("status", "")
        overdue = request.GET.get("overdue") == "1"
        context.update(
            page=_page(
                request,
                selectors.problems(
                    actor, status=status or None, query=request.GET.get("q", ""), overdue=overdue
                ),
            ),
            counts=selectors.status_counts(actor),
            statuses=ProblemStatus.choices,
            status=status,
            overdue=overdue,
            overdue_count=selectors.problems(actor, overdue=True).count(),
            pending_profiles=selectors.craftsmen(actor, pending_only=True).count(),
            pending_solutions=selectors.solutions(actor, status=SolutionStatus.SUBMITTED).count(),
        )
        return render(request, "craftsmen/home_staff.html", context)
    if actor.role == "enterprise":
        context["page"] = _page(request, selectors.problems(actor))
        return render(request, "craftsmen/home_enterprise.html", context)
    if actor.role == "craftsman":
        context.update(
            me=selectors.own_craftsman(actor),
            offers=selectors.offers(actor, pending_only=True),
            services=selectors.problems(actor)
            .exclude(status=ProblemStatus.LISTED)
            .filter(craftsman__user_id=actor.user_id),
            listed=selectors.listed_problems(actor)[:20],
        )
        return render(request, "craftsmen/home_craftsman.html", context)
    raise PermissionDenied


@login_required
def problem_new(request):
    actor = request.actor
    if actor.role not in ("enterprise", "staff"):
        raise PermissionDenied
    if request.method == "POST":
        p = request.POST

        def file():
            return services.problem_file(
                actor=actor,
                enterprise=p.get("enterprise"),
                category=p.get("category", ""),
                industry=p.get("industry", ""),
                title=p.get("title", ""),
                description=p.get("description", ""),
                tags=p.get("tags", ""),
                urgency=p.get("urgency") or 1,
                online=p.get("online") == "on",
                wished_from=_date(p.get("wished_from")),
                wished_to=_date(p.get("wished_to")),
                files=request.FILES.getlist("files"),
                craftsmen_needed=p.get("craftsmen_needed") or 1,
            )

        try:
            problem = file()
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("需求已提交，工会将在两个工作日内审核。"))
            return redirect("craftsmen:problem", problem_id=problem.pk)
    return render(
        request,
        "craftsmen/problem_form.html",
        {"categories": NeedCategory.choices, "urgencies": Urgency.choices, "form": request.POST},
    )


@login_required
@require_GET
def similar(request):
    """htmx: solved problems from the solution library like the one being typed."""
    text = f"{request.GET.get('title', '')} {request.GET.get('description', '')}".strip()
    return render(
        request, "craftsmen/_similar.html", {"found": selectors.similar_solutions(request.actor, text)}
    )


@login_required
@require_GET
def problem_detail(request, problem_id):
    actor = request.actor
    problem = selectors.problem(actor, problem_id)
    candidates, no_candidate_reason, team = ([], "", None)
    if actor.is_staff and problem.status == ProblemStatus.REVIEWED:
        if problem.craftsmen_needed > 1:
            team = services.team_proposal(actor=actor, problem_id=problem.pk)
        else:
            candidates, no_candidate_reason = selectors.candidates(actor, problem)
    is_servicing = (
        actor.role == "craftsman" and problem.craftsman and problem.craftsman.user_id == actor.user_id
    )
    return render(
        request,
        "craftsmen/problem_detail.html",
        {
            "problem": problem,
            "log": problem.status_log.all(),
            "attachments": problem.attachments.all(),
            "offers": problem.offers.select_related("craftsman") if actor.role in ("staff",) else [],
            "visits": problem.visits.all(),
            "outcome": getattr(problem, "outcome", None),
            "solution": getattr(problem, "solution", None),
            "candidates": candidates,
            "no_candidate_reason": no_candidate_reason,
            "team": team,
            "team_offers": selectors.team_offers(problem),
            "agreement": selectors.agreement(problem),
            "my_teams": selectors.my_teams(actor) if problem.status == ProblemStatus.LISTED else [],
            "my_offer": selectors.pending_offer_for(actor, problem),
            "is_servicing": is_servicing,
            "today": timezone.localdate().isoformat(),
            "S": ProblemStatus,
        },
    )


@login_required
@require_POST
def problem_action(request, problem_id, action):
    actor = request.actor
    p = request.POST
    back = reverse("craftsmen:problem", args=[problem_id])
    actions = {
        "review": (
            lambda: services.problem_review(
                actor=actor,
                problem_id=problem_id,
                accept=True,
                comment=p.get("comment", ""),
                tags=p.get("tags") or None,
                craftsmen_needed=p.get("craftsmen_needed") or None,
            ),
            _("已审核。"),
        ),
        "return": (
            lambda: services.problem_review(
                actor=actor, problem_id=problem_id, accept=False, comment=p.get("comment", "")
            ),
            _("已退回企业补充。"),
        ),
        "resubmit": (
            lambda: services.problem_resubmit(
                actor=actor,
                problem_id=problem_id,
                description=p.get("description", ""),
                files=request.FILES.getlist("files"),
            ),
            _("已重新提交。"),
        ),
        "dispatch": (
            lambda: services.problem_dispatch(
                actor=actor, problem_id=problem_id, craftsman_id=p.get("craftsman") or None
            ),
            _("已派单。"),
        ),
        "list": (
            lambda: services.problem_list_for_claim(
                actor=actor, problem_id=problem_id, workdays=int(p.get("workdays") or 10)
            ),
            _("已发布揭榜。"),
        ),
        "claim": (lambda: _claim(actor, problem_id, p), _("揭榜成功！")),
        "dispatch_team": (
            lambda: services.problem_dispatch_team(
                actor=actor, problem_id=problem_id, member_ids=p.getlist("member") or None
            ),
            _("已向团队成员派单。"),
        ),
        "accept": (
            lambda: services.offer_accept(actor=actor, offer_id=int(p.get("offer", 0))),
            _("已接单。"),
        ),
        "decline": (
            lambda: services.offer_decline(
                actor=actor, offer_id=int(p.get("offer", 0)), reason=p.get("reason", "")
            ),
            _("已拒单，系统将派给下一位工匠。"),
        ),
        "visit": (
            lambda: services.visit_log(
                actor=actor,
                problem_id=problem_id,
                visit_date=_date(p.get("date")),
                hours=p.get("hours"),
                online=p.get("online") == "on",
                note=p.get("note", ""),
                followup=p.get("followup") == "1",
            ),
            _("服务记录已保存。"),
        ),
        "outcome": (
            lambda: services.outcome_record(
                actor=actor,
                problem_id=problem_id,
                solved=p.get("solved") == "yes",
                workers_trained=p.get("workers_trained") or 0,
                skill_upgrades=p.get("skill_upgrades") or 0,
                efficiency_gain_pct=p.get("efficiency_gain_pct"),
                yield_before_pct=p.get("yield_before_pct"),
                yield_after_pct=p.get("yield_after_pct"),
                benefit_yuan=p.get("benefit_yuan") or 0,
                note=p.get("note", ""),
                files=request.FILES.getlist("files"),
            ),
            _("成效已提交，等待企业确认。"),
        ),
        "confirm": (
            lambda: services.problem_confirm(actor=actor, problem_id=problem_id),
            _("已确认服务完成。"),
        ),
        "dispute": (
            lambda: services.problem_confirm(
                actor=actor, problem_id=problem_id, accept=False, comment=p.get("comment", "")
            ),
            _("已反馈给工匠。"),
        ),
        "rate": (
            lambda: services.problem_rate(
                actor=actor, problem_id=problem_id, rating=p.get("rating"), comment=p.get("comment", "")
            ),
            _("感谢您的评价！"),
        ),
        "solution": (
            lambda: services.solution_submit(
                actor=actor,
                problem_id=problem_id,
                title=p.get("title", ""),
                symptom=p.get("symptom", ""),
                root_cause=p.get("root_cause", ""),
                fix=p.get("fix", ""),
                results=p.get("results", ""),
                tags=p.get("tags") or None,
            ),
            _("解决方案已提交审核。"),
        ),
    }
    if action not in actions:
        raise Http404
    call, success = actions[action]
    _result, response = _run(request, call, success, back)
    return response


def _claim(actor, problem_id, p):
    """揭榜: with the intent agreement's terms when the form sends them (alone or for a team)."""
    if "scope_of_work" not in p:
        return services.problem_claim(actor=actor, problem_id=problem_id)
    return services.problem_claim(
        actor=actor,
        problem_id=problem_id,
        team_id=p.get("team") or None,
        scope_of_work=p.get("scope_of_work", ""),
        expected_completion=_date(p.get("expected_completion")),
        agree=p.get("agree") == "on",
    )


@login_required
def batch_dispatch(request):
    actor = request.actor
    if not actor.is_staff:
        raise PermissionDenied
    if request.method == "POST":
        assignments = {}
        for key, value in request.POST.items():
            if key.startswith("assign_") and value:
                assignments[int(key.removeprefix("assign_"))] = int(value)
        _result, response = _run(
            request,
            lambda: services.problems_dispatch_batch(actor=actor, assignments=assignments),
            _("已批量派单 %(n)d 项。") % {"n": len(assignments)},
            reverse("craftsmen:batch"),
        )
        return response
    open_problems = list(selectors.problems(actor, status=ProblemStatus.REVIEWED)[:50])
    rows = []
    if open_problems:
        from gonghui.craftsmen import engine
        from gonghui.craftsmen.models import Craftsman

        result = services.batch_proposal(actor=actor, problem_ids=[p.pk for p in open_problems])
        lang = engine.language()
        people = Craftsman.objects.in_bulk(
            {pair.craftsman for pair in result.pairs}
            | {c.craftsman for cands in result.alternates.values() for c in cands}
        )
        unassigned = {u.problem: u.explain(lang) for u in result.unassigned}
        for problem in open_problems:
            pairs = result.pairs_for(problem.pk)
            rows.append(
                {
                    "problem": problem,
                    "pair": pairs[0] if pairs else None,
                    "chosen": people.get(pairs[0].craftsman) if pairs else None,
                    "explanation": pairs[0].explain(lang) if pairs else "",
                    "alternates": [
                        (people[c.craftsman], round(c.score, 3), c.explain(lang))
                        for c in result.alternates.get(problem.pk, [])
                        if c.craftsman in people
                    ],
                    "unassigned": unassigned.get(problem.pk, ""),
                }
            )
    return render(request, "craftsmen/batch.html", {"rows": rows})


@login_required
def pool(request):
    actor = request.actor
    if not actor.is_staff:
        raise PermissionDenied
    import_errors = []
    if request.method == "POST" and request.FILES.get("workbook"):
        try:
            result = services.craftsmen_import(actor=actor, workbook_file=request.FILES["workbook"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            if result.errors:
                import_errors = result.errors
                messages.error(
                    request,
                    _("导入未完成：有 %(n)d 行需要修改，没有导入任何数据。") % {"n": len(result.errors)},
                )
            else:
                messages.success(request, _("已导入 %(n)d 位劳模工匠。") % {"n": result.created})
                return redirect("craftsmen:pool")
    pending = request.GET.get("pending") == "1"
    return render(
        request,
        "craftsmen/pool.html",
        {
            "page": _page(
                request, selectors.craftsmen(actor, query=request.GET.get("q", ""), pending_only=pending)
            ),
            "import_errors": import_errors,
            "columns": [label for _key, label in IMPORT_COLUMNS],
            "pending": pending,
        },
    )


@login_required
def pool_detail(request, craftsman_id):
    actor = request.actor
    if not actor.is_staff:
        raise PermissionDenied
    craftsman = selectors.craftsman(actor, craftsman_id)
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        _result, response = _run(
            request,
            lambda: services.craftsman_review_changes(
                actor=actor,
                craftsman_id=craftsman.pk,
                approve=approve,
                comment=request.POST.get("comment", ""),
            ),
            _("已通过修改。") if approve else _("已驳回修改。"),
            reverse("craftsmen:pool_detail", args=[craftsman.pk]),
        )
        return response
    return render(
        request,
        "craftsmen/pool_detail.html",
        {"c": craftsman, "honours": craftsman.honours.all(), "problems": craftsman.problems.all()[:20]},
    )


@login_required
def profile(request):
    actor = request.actor
    me = selectors.own_craftsman(actor)
    if me is None:
        raise PermissionDenied
    if request.method == "POST":
        p = request.POST
        changes = {
            "tags": p.get("tags", ""),
            "specialties": p.get("specialties", ""),
            "service_radius_km": p.get("service_radius_km", me.service_radius_km),
            "cross_region": p.get("cross_region") == "on",
            "monthly_capacity": p.get("monthly_capacity", me.monthly_capacity),
            "available": p.get("available") == "on",
            "innovation_studio": p.get("innovation_studio", ""),
        }
        _result, response = _run(
            request,
            lambda: services.craftsman_propose_changes(actor=actor, changes=changes),
            _("已保存；除“可接单”外的修改需工作人员审核后生效。"),
            reverse("craftsmen:profile"),
        )
        return response
    return render(
        request, "craftsmen/profile.html", {"c": me, "honours": me.honours.all(), "teams": me.teams.all()}
    )


@login_required
@require_GET
def solutions(request):
    actor = request.actor
    query = request.GET.get("q", "")
    category = request.GET.get("category", "")
    status = request.GET.get("status") or (None if actor.is_staff else SolutionStatus.PUBLISHED)
    return render(
        request,
        "craftsmen/solutions.html",
        {
            "page": _page(request, selectors.solutions(actor, query=query, category=category, status=status)),
            "q": query,
            "category": category,
            "categories": NeedCategory.choices,
        },
    )


@login_required
def solution_detail(request, solution_id):
    actor = request.actor
    solution = selectors.solution(actor, solution_id)
    if request.method == "POST":
        publish = request.POST.get("decision") == "publish"
        _result, response = _run(
            request,
            lambda: services.solution_review(
                actor=actor, solution_id=solution.pk, publish=publish, comment=request.POST.get("comment", "")
            ),
            _("方案已发布。") if publish else _("方案已退回修改。"),
            reverse("craftsmen:solution", args=[solution.pk]),
        )
        return response
    return render(request, "craftsmen/solution_detail.html", {"s": solution})


@login_required
def sessions(request):
    actor = request.actor
    if actor.role not in ("staff", "craftsman"):
        raise PermissionDenied
    if request.method == "POST":
        p = request.POST
        _result, response = _run(
            request,
            lambda: services.session_create(
                actor=actor,
                region_code=p.get("region", ""),
                title=p.get("title", ""),
                session_date=_date(p.get("date")) or timezone.localdate(),
                team_id=p.get("team") or None,
                enterprises_served=p.get("enterprises_served") or 0,
                problems_taken=p.get("problems_taken") or 0,
                workers_trained=p.get("workers_trained") or 0,
                craftsman_ids=[int(x) for x in p.getlist("craftsmen") if x.isdigit()],
                note=p.get("note", ""),
            ),
            _("专场服务已登记。"),
            reverse("craftsmen:sessions"),
        )
        return response
    year = int(request.GET.get("year") or timezone.localdate().year)
    prefix = figures.prefix_for(actor)
    coverage = figures.coverage(region_prefix=prefix, year=year) if actor.is_staff else []
    counties = Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=prefix).filter(
        mountain=True
    ) | Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=prefix, island=True)
    return render(
        request,
        "craftsmen/sessions.html",
        {
            "page": _page(request, selectors.sessions(actor)),
            "coverage": coverage,
            "served": sum(r["served"] for r in coverage),
            "year": year,
            "counties": counties.order_by("code"),
            "teams": ServiceTeam.objects.filter(region__code__startswith=prefix[:2]).order_by("name")[:200],
        },
    )


@login_required
@require_GET
def figures_page(request):
    actor = request.actor
    if not actor.is_staff:
        raise PermissionDenied
    year = int(request.GET.get("year") or timezone.localdate().year)
    prefix = figures.prefix_for(actor)
    by = request.GET.get("by", "county")
    rows = {
        "county": figures.by_county,
        "city": figures.by_city,
        "month": figures.by_month,
    }.get(by, figures.by_county)(region_prefix=prefix, year=year)
    for row in rows:
        row["key"] = row.get("code") or row.get("month")
        row["label"] = row.get("name") or row.get("month")
    return render(
        request,
        "craftsmen/figures.html",
        {"total": figures.summary(region_prefix=prefix, year=year), "rows": rows, "by": by, "year": year},
    )


@login_required
@require_GET
def attachment(request, attachment_id):
    """A problem's photo or document, only for people who may see the problem (files are not public media)."""
    from django.http import FileResponse

    from gonghui.craftsmen.models import Attachment

    item = Attachment.objects.filter(pk=attachment_id).first()
    if item is None:
        raise Http404
    selectors.problem(request.actor, item.problem_id)  # 404 (audited) outside the actor's scope
    return FileResponse(item.file.open("rb"), as_attachment=item.kind == "document", filename=item.name)


@login_required
@require_GET
def notifications(request):
    items = list(selectors.notifications(request.actor)[:50])
    services.notifications_mark_read(actor=request.actor)
    return render(request, "craftsmen/notifications.html", {"items": items})
