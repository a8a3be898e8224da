"""The ladder comparison: medians of the same industry's agreements in the county and in the city."""

from datetime import date

import pytest

from gonghui.wages.selectors import ladder_comparison
from tests.factories import EnterpriseFactory
from tests.wages.factories import case_at, instructor

pytestmark = pytest.mark.django_db
ON = date(2026, 6, 1)


def ladder(start, step):
    return [{"grade": g, "base_pay": start + i * step, "allowance": 0} for i, g in enumerate(["5", "4", "3"])]


def test_county_and_city_medians_exclude_the_agreement_itself_and_other_industries():
    city_user, city = instructor("330100")  # 杭州: 淳安 330127 and 上城 330102
    own = case_at(city, city_user, EnterpriseFactory(region_id="330127"), ladder=ladder(4000, 500))
    case_at(city, city_user, EnterpriseFactory(region_id="330127"), ladder=ladder(4200, 400))
    case_at(city, city_user, EnterpriseFactory(region_id="330127"), ladder=ladder(4400, 600))
    case_at(city, city_user, EnterpriseFactory(region_id="330102"), ladder=ladder(5000, 1000))
    case_at(city, city_user, EnterpriseFactory(region_id="330127", industry="G"), ladder=ladder(9000, 100))
    case_at(city, city_user, EnterpriseFactory(region_id="330127"), stage="reviewed")  # unsigned: no ladder
    result = ladder_comparison(own.agreement, on=ON)
    assert result["grades"] == ["5", "4", "3"]
    assert result["agreement"] == [4000, 4500, 5000]
    assert (result["county_peers"], result["city_peers"]) == (2, 3)
    assert result["county_median"] == [
        4300.0,
        4800.0,
        5300.0,
    ]  # medians of {4200, 4400}, {4600, 5000}, {5000, 5600}
    assert result["city_median"] == [4400.0, 5000.0, 5600.0]  # medians of three agreements per grade


def test_no_peers_gives_empty_medians():
    user, actor = instructor("330127")
    own = case_at(actor, user, ladder=ladder(4000, 500))
    result = ladder_comparison(own.agreement, on=ON)
    assert (result["county_median"], result["city_median"], result["county_peers"]) == (
        [None] * 3,
        [None] * 3,
        0,
    )
