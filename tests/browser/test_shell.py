import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_in_chinese_switch_to_english_and_see_90_counties(page, live_server):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", name="工会助力共同富裕").is_visible()
    page.click("[data-test=lang-en]")
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("heading", name="Unions for common prosperity").is_visible()
    page.click("[data-nav='regions:map']")
    page.wait_for_selector("#county-map[data-drawn]")
    assert page.locator("#county-map").get_attribute("data-drawn") == "90"
    drawn = page.evaluate(
        "() => window.gonghuiCountyMap.getModel().getSeriesByIndex(0).getData().count()"
    )
    assert drawn == 90
    assert "90 county-level divisions" in page.locator("main").inner_text()


def test_phone_menu_opens(phone_page, live_server):
    phone_page.goto(live_server.url + "/")
    assert not phone_page.locator("#nav").is_visible()
    phone_page.click(".menu-toggle")
    assert phone_page.locator("#nav").is_visible()
