"""Background work of the wages programme.

``refresh_agreements`` is meant to run once a day (the jobs app owns the schedule): it moves agreements along their
term and flags those expiring within 60 and 30 days to their instructors.
"""

from django_tasks import task

from gonghui.wages.services import agreements_refresh


@task()
def refresh_agreements() -> dict:
    return agreements_refresh()
