import random

import pytest

from gonghui.core import identities
from gonghui.orgs.models import Member, OrgLevel
from tests.browser.test_accounts_login import SmsLog, sms_log  # noqa: F401 (fixture)
from tests.factories import OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_courier_joins_online_and_sees_the_approval(phone_page, page, live_server, login_as, sms_log):  # noqa: F811
    holding = OrganisationFactory(
        region_id="330127",
        level=OrgLevel.INDUSTRY,
        is_holding_union=True,
        name="淳安县新就业形态劳动者工会联合会",
    )
    staff = staff_user("330127")
    phone = "13612345678"
    id_number = identities.id_number(random.Random(1), "330127")

    # The courier signs in by SMS code (a new number gets an account) and applies on the phone.
    courier = phone_page
    courier.goto(live_server.url + "/accounts/login/sms/?next=/orgs/join/")
    courier.fill("#id_phone", phone)
    courier.click("[data-test=send-code]")
    courier.fill("#id_code", sms_log.code_for(phone))
    courier.click("[data-test=sms-submit]")
    courier.wait_for_url(live_server.url + "/orgs/join/")
    courier.select_option("#union", str(holding.pk))
    courier.fill("#name", "王快递")
    courier.fill("#id_number", id_number)
    courier.fill("#phone", phone)
    courier.select_option("#occupation", "courier")
    courier.fill("#employer_name", "某快递网点")
    courier.click("[data-test=join-form] button[type=submit]")
    assert courier.locator("[data-test=application]").get_attribute("data-status") == "pending"

    # County staff approve it.
    login_as(page, staff, "staff")
    page.goto(live_server.url + "/orgs/join/review/")
    row = page.locator("[data-test=join-row]")
    assert row.count() == 1 and "王*递" in row.inner_text() and id_number not in row.inner_text()
    row.locator("[data-test=approve]").click()
    assert "已批准" in page.locator(".messages").inner_text()

    # The courier sees the approval and is now a member with a member code.
    courier.reload()
    assert courier.locator("[data-test=application]").get_attribute("data-status") == "approved"
    assert courier.locator("[data-test=is-member]").is_visible()
    courier.click("[data-test=is-member] a")
    courier.wait_for_selector("#member-code svg")
    member = Member.objects.get(user__phone_hash=Member.phone.hash_of(phone))
    assert (member.union_id, member.occupation) == (holding.pk, "courier")
