"""The small demo builds, and its figures come out of the records it made."""

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.demodata import build_demo
from gonghui.wages import figures
from gonghui.wages.demo import INSTRUCTOR_PHONE
from gonghui.wages.models import COVERING_STATUSES, AgreementEnterprise, BargainingCase, ChecklistEntry

pytestmark = pytest.mark.django_db


def test_small_demo_has_live_cases_and_consistent_figures():
    ctx = build_demo("small")
    instructor = User.objects.get_by_phone(INSTRUCTOR_PHONE)
    assert any(a.phone == INSTRUCTOR_PHONE for a in ctx.accounts)
    live = set(
        BargainingCase.objects.filter(instructor=instructor, agreement__imported=False).values_list(
            "status", flat=True
        )
    )
    open_cases = set(
        BargainingCase.objects.filter(instructor=instructor, agreement__isnull=True).values_list(
            "status", flat=True
        )
    )
    assert live == {"signed", "filed"}
    assert open_cases == {"offered", "preparing", "bargaining", "reviewed"}
    seed = figures.seed_figures("33")
    assert seed["pilot_all_covered"] is True
    assert seed["unionised_above_rate"] > 60
    # Every enterprise that should be covered is on exactly one checklist, ticked off when covered.
    covered = set(figures.covered_enterprise_ids().values_list("enterprise_id", flat=True))
    ticked = set(
        ChecklistEntry.objects.filter(ticked_off_on__isnull=False).values_list("enterprise_id", flat=True)
    )
    listed = set(ChecklistEntry.objects.values_list("enterprise_id", flat=True))
    assert ticked == covered & listed
    # Counted independently, row by row.
    today = timezone.localdate()
    by_hand = {
        link.enterprise_id
        for link in AgreementEnterprise.objects.select_related("agreement__case")
        if link.agreement.case.status in COVERING_STATUSES
        and link.agreement.kind == "skill_wage"
        and link.agreement.signed_on <= today <= link.agreement.ends_on
    }
    assert seed["enterprises_covered"] == len(by_hand) == len(covered)
