"""Pages, API and exports: who may see them, scoping to the user's region, bad input (never a 500)."""

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from gonghui.accounts.models import Role
from gonghui.core.models import AuditEvent
from gonghui.dashboard import registry, rollup
from gonghui.dashboard.models import FigureValue
from gonghui.jobs.models import JobRun
from gonghui.orgs.models import OrgLevel
from gonghui.regions.models import Region
from tests.dashboard.factories import CHUNAN_TOWN, NINGBO_TOWN, at, session_with_checkins, station, visits
from tests.factories import EnterpriseFactory, role_user, staff_user

pytestmark = pytest.mark.django_db
NON_STAFF = [r for r in Role.values if r != Role.STAFF]


@pytest.fixture
def data():
    hz = station(year_renovated=2025, open_24h=True)
    nb = station(region_id=NINGBO_TOWN, year_renovated=2025)
    visits(hz, at(2025, 3, 1), at(2025, 4, 2))
    visits(nb, at(2025, 3, 2))
    session_with_checkins(hz, date(2025, 5, 1), ok=3)
    rollup.run_rollup(today=date(2025, 12, 31))


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def province():
    return client_for(staff_user("330000", level=OrgLevel.PROVINCE))


@pytest.fixture
def hangzhou():
    return client_for(staff_user("330100", level=OrgLevel.CITY))


