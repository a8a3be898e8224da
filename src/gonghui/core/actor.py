"""Who is acting: a user in one of their roles, with the region that role reaches."""

from dataclasses import dataclass

from gonghui.regions.models import scope_prefix

ANONYMOUS = "anonymous"
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    role: str
    user_id: int | None = None
    name: str = ""
    organisation_id: int | None = None
    enterprise_id: int | None = None
    # Staff reach every region whose code starts with this prefix ("33" for the province).
    region_prefix: str | None = None
    client_ip: str | None = None
    role_assignment_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def covers(self, region_code: str | None) -> bool:
        """Whether a staff actor's region contains ``region_code``."""
        return bool(self.is_staff and region_code and region_code.startswith(self.region_prefix or "\0"))

    @classmethod
    def anonymous(cls, client_ip: str | None = None) -> "Actor":
        return cls(role=ANONYMOUS, client_ip=client_ip)

    @classmethod
    def system(cls) -> "Actor":
        return cls(role=SYSTEM, name="system", region_prefix="")

    @classmethod
    def for_assignment(cls, assignment, client_ip: str | None = None) -> "Actor":
        org = assignment.organisation
        return cls(
            role=assignment.role,
            user_id=assignment.user_id,
            name=assignment.user.name,
            organisation_id=assignment.organisation_id,
            enterprise_id=assignment.enterprise_id,
            region_prefix=scope_prefix(org.region_id) if org is not None else None,
            client_ip=client_ip,
            role_assignment_id=assignment.pk,
        )


def actor_for_user(user, *, role: str | None = None, assignment_id: int | None = None, client_ip=None) -> Actor:
    """The actor for a user acting in ``role`` (or the chosen assignment, or their first role)."""
    if user is None or not user.is_authenticated:
        return Actor.anonymous(client_ip)
    assignments = user.roles()
    chosen = None
    for a in assignments:
        if (assignment_id and a.pk == assignment_id) or (not assignment_id and (role is None or a.role == role)):
            chosen = a
            break
    if chosen is None:
        return Actor(role=ANONYMOUS, user_id=user.pk, name=user.name, client_ip=client_ip)
    return Actor.for_assignment(chosen, client_ip)
