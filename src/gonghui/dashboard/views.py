"""Dashboard pages: the responsive dashboard, the 1920×1080 big screen, a figure's page, the records behind a figure,
and the exports. Staff only (anonymous → login; other roles → 403); every view stays inside the user's region."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.permissions import role_required
from gonghui.dashboard import exports, registry, selectors, services
from gonghui.dashboard.fonts import FontMissing
from gonghui.dashboard.models import Level

staff_page = role_required("staff", action="dashboard.page")
MAX_EXPORT_YEARS = 100


def _int(value, default=None):
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        raise Http404(_("参数无效。")) from None


def _month(value) -> int | None:
    month = _int(value)
    if month is not None and not 1 <= month <= 12:
        raise Http404(_("月份无效。"))
    return month


def _common(request):
    """Region (checked against reach), year and the figure chosen for the map."""
    actor = request.actor
    region = selectors.region_for(actor, request.GET.get("region"))
    year = selectors.check_year(request.GET["year"]) if request.GET.get("year") else selectors.latest_year()
    figure = selectors.figure_for(request.GET.get("figure") or None)
    return actor, region, year, figure


def _dec(value: Decimal) -> float:
    return float(value)


def _dashboard_context(request):
    actor, region, year, figure = _common(request)
    context = {
        "region": region,
        "year": year,
        "figure": figure,
        "figures": registry.figures(),
        "years": list(range(year - 3, year + 2)),
        "no_region": region is None,
    }
    if region is None:  # town-level staff: figures are rolled up to counties
        return context
    counties = selectors.county_table(actor, figure, region, year=year)
    kids = selectors.child_table(actor, figure, region, year=year)
    ranked = sorted((r for r in counties if r["value"]), key=lambda r: (-r["value"], r["region"].code))
    special = [r for r in counties if r["region"].mountain or r["region"].island]
    trend = selectors.trend(actor, figure, region, year=year)
    context.update(
        ancestors=[a for a in selectors.ancestors(region) if actor.covers(a.code) or a.code == region.code],
        cards=selectors.cards(actor, region, year=year),
        counties=counties,
        children=kids,
        top=ranked[:10],
        special=special,
        special_total=None
        if figure.kind == registry.RATIO
        else sum((r["value"] for r in special), Decimal(0)),
        breakdown=selectors.breakdown(actor, figure, region, year=year),
        has_values=any(r["value"] for r in counties) or any(p["value"] for p in trend),
        chart_data={
            "figure": str(figure.name),
            "unit": str(figure.unit),
            "focus": region.prefix,
            "region": region.code,
            "counties": [
                {
                    "code": r["region"].code,
                    "name": r["region"].name,
                    "value": _dec(r["value"]),
                    "mountain": r["region"].mountain,
                    "island": r["region"].island,
                }
                for r in counties
            ],
            "trend": [{"period": p["period"], "value": _dec(p["value"])} for p in trend],
            "top": [{"name": r["region"].name, "value": _dec(r["value"])} for r in ranked[:10]],
        },
    )
    return context


@staff_page
def index(request):
    return render(request, "dashboard/index.html", _dashboard_context(request))


@staff_page
def screen(request):
    return render(request, "dashboard/screen.html", _dashboard_context(request))


@staff_page
def figure_detail(request, key):
    actor, region, year, _figure = _common(request)
    figure = selectors.figure_for(key)
    if region is None:
        raise Http404(_("您的组织在县级以下，大屏数据按县汇总，请联系上级工会。"))
    rows = selectors.child_table(actor, figure, region, year=year) or [
        {"region": region, "value": selectors.value(actor, figure, region, year=year)}
    ]
    return render(
        request,
        "dashboard/figure.html",
        {
            "figure": figure,
            "region": region,
            "year": year,
            "rows": rows,
            "programme": registry.programmes_by_label()[figure.programme],
            "trend": selectors.trend(actor, figure, region, year=year),
            "breakdown": selectors.breakdown(actor, figure, region, year=year),
            "sources": [(i, s.model_class()._meta.verbose_name) for i, s in enumerate(figure.sources)],
            "total": selectors.value(actor, figure, region, year=year),
            "monthly": figure.grain == registry.MONTH,
        },
    )


@staff_page
def figure_records(request, key):
    actor, region, year, _figure = _common(request)
    figure = selectors.figure_for(key)
    if region is None:
        raise Http404(_("您的组织在县级以下，大屏数据按县汇总，请联系上级工会。"))
    index = _int(request.GET.get("source"), 0)
    month = _month(request.GET.get("month"))
    qs, start, end = selectors.records(actor, figure, index, region, year=year, month=month)
    source = figure.sources[index]
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = []
    for record in page.object_list:
        code = _lookup(record, source.region_field)
        rows.append(
            {
                "pk": record.pk,
                "text": str(record),
                "region_code": code,
                "date": _lookup(record, source.date_field) if source.date_field else "",
            }
        )
    return render(
        request,
        "dashboard/records.html",
        {
            "figure": figure,
            "region": region,
            "year": year,
            "month": month,
            "page": page,
            "rows": rows,
            "source": source,
            "source_index": index,
            "sources": list(enumerate(figure.sources)),
            "model_name": source.model_class()._meta.verbose_name,
            "start": start,
            "end": end,
        },
    )


def _lookup(obj, path: str):
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


@staff_page
def export_xlsx(request):
    actor = request.actor
    region = selectors.region_for(actor, request.GET.get("region"))
    if region is None:
        raise Http404(_("您的组织在县级以下，大屏数据按县汇总，请联系上级工会。"))
    year = selectors.latest_year()
    year_from = selectors.check_year(request.GET.get("year_from") or request.GET.get("year") or year)
    year_to = selectors.check_year(request.GET.get("year_to") or request.GET.get("year") or year_from)
    if year_to < year_from or year_to - year_from > MAX_EXPORT_YEARS:
        raise Http404(_("年份范围无效。"))
    key = request.GET.get("figure")
    keys = [selectors.figure_for(key).key] if key else [f.key for f in registry.figures()]
    level = request.GET.get("level") or None
    if level and level not in Level.values:
        raise Http404(_("层级无效。"))
    handle = exports.write_xlsx(
        actor, figure_keys=keys, region=region, year_from=year_from, year_to=year_to, level=level
    )
    name = f"dashboard-{region.code}-{year_from}-{year_to}{'-' + key if key else ''}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=exports.XLSX_TYPE)


@staff_page
def report_pdf(request):
    actor = request.actor
    region = selectors.region_for(actor, request.GET.get("region"))
    if region is None:
        raise Http404(_("您的组织在县级以下，大屏数据按县汇总，请联系上级工会。"))
    year = selectors.check_year(request.GET["year"]) if request.GET.get("year") else selectors.latest_year()
    try:
        body = exports.write_pdf(actor, region=region, year=year)
    except FontMissing:
        return HttpResponse(
            _("服务器缺少中文字体，暂时无法生成PDF报告，请联系系统管理员。"),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{region.code}-{year}.pdf"'
    return response


@staff_page
@require_POST
def refresh(request):
    try:
        services.rollup_request(actor=request.actor, rebuild=request.POST.get("rebuild") == "1")
        messages.success(request, _("已安排刷新大屏数据，几分钟内生效。"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    target = request.POST.get("next")
    return redirect(target if _safe(target) else "dashboard:index")


def _safe(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")
