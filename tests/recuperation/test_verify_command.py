from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gonghui.recuperation.models import Application

from .factories import apply_all, build_world, close_and_draw

pytestmark = pytest.mark.django_db


def _draw():
    world = build_world(places=2, members=5)
    apply_all(world)
    return close_and_draw(world)


def test_verify_draw_says_match():
    draw = _draw()
    out = StringIO()
    call_command("recuperation", "verify-draw", str(draw.pk), stdout=out)
    text = out.getvalue()
    assert "MATCH: recomputing the draw gives the recorded results" in text
    assert "applications    5" in text


def test_a_tampered_record_is_reported():
    draw = _draw()
    unit = next(iter(draw.results))
    draw.results[unit] = list(reversed(draw.results[unit]))
    draw.save(update_fields=["results"])
    out = StringIO()
    with pytest.raises(CommandError, match="MISMATCH"):
        call_command("recuperation", "verify-draw", str(draw.pk), stdout=out)
    assert f"unit {unit}: recorded ranking differs from the recomputed one at position 1" in out.getvalue()
    assert "the recorded results do not match their published fingerprint" in out.getvalue()


def test_a_tampered_seed_is_reported():
    draw = _draw()
    draw.seed = "ab" * 32
    draw.save(update_fields=["seed"])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("recuperation", "verify-draw", str(draw.pk), stdout=out)
    assert "seed does not match the published commitment" in out.getvalue()


def test_ranks_changed_on_the_applications_are_reported():
    draw = _draw()
    ranked = next(iter(draw.results.values()))
    Application.objects.filter(pk=ranked[0]).update(draw_rank=99)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("recuperation", "verify-draw", str(draw.pk), stdout=out)
    assert "the ranks stored on the applications differ from the recomputed ranking" in out.getvalue()
    call_command("recuperation", "verify-draw", str(draw.pk), "--record-only", stdout=StringIO())


def test_unknown_draw():
    with pytest.raises(CommandError, match="no draw with id 999"):
        call_command("recuperation", "verify-draw", "999")
