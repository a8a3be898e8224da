"""Staff pages for the catalogue: certified bases, routes and their departures. Each lists the rows the staff
member manages (their region's; partner regions for the province) and creates or edits one through the services."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.recuperation import selectors, services
from gonghui.recuperation.forms import BaseForm, DepartureForm, RouteForm
from gonghui.recuperation.models import Base
from gonghui.regions.models import Region, RegionLevel


def _require_staff(request):
    if not request.actor.is_staff:
        raise PermissionDenied


def _is_province(actor) -> bool:
    return actor.region_prefix == "33"


def _counties(actor):
    return list(
        Region.objects.filter(
            level=RegionLevel.COUNTY, code__startswith=actor.region_prefix or "\0"
        ).order_by("code")
    )


def _save(request, form, action, success: str):
    """Run a service; put its refusal beside the field it names (or above the form). None when refused."""
    try:
        result = action()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return None
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("无权执行此操作"))
        return None
    messages.success(request, success)
    return result


def _base_form(request, **kwargs):
    actor = request.actor
    data = request.POST if request.method == "POST" else None
    return BaseForm(data, counties=_counties(actor), province=_is_province(actor), **kwargs)


def _base_values(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "region_code": data["region_code"] or None,
        "partner_region": data.get("partner_region") or "",
        "capacity": data["capacity"],
        "certified_on": data["certified_on"],
        "review_due": data["review_due"],
    }


def bases(request):
    _require_staff(request)
    form = _base_form(request)
    if request.method == "POST" and form.is_valid():
        values = _base_values(form)
        if _save(request, form, lambda: services.base_create(actor=request.actor, **values), _("基地已添加")):
            return redirect("recuperation:catalogue_bases")
    return render(
        request,
        "recuperation/catalogue_bases.html",
        {"bases": selectors.managed_bases(request.actor), "form": form},
    )


def base_edit(request, base_id: int):
    _require_staff(request)
    base = selectors.managed_bases(request.actor).filter(pk=base_id).first()
    if base is None:
        raise Http404
    initial = {
        "name": base.name,
        "region_code": base.region_id or "",
        "partner_region": base.partner_region,
        "capacity": base.capacity,
        "certified_on": base.certified_on,
        "review_due": base.review_due,
        "active": base.active,
    }
    form = _base_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = _base_values(form) | {"active": form.cleaned_data["active"]}
        if _save(
            request,
            form,
            lambda: services.base_update(actor=request.actor, base=base, **values),
            _("基地已保存"),
        ):
            return redirect("recuperation:catalogue_bases")
    return render(request, "recuperation/catalogue_edit.html", {"form": form, "row": base, "kind": "base"})


def _route_form(request, **kwargs):
    actor = request.actor
    data = request.POST if request.method == "POST" else None
    return RouteForm(
        data,
        counties=_counties(actor),
        bases=list(selectors.managed_bases(actor).filter(active=True)),
        province=_is_province(actor),
        **kwargs,
    )


def _route_values(form):
    """The service's arguments, or None when the chosen base does not exist (the error is on the form)."""
    data = form.cleaned_data
    base = None
    if data["base"]:
        base = Base.objects.filter(pk=data["base"]).first() if data["base"].isdigit() else None
        if base is None:
            form.add_error("base", _("请选择有效的基地"))
            return None
    return {
        "name": data["name"],
        "theme": data["theme"],
        "days": data["days"],
        "price_per_person_day": data["price_per_person_day"],
        "destination_code": data["destination_code"] or None,
        "partner_region": data.get("partner_region") or "",
        "base": base,
    }


def routes(request):
    _require_staff(request)
    form = _route_form(request)
    if request.method == "POST" and form.is_valid():
        values = _route_values(form)
        if values and _save(
            request, form, lambda: services.route_create(actor=request.actor, **values), _("线路已添加")
        ):
            return redirect("recuperation:catalogue_routes")
    return render(
        request,
        "recuperation/catalogue_routes.html",
        {"routes": selectors.managed_routes(request.actor), "form": form},
    )


def _route_initial(route) -> dict:
    return {
        "name": route.name,
        "theme": route.theme,
        "days": route.days,
        "price_per_person_day": route.price_per_person_day,
        "destination_code": route.destination_id or "",
        "partner_region": route.partner_region,
        "base": str(route.base_id or ""),
        "active": route.active,
    }


def route_edit(request, route_id: int):
    """Edit a route; its departures are listed below with a form to add one."""
    _require_staff(request)
    route = selectors.managed_routes(request.actor).filter(pk=route_id).first()
    if route is None:
        raise Http404
    form = _route_form(request, initial=_route_initial(route))
    departure_form = DepartureForm(route=route)
    if request.method == "POST" and form.is_valid():
        values = _route_values(form)
        if values and _save(
            request,
            form,
            lambda: services.route_update(
                actor=request.actor, route=route, active=form.cleaned_data["active"], **values
            ),
            _("线路已保存"),
        ):
            return redirect("recuperation:catalogue_route", route_id=route.pk)
    return _route_page(request, route, form, departure_form)


def _route_page(request, route, form, departure_form):
    departures = list(selectors.managed_departures(request.actor, route_id=route.pk))
    for departure in departures:
        departure.ends_on = departure.starts_on + timedelta(days=route.days - 1)
        departure.left = max(departure.capacity - departure.taken, 0)
    return render(
        request,
        "recuperation/catalogue_route.html",
        {"route": route, "form": form, "departure_form": departure_form, "departures": departures},
    )


def departure_new(request, route_id: int):
    _require_staff(request)
    route = selectors.managed_routes(request.actor).filter(pk=route_id).first()
    if route is None or request.method != "POST":
        raise Http404
    departure_form = DepartureForm(request.POST, route=route)
    if departure_form.is_valid():
        data = departure_form.cleaned_data
        if _save(
            request,
            departure_form,
            lambda: services.departure_create(
                actor=request.actor, route=route, starts_on=data["starts_on"], capacity=data["capacity"]
            ),
            _("团期已添加"),
        ):
            return redirect("recuperation:catalogue_route", route_id=route.pk)
    # The route form beside a refused departure shows the route as it is (unbound).
    route_form = RouteForm(
        counties=_counties(request.actor),
        bases=list(selectors.managed_bases(request.actor).filter(active=True)),
        province=_is_province(request.actor),
        initial=_route_initial(route),
    )
    return _route_page(request, route, route_form, departure_form)


def departure_edit(request, departure_id: int):
    _require_staff(request)
    departure = selectors.managed_departures(request.actor).filter(pk=departure_id).first()
    if departure is None:
        raise Http404
    route = departure.route
    initial = {
        "starts_on": departure.starts_on,
        "ends_on": departure.starts_on + timedelta(days=route.days - 1),
        "capacity": departure.capacity,
    }
    form = DepartureForm(request.POST if request.method == "POST" else None, route=route, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(
            request,
            form,
            lambda: services.departure_update(
                actor=request.actor,
                departure=departure,
                starts_on=data["starts_on"],
                capacity=data["capacity"],
            ),
            _("团期已保存"),
        ):
            return redirect("recuperation:catalogue_route", route_id=route.pk)
    departure.left = max(departure.capacity - departure.taken, 0)
    return render(
        request, "recuperation/catalogue_edit.html", {"form": form, "row": departure, "kind": "departure"}
    )