PAGES = [
    "/dashboard/",
    "/dashboard/screen/",
    "/dashboard/figures/stations.visits/",
    "/dashboard/figures/stations.visits/records/",
    "/dashboard/export.xlsx",
    "/dashboard/report.pdf",
]
APIS = [
    "/api/v1/dashboard/figures",
    "/api/v1/dashboard/values",
    "/api/v1/dashboard/summary",
    "/api/v1/dashboard/trend",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", APIS)
def test_the_api_wants_a_session(client, url):
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("role", NON_STAFF)
def test_other_roles_are_refused_and_audited(role):
    extra = {"enterprise": EnterpriseFactory()} if role == Role.ENTERPRISE else {}
    c = client_for(role_user(role, **extra))
    for url in PAGES + APIS:
        assert (url, c.get(url).status_code) == (url, 403)
    assert AuditEvent.objects.filter(result="refused", role=role).count() == len(PAGES) + len(APIS)


def test_province_dashboard_shows_golden_cards_in_order_and_values(data, province):
    response = province.get("/dashboard/", {"year": 2025, "figure": "stations.visits"})
    html = response.content.decode()
    assert response.status_code == 200
    order = [html.index(f'data-programme="{p}"') for p in ("craftsmen", "stations", "recuperation", "wages")]
    assert order == sorted(order)
    assert 'data-figure="stations.sessions">1 ' in html
    assert 'data-value="stations.visits">3 ' in html
    assert 'data-test="empty"' not in html


def test_drill_down_to_a_county_and_the_records_behind_a_figure(data, province):
    html = province.get(
        "/dashboard/", {"region": "330102", "year": 2025, "figure": "stations.visits"}
    ).content.decode()
    assert 'data-test="region-name" data-region-code="330102"' in html
    assert 'data-value="stations.visits">2 ' in html
    records = province.get("/dashboard/figures/stations.visits/records/", {"region": "330100", "year": 2025})
    assert records.status_code == 200
    assert records.content.decode().count('<tr data-region-code="330102001">') == 2


def test_a_region_outside_reach_is_refused_everywhere(data, hangzhou):
    for url in PAGES + APIS[1:]:
        response = hangzhou.get(url, {"region": "330200", "year": 2025})
        assert (url, response.status_code) == (url, 403)
    refused = AuditEvent.objects.filter(result="refused", action="dashboard.view")
    assert refused.count() == len(PAGES) + len(APIS) - 1
    # Their own region is the default, and the province rows are not theirs.
    summary = hangzhou.get("/api/v1/dashboard/summary", {"year": 2025}).json()
    assert summary["region_code"] == "330100"
    values = hangzhou.get("/api/v1/dashboard/values", {"figure": "stations.visits", "year": 2025}).json()
    counties = Region.objects.filter(level="county", code__startswith="3301").count()
    assert values["count"] == counties
    assert all(i["region_code"].startswith("3301") for i in values["items"])


@pytest.mark.parametrize(
    "params",
    [{"region": "999999"}, {"year": "abc"}, {"year": 1800}, {"figure": "no.such"}, {"region": "330102001"}],
)
def test_bad_parameters_are_404_not_500(data, province, params):
    for url in PAGES[:2] + APIS[1:]:
        if url.endswith("/summary") and "figure" in params:
            continue  # the summary has every figure
        status = province.get(url, params).status_code
        assert (url, status) in ((url, 404), (url, 422) if url.startswith("/api/") else (url, 404))


def test_an_empty_period_and_a_county_without_records_show_empty_states(data, province):
    html = province.get("/dashboard/", {"year": 2031}).content.decode()
    assert 'data-test="empty"' in html
    html = province.get("/dashboard/", {"region": CHUNAN_TOWN, "year": 2025, "figure": "stations.visits"})
    assert 'data-test="empty"' in html.content.decode()
    api = province.get(
        "/api/v1/dashboard/values",
        {"region": CHUNAN_TOWN, "by": "self", "year": 2025, "figure": "stations.visits"},
    ).json()
    assert api == {
        "items": [
            {
                "region_code": "330127",
                "region_name": "淳安县",
                "level": "county",
                "mountain": True,
                "island": False,
                "value": 0.0,
            }
        ],
        "count": 1,
    }


def test_api_values_trend_and_figures(data, province):
    values = province.get("/api/v1/dashboard/values", {"figure": "stations.visits", "year": 2025}).json()
    by_code = {i["region_code"]: i["value"] for i in values["items"]}
    assert values["count"] == 11 and by_code["330100"] == 2.0 and by_code["330200"] == 1.0
    trend = province.get(
        "/api/v1/dashboard/trend", {"figure": "stations.visits", "year": 2025, "region": "330100"}
    ).json()
    assert [p["value"] for p in trend["points"]][:5] == [0, 0, 1.0, 1.0, 0]
    figures = province.get("/api/v1/dashboard/figures", {"limit": 100}).json()
    assert figures["count"] == len(registry.figures())
    visits_figure = next(f for f in figures["items"] if f["key"] == "stations.visits")
    assert visits_figure["sources"] == [
        {"model": "stations.Visit", "region_field": "station__region_id", "date_field": "visited_at"}
    ]
    assert visits_figure["dimensions"] == ["region", "month"]


def test_excel_export_of_a_figure_table_in_scope(data, hangzhou):
    response = hangzhou.get(
        "/dashboard/export.xlsx", {"figure": "stations.visits", "year_from": 2000, "year_to": 2100}
    )
    assert response.status_code == 200 and response.streaming
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("指标代码", "指标名称", "单位")
    assert sorted((r[3], r[6], r[8]) for r in rows[1:]) == [
        ("330100", "2025-03", 1.0),
        ("330100", "2025-04", 1.0),
        ("330102", "2025-03", 1.0),
        ("330102", "2025-04", 1.0),
    ]
    assert {r[1] for r in rows[1:]} == {"站点到站人次"}


def test_bad_export_ranges_are_refused(province):
    assert province.get("/dashboard/export.xlsx", {"year_from": 2025, "year_to": 2020}).status_code == 404
    assert province.get("/dashboard/export.xlsx", {"year_from": 1800}).status_code == 404
    assert province.get("/dashboard/export.xlsx", {"level": "galaxy"}).status_code == 404


def test_pdf_report_embeds_a_chinese_font_and_names_every_headline_figure(data, province):
    response = province.get("/dashboard/report.pdf", {"year": 2025})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join("".join(page.extract_text().replace("\x00", "").split()) for page in reader.pages)
    for figure in registry.figures():
        assert str(figure.name).replace(" ", "") in text
    for programme in ("劳模工匠助企行", "户外劳动者服务站点", "职工疗休养", "能级工资集体协商", "杭州市"):
        assert programme in text
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts  # embedded: the font file travels in the PDF
    descriptor = reader.pages[0]["/Resources"]["/Font"]
    first = next(iter(descriptor.values())).get_object()
    assert (
        "/FontFile2" in first["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        or "/FontFile3" in first["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    )


def test_refresh_queues_a_rollup_job_and_audits_it(province):
    response = province.post("/dashboard/refresh/", {"next": "/dashboard/?year=2025"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/?year=2025"
    assert JobRun.objects.filter(task_path__contains="refresh_rollups").count() == 1
    assert AuditEvent.objects.filter(action="dashboard.rollup_request", result="allowed").count() == 1


def test_rebuild_is_for_provincial_staff_only(hangzhou):
    hangzhou.post("/dashboard/refresh/", {"rebuild": "1"})
    assert JobRun.objects.count() == 0
    assert AuditEvent.objects.filter(action="dashboard.rollup_request", result="refused").count() == 1
    assert FigureValue.objects.count() == 0


def test_the_dashboard_speaks_english(data, province):
    from django.conf import settings

    province.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = province.get("/dashboard/", {"year": 2025}).content.decode()
    for text in (
        "Common-prosperity dashboard",
        "Craftsman participations",
        "Stations renovated",
        "Workers on recuperation trips",
        "Skill-level wage agreements",
        "26 mountain counties",
    ):
        assert text in html


def test_figure_page_links_to_the_records_of_each_month(data, province):
    html = province.get("/dashboard/figures/stations.visits/", {"year": 2025}).content.decode()
    assert html.count('data-test="records-link"') == 1
    assert "/dashboard/figures/stations.visits/records/?region=330000&year=2025&month=3" in html
    march = province.get("/dashboard/figures/stations.visits/records/", {"year": 2025, "month": 3})
    assert march.content.decode().count("<tr data-region-code=") == 2
    assert province.get("/dashboard/figures/stations.visits/records/", {"month": 13}).status_code == 404
    assert province.get("/dashboard/figures/stations.visits/records/", {"source": 5}).status_code == 404


def test_the_records_page_does_not_query_per_row(data, province, django_assert_max_num_queries):
    more = station()
    visits(more, *[at(2025, 3, d) for d in range(1, 29)])
    with django_assert_max_num_queries(25):
        response = province.get("/dashboard/figures/stations.visits/records/", {"year": 2025})
    assert response.content.decode().count("<tr data-region-code=") == 31
