"""Staff open the big screen and the dashboard, drill down from the province to a city and a county, and export
the figures as Excel and as a PDF report whose text names the figures in Chinese."""

import io
import os
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pypdf import PdfReader

from gonghui.dashboard import rollup
from gonghui.orgs.models import OrgLevel
from tests.dashboard.factories import NINGBO_TOWN, at, session_with_checkins, station, visits
from tests.factories import staff_user

pytestmark = pytest.mark.django_db(transaction=True)
# Where a county's centre point is on the screen: the map's own projection of the GeoJSON's "cp".
CENTRE_OF = """async (code) => {
  const el = document.getElementById("dash-map");
  const geo = await (await fetch(el.dataset.geo)).json();
  const county = geo.features.find((f) => f.properties.code === code);
  const [x, y] = window.gonghuiDashboardMap.convertToPixel({ seriesIndex: 0 }, county.properties.cp);
  const box = el.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


@pytest.fixture
def province_user():
    hz = station(year_renovated=2025, open_24h=True)
    nb = station(region_id=NINGBO_TOWN, year_renovated=2025)
    visits(hz, at(2025, 3, 1), at(2025, 4, 2))
    visits(nb, at(2025, 3, 2))
    session_with_checkins(hz, date(2025, 5, 1), ok=3)
    rollup.run_rollup(today=date(2025, 12, 31))
    return staff_user("330000", level=OrgLevel.PROVINCE, name="省总数据专员")


def test_big_screen_is_dark_full_hd_with_the_four_golden_cards_first(
    browser, live_server, login_as, province_user
):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    outside = []
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    login_as(page, province_user, "staff")
    page.goto(live_server.url + "/dashboard/screen/?year=2025&figure=stations.visits")
    cards = page.locator("[data-test=golden-cards] .gcard h2")
    assert cards.all_inner_texts() == [
        "劳模工匠助企行",
        "户外劳动者服务站点",
        "职工疗休养",
        "能级工资集体协商",
    ]
    page.wait_for_selector("#dash-map[data-drawn='90']")
    page.wait_for_selector("#dash-trend[data-drawn='1']")
    page.wait_for_selector("#dash-top[data-drawn='1']")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(6, 26, 54)"
    assert page.evaluate("[document.body.scrollWidth, document.body.scrollHeight]") == [1920, 1080]
    assert page.locator("[data-figure='stations.renovated']").inner_text() == "2 个"
    if os.environ.get("GONGHUI_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["GONGHUI_SCREENSHOTS"], "dashboard-screen.png"))
    context.close()
    assert outside == []


def test_dashboard_drill_down_and_exports(page, live_server, login_as, province_user):
    login_as(page, province_user, "staff")
    page.goto(live_server.url + "/dashboard/?year=2025&figure=stations.visits")
    page.wait_for_selector("#dash-map[data-drawn='90']")
    assert page.locator("[data-test=region-name]").inner_text() == "浙江省"
    assert page.locator("[data-value='stations.visits']").inner_text() == "3 人次"

    # A click on a county in the map drills down to it; the table's links drill down too.
    page.locator("#dash-map").scroll_into_view_if_needed()
    # The map may still be animating its first draw under a loaded machine: a click then lands on nothing, so
    # measure again and click again (at most three times).
    for attempt in range(3):
        page.wait_for_timeout(400)
        x, y = page.evaluate(CENTRE_OF, "330127")
        try:
            with page.expect_navigation(timeout=5000):
                page.mouse.click(x, y)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    assert page.locator("[data-test=region-name]").inner_text() == "淳安县"
    page.go_back()
    page.wait_for_selector("#dash-map[data-drawn='90']")

    page.click("[data-drill='330100']")
    assert page.locator("[data-test=region-name]").inner_text() == "杭州市"
    page.wait_for_selector("#dash-map[data-drawn='13']")
    assert page.locator("[data-value='stations.visits']").inner_text() == "2 人次"

    page.click("[data-drill='330102']")
    assert page.locator("[data-test=region-name]").inner_text() == "上城区"
    assert page.locator("[data-test=crumbs]").inner_text() == "浙江省 › 杭州市 › 上城区"
    page.wait_for_selector("#dash-map[data-drawn='1']")

    with page.expect_download() as download:
        page.click("[data-test=export-xlsx]")
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert (
        "stations.visits",
        "站点到站人次",
        "人次",
        "330102",
        "上城区",
        "county",
        "2025-03",
        None,
        1.0,
    ) in rows
    assert {r[3] for r in rows[1:]} == {"330102"}

    with page.expect_download() as download:
        page.click("[data-test=export-pdf]")
    reader = PdfReader(download.value.path())
    text = "".join("".join(p.extract_text().replace("\x00", "").split()) for p in reader.pages)
    for name in (
        "上城区2025年共同富裕数据报告",
        "劳模工匠助企行",
        "户外劳动者服务站点",
        "职工疗休养",
        "能级工资集体协商",
        "站点到站人次",
        "改造提升站点数",
        "疗休养职工人数",
        "能级工资集体合同数",
    ):
        assert name in text


def test_dashboard_on_a_phone(phone_page, live_server, login_as, province_user):
    login_as(phone_page, province_user, "staff")
    phone_page.goto(live_server.url + "/dashboard/?year=2025")
    phone_page.wait_for_selector("#dash-map[data-drawn='90']")
    assert phone_page.locator("[data-test=golden-cards] .golden-card").count() == 4
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
