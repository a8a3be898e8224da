"""Deterministic demo data. Every app may have ``demo.py`` with ``build(ctx)``; they run in INSTALLED_APPS order.

Builders share one ``DemoContext``: the scale, a seeded random generator per builder, and a place to leave things
for later builders (``ctx.shared``) and to announce demo accounts (``ctx.account``).
"""

import random
import time
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.core.management import call_command
from django.db import transaction

DEMO_PASSWORD = "Gonghui@2026"
SCALES = ("small", "province")


@dataclass
class DemoAccount:
    role: str
    phone: str
    name: str
    note: str


@dataclass
class DemoContext:
    scale: str
    seed: int = 2025
    shared: dict = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)

    @property
    def province(self) -> bool:
        return self.scale == "province"

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{self.scale}:{name}")

    def pick(self, small: int, province: int) -> int:
        return province if self.province else small

    def account(self, role: str, phone: str, name: str, note: str = "") -> None:
        self.accounts.append(DemoAccount(role, phone, name, note))


def database_is_empty() -> bool:
    from gonghui.accounts.models import User
    from gonghui.orgs.models import Enterprise, Organisation

    return not (Organisation.objects.exists() or Enterprise.objects.exists() or User.objects.exists())


def demo_builders():
    for config in apps.get_app_configs():
        if not config.name.startswith("gonghui."):
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        yield config.label, module.build


def reset_database() -> None:
    """Remove every row (flush), then refill the reference data that migrations provide."""
    call_command("flush", interactive=False, verbosity=0)


def build_demo(scale: str, *, seed: int = 2025, progress=None) -> DemoContext:
    """All builders in one transaction: a failure leaves the database as it was, never half a data set."""
    ctx = DemoContext(scale=scale, seed=seed)
    with transaction.atomic():
        for label, build in demo_builders():
            started = time.perf_counter()
            build(ctx)
            ctx.timings.append((label, time.perf_counter() - started))
            if progress:
                progress(label, ctx.timings[-1][1])
    return ctx
