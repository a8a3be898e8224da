"""Forms of the staff catalogue pages. They only parse input; every rule is checked by the services, whose
refusals name the field they are about and are shown beside it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.recuperation.models import PartnerRegion


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


def _place_fields(form, counties, *, province: bool, region_field: str, region_label) -> None:
    """The county select (a free value: the service says when it is outside the staff member's region) and, for
    province staff only, the partner region."""
    form.fields[region_field] = forms.CharField(
        label=region_label,
        required=False,
        widget=forms.Select(choices=[("", "—")] + [(c.code, c.name) for c in counties]),
    )
    if province:
        form.fields["partner_region"] = forms.ChoiceField(
            label=_("或对口地区"),
            required=False,
            choices=[("", "—")] + [c for c in PartnerRegion.choices if c[0]],
        )


class BaseForm(forms.Form):
    name = forms.CharField(label=_("基地名称"), max_length=128)
    capacity = forms.IntegerField(label=_("接待能力（人/天）"))
    certified_on = forms.DateField(label=_("认定日期"), widget=DateInput())
    review_due = forms.DateField(label=_("复评日期"), widget=DateInput())
    active = forms.BooleanField(
        label=_("有效"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"style": "width:auto"}),
    )

    def __init__(self, *args, counties=(), province=False, **kwargs):
        super().__init__(*args, **kwargs)
        _place_fields(
            self, counties, province=province, region_field="region_code", region_label=_("所在县（市、区）")
        )
        self.order_fields(["name", "region_code", "partner_region", "capacity", "certified_on", "review_due"])


class RouteForm(forms.Form):
    name = forms.CharField(label=_("线路名称"), max_length=128)
    theme = forms.CharField(label=_("主题"), max_length=64, required=False)
    days = forms.IntegerField(label=_("天数"))
    price_per_person_day = forms.DecimalField(label=_("人均每天费用（元）"), max_digits=8, decimal_places=2)
    active = forms.BooleanField(
        label=_("有效"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"style": "width:auto"}),
    )

    def __init__(self, *args, counties=(), bases=(), province=False, **kwargs):
        super().__init__(*args, **kwargs)
        _place_fields(
            self, counties, province=province, region_field="destination_code", region_label=_("主要目的地")
        )
        self.fields["base"] = forms.CharField(
            label=_("基地"),
            required=False,
            widget=forms.Select(choices=[("", "—")] + [(str(b.pk), b.name) for b in bases]),
        )
        self.order_fields(
            ["name", "theme", "days", "price_per_person_day", "destination_code", "partner_region", "base"]
        )


class DepartureForm(forms.Form):
    starts_on = forms.DateField(label=_("出发日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("返回日期"), widget=DateInput())
    capacity = forms.IntegerField(label=_("名额"))

    def __init__(self, *args, route, **kwargs):
        super().__init__(*args, **kwargs)
        self.route = route

    def clean(self):
        # The return date is the route's length counted from the start: it is checked here, not stored.
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error("ends_on", _("返回日期不能早于出发日期"))
            elif (ends_on - starts_on).days + 1 != self.route.days:
                self.add_error("ends_on", _("行程须为线路的 %(days)d 天") % {"days": self.route.days})
        return data
