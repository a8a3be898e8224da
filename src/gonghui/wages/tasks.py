"""Background work of the wages programme (imported at start-up by the jobs app)."""

from gonghui.jobs import job, periodic
from gonghui.wages.services import agreements_refresh


@periodic(daily="06:30", name="wages.agreements-refresh")
@job(max_attempts=3, timeout_seconds=1800)
def refresh_agreements() -> dict:
    """Daily sweep: move agreements along their term (in force → expiring → lapsed) and flag those expiring
    within 60 and 30 days to their instructors. Idempotent: a flag exists once per agreement and threshold, and
    a status that has already moved is not moved again, so a repeated or caught-up run changes nothing more."""
    return agreements_refresh()
