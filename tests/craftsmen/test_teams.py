"""揭榜挂帅 by a team with an intent agreement (意向书), and problems that need several craftsmen (team
dispatch through gonghui.matching.form_teams, one offer per member slot, re-dispatch of a declined slot)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.core.errors import ConflictError, ServiceError
from gonghui.core.models import AuditEvent
from gonghui.craftsmen import services
from gonghui.craftsmen.models import (
    IntentAgreement,
    Offer,
    OfferStatus,
    Problem,
    ProblemStatus,
    ServiceTeam,
    StatusLog,
)
from tests.craftsmen.factories import PROBLEM, craftsman_user

pytestmark = pytest.mark.django_db

PLC = dict(
    tags=["PLC编程"],
    occupation="电工",
    specialties="PLC编程与自动化产线调试，伺服电机和变频器故障排除",
)
TEAM_PROBLEM = {
    **PROBLEM,
    "title": "注塑产线自动化改造",
    "tags": ["注塑模具", "PLC编程"],
    "craftsmen_needed": 2,
}


def listed(w):
    problem = services.problem_file(actor=w.contact, **PROBLEM)
    services.problem_review(actor=w.staff, problem_id=problem.pk, accept=True)
    services.problem_list_for_claim(actor=w.staff, problem_id=problem.pk, workdays=5)
    return problem


def team_of(*craftsmen, kind="volunteer"):
    team = ServiceTeam.objects.create(name="模具志愿服务队", kind=kind, region_id="330102")
    team.members.add(*craftsmen)
    return team


def refusals(action):
    return list(
        AuditEvent.objects.filter(action=action, result="refused").values_list("object_id", flat=True)
    )


# ------------------------------------------------------------------------------ 揭榜 with an agreement
def test_team_claim_records_the_signed_intent_agreement(world):
    w = world
    team = team_of(w.craftsman)
    problem = listed(w)
    due = timezone.localdate() + timedelta(days=30)
    offer = services.problem_claim(
        actor=w.artisan,
        problem_id=problem.pk,
        team_id=team.pk,
        scope_of_work="  模具温控改造与员工培训  ",
        expected_completion=due,
        agree=True,
    )
    problem.refresh_from_db()
    assert (problem.status, problem.craftsman) == (ProblemStatus.ACCEPTED, w.craftsman)
    agreement = IntentAgreement.objects.get()
    assert (agreement.offer, agreement.problem, agreement.signed_by, agreement.team) == (
        offer,
        problem,
        w.craftsman,
        team,
    )
    assert (agreement.scope_of_work, agreement.expected_completion) == ("模具温控改造与员工培训", due)
    assert agreement.accepted_at == offer.offered_at
    assert offer.explanation == "模具志愿服务队 揭榜"
    assert problem.status_log.last().comment == f"{w.craftsman.name}（模具志愿服务队） 揭榜"
    event = AuditEvent.objects.get(action="craftsmen.problem.claim", result="allowed")
    assert event.changes == {
        "craftsman": w.craftsman.pk,
        "team": team.pk,
        "expected_completion": due.isoformat(),
    }


def test_second_claim_is_refused_without_side_effects_and_audited(world):
    w = world
    first_team = team_of(w.craftsman)
    second_team = ServiceTeam.objects.create(name="第二服务团", region_id="330110")
    second_team.members.add(w.second)
    problem = listed(w)
    due = timezone.localdate() + timedelta(days=10)
    services.problem_claim(
        actor=w.artisan,
        problem_id=problem.pk,
        team_id=first_team.pk,
        scope_of_work="改造",
        expected_completion=due,
        agree=True,
    )
    before = (Offer.objects.count(), IntentAgreement.objects.count(), StatusLog.objects.count())
    with pytest.raises(ConflictError, match="已被其他劳模工匠揭榜"):
        services.problem_claim(
            actor=w.second_artisan,
            problem_id=problem.pk,
            team_id=second_team.pk,
            scope_of_work="我们也能做",
            expected_completion=due,
            agree=True,
        )
    assert (Offer.objects.count(), IntentAgreement.objects.count(), StatusLog.objects.count()) == before
    assert IntentAgreement.objects.get().team == first_team
    problem.refresh_from_db()
    assert (problem.status, problem.craftsman) == (ProblemStatus.ACCEPTED, w.craftsman)
    assert refusals("craftsmen.problem.claim") == [str(problem.pk)]


@pytest.mark.parametrize(
    "terms, field",
    [
        ({"team": "other"}, "team_id"),
        ({"scope_of_work": "   "}, "scope_of_work"),
        ({"expected_completion": "yesterday"}, "expected_completion"),
        ({"agree": False}, "agree"),
    ],
)
def test_bad_agreement_claims_nothing(world, terms, field):
    w = world
    mine = team_of(w.craftsman)
    others = ServiceTeam.objects.create(name="别人的服务团", region_id="330102")
    problem = listed(w)
    kwargs = dict(
        team_id=others.pk if terms.get("team") == "other" else mine.pk,
        scope_of_work=terms.get("scope_of_work", "改造"),
        expected_completion=timezone.localdate()
        - timedelta(days=1 if terms.get("expected_completion") else -5),
        agree=terms.get("agree", True),
    )
    with pytest.raises(ServiceError) as refused:
        services.problem_claim(actor=w.artisan, problem_id=problem.pk, **kwargs)
    assert list(refused.value.message_dict) == [field]
    problem.refresh_from_db()
    assert (problem.status, problem.craftsman) == (ProblemStatus.LISTED, None)
    assert (Offer.objects.count(), IntentAgreement.objects.count()) == (0, 0)
    assert refusals("craftsmen.problem.claim") == [str(problem.pk)]


def test_claim_alone_without_terms_still_works(world):
    w = world
    problem = listed(w)
    services.problem_claim(actor=w.artisan, problem_id=problem.pk)
    problem.refresh_from_db()
    assert (problem.status, problem.craftsman) == (ProblemStatus.ACCEPTED, w.craftsman)
    assert IntentAgreement.objects.count() == 0


def test_team_claim_through_the_api(world, client):
    w = world
    team = team_of(w.craftsman)
    problem = listed(w)
    client.force_login(w.craftsman_user)
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    url = f"/api/v1/craftsmen/problems/{problem.pk}/claim-with-agreement"
    body = {"team_id": team.pk, "scope_of_work": "温控改造", "expected_completion": due, "agree": True}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["problem_id"], data["status"], data["kind"]) == (problem.pk, "accepted", "claimed")
    assert data["agreement"] == {
        "team_id": team.pk,
        "team": "模具志愿服务队",
        "signed_by": w.craftsman.name,
        "scope_of_work": "温控改造",
        "expected_completion": due,
        "accepted_at": data["agreement"]["accepted_at"],
    }
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 400
    assert IntentAgreement.objects.count() == 1


# ------------------------------------------------------------------------------ team dispatch
@pytest.fixture
def tw(world, actor_of):
    w = world
    w.plc_user, w.plc = craftsman_user(name="电工甲", **PLC)
    w.plc_artisan = actor_of(w.plc_user, "craftsman")
    w.plc2_user, w.plc2 = craftsman_user(name="电工乙", region_id="330110", **PLC)
    w.plc2_artisan = actor_of(w.plc2_user, "craftsman")
    return w


def team_problem(w, **extra):
    problem = services.problem_file(actor=w.contact, **{**TEAM_PROBLEM, **extra})
    services.problem_review(actor=w.staff, problem_id=problem.pk, accept=True)
    return Problem.objects.get(pk=problem.pk)


def test_team_proposal_covers_every_tag_with_explanations(tw):
    problem = team_problem(tw)
    proposal = services.team_proposal(actor=tw.staff, problem_id=problem.pk)
    members = {m["craftsman"] for m in proposal.members}
    assert len(members) == 2
    assert tw.plc in members or tw.plc2 in members
    assert members & {tw.craftsman, tw.second}
    assert sorted(proposal.covered_tags) == sorted(["注塑模具", "PLC编程"])
    assert all(m["explanation"] for m in proposal.members)


def test_confirmed_team_gets_one_offer_per_member_and_proceeds_when_all_accept(tw):
    problem = team_problem(tw)
    proposal = services.team_proposal(actor=tw.staff, problem_id=problem.pk)
    ids = [m["craftsman"].pk for m in proposal.members]
    offers = services.problem_dispatch_team(actor=tw.staff, problem_id=problem.pk, member_ids=ids)
    assert [(o.craftsman_id, o.slot, o.status) for o in offers] == [
        (ids[0], 0, OfferStatus.PENDING),
        (ids[1], 1, OfferStatus.PENDING),
    ]
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.DISPATCHED
    actors = {
        c.pk: a
        for c, a in [
            (tw.craftsman, tw.artisan),
            (tw.second, tw.second_artisan),
            (tw.plc, tw.plc_artisan),
            (tw.plc2, tw.plc2_artisan),
        ]
    }
    services.offer_accept(actor=actors[ids[1]], offer_id=offers[1].pk)
    problem.refresh_from_db()
    assert (problem.status, problem.craftsman_id) == (ProblemStatus.DISPATCHED, None)
    assert problem.status_log.last().comment.endswith("（团队 1/2 人已接单）")
    services.offer_accept(actor=actors[ids[0]], offer_id=offers[0].pk)
    problem.refresh_from_db()
    assert (problem.status, problem.craftsman_id) == (ProblemStatus.ACCEPTED, ids[0])


def test_declined_slot_is_redispatched_and_accepted_member_stays(tw):
    problem = team_problem(tw)
    offers = services.problem_dispatch_team(actor=tw.staff, problem_id=problem.pk)
    by_craftsman = {o.craftsman_id: o for o in offers}
    moulder = next(c for c in (tw.craftsman, tw.second) if c.pk in by_craftsman)
    electrician = next(c for c in (tw.plc, tw.plc2) if c.pk in by_craftsman)
    replacement = tw.plc2 if electrician == tw.plc else tw.plc
    actors = {
        tw.craftsman: tw.artisan,
        tw.second: tw.second_artisan,
        tw.plc: tw.plc_artisan,
        tw.plc2: tw.plc2_artisan,
    }
    services.offer_accept(actor=actors[moulder], offer_id=by_craftsman[moulder.pk].pk)
    declined = by_craftsman[electrician.pk]
    services.offer_decline(actor=actors[electrician], offer_id=declined.pk, reason="出差")
    rows = sorted(Offer.objects.filter(problem=problem).values_list("craftsman_id", "slot", "status"))
    assert rows == sorted(
        [
            (moulder.pk, by_craftsman[moulder.pk].slot, OfferStatus.ACCEPTED),
            (electrician.pk, declined.slot, OfferStatus.DECLINED),
            (replacement.pk, declined.slot, OfferStatus.PENDING),
        ]
    )
    new_offer = Offer.objects.get(craftsman=replacement, problem=problem)
    services.offer_accept(actor=actors[replacement], offer_id=new_offer.pk)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.ACCEPTED
    assert problem.craftsman_id == (moulder.pk if by_craftsman[moulder.pk].slot == 0 else replacement.pk)


def test_team_slot_without_replacement_stays_open_and_staff_are_told(tw):
    problem = team_problem(tw)
    tw.plc2.status = "inactive"
    tw.plc2.save()
    offers = services.problem_dispatch_team(actor=tw.staff, problem_id=problem.pk)
    plc_offer = next(o for o in offers if o.craftsman_id == tw.plc.pk)
    services.offer_decline(actor=tw.plc_artisan, offer_id=plc_offer.pk, reason="没空")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.DISPATCHED
    assert Offer.objects.filter(problem=problem, status=OfferStatus.PENDING).count() == 1
    assert problem.status_log.last().comment.startswith("团队席位没有其他合适人选")


def test_team_dispatch_refusals_leave_no_trace(tw):
    single = services.problem_file(actor=tw.contact, **PROBLEM)
    services.problem_review(actor=tw.staff, problem_id=single.pk, accept=True)
    problem = team_problem(tw)
    with pytest.raises(ServiceError, match="只需要一名工匠"):
        services.problem_dispatch_team(actor=tw.staff, problem_id=single.pk)
    with pytest.raises(ServiceError, match="请按团队派单"):
        services.problem_dispatch(actor=tw.staff, problem_id=problem.pk)
    with pytest.raises(ConflictError, match="已变化"):
        services.problem_dispatch_team(actor=tw.staff, problem_id=problem.pk, member_ids=[tw.craftsman.pk])
    assert Offer.objects.count() == 0
    assert set(Problem.objects.values_list("status", flat=True)) == {ProblemStatus.REVIEWED}
    assert sorted(refusals("craftsmen.problem.dispatch_team")) == sorted([str(single.pk), str(problem.pk)])
    assert refusals("craftsmen.problem.dispatch") == [str(problem.pk)]


def test_one_craftsman_problems_leave_the_batch_proposal_team_problems_out(tw):
    single = services.problem_file(actor=tw.contact, **PROBLEM)
    services.problem_review(actor=tw.staff, problem_id=single.pk, accept=True)
    problem = team_problem(tw)
    result = services.batch_proposal(actor=tw.staff, problem_ids=[single.pk, problem.pk])
    assert {p.problem for p in result.pairs} == {single.pk}


def test_team_dispatch_through_the_api(tw, client):
    problem = team_problem(tw)
    client.force_login(tw.staff_user)
    proposal = client.get(f"/api/v1/craftsmen/problems/{problem.pk}/team-proposal").json()
    assert len(proposal["members"]) == 2 and proposal["reason"] == ""
    ids = [m["craftsman_id"] for m in proposal["members"]]
    response = client.post(
        f"/api/v1/craftsmen/problems/{problem.pk}/dispatch-team",
        {"member_ids": ids},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert [(o["craftsman_id"], o["slot"]) for o in response.json()] == [(ids[0], 0), (ids[1], 1)]


# ------------------------------------------------------------------------------ pages
def test_claim_page_signs_the_agreement_for_a_team(world, client):
    w = world
    team = team_of(w.craftsman)
    problem = listed(w)
    client.force_login(w.craftsman_user)
    page = client.get(f"/craftsmen/problems/{problem.pk}/")
    assert page.status_code == 200
    assert f'<option value="{team.pk}">模具志愿服务队（主题志愿服务队）</option>' in page.content.decode()
    due = (timezone.localdate() + timedelta(days=15)).isoformat()
    form = {"team": team.pk, "scope_of_work": "温控改造", "expected_completion": due}
    client.post(f"/craftsmen/problems/{problem.pk}/claim/", form)  # not ticked: refused
    assert IntentAgreement.objects.count() == 0
    client.post(f"/craftsmen/problems/{problem.pk}/claim/", {**form, "agree": "on"})
    agreement = IntentAgreement.objects.get()
    assert (agreement.team, agreement.expected_completion.isoformat()) == (team, due)
    shown = client.get(f"/craftsmen/problems/{problem.pk}/").content.decode()
    assert 'data-test="agreement-team">模具志愿服务队（主题志愿服务队）</dd>' in shown


def test_staff_page_proposes_and_dispatches_the_team(tw, client):
    problem = team_problem(tw)
    client.force_login(tw.staff_user)
    page = client.get(f"/craftsmen/problems/{problem.pk}/").content.decode()
    assert 'data-test="team-proposal"' in page
    proposal = services.team_proposal(actor=tw.staff, problem_id=problem.pk)
    ids = [m["craftsman"].pk for m in proposal.members]
    for craftsman_id in ids:
        assert f'name="member" value="{craftsman_id}"' in page
    client.post(f"/craftsmen/problems/{problem.pk}/dispatch_team/", {"member": ids})
    assert sorted(Offer.objects.filter(problem=problem).values_list("craftsman_id", "slot")) == sorted(
        zip(ids, [0, 1], strict=True)
    )
