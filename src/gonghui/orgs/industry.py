"""GB/T 4754-2017: which two-digit divisions (大类) belong to which section (门类)."""

SECTION_DIVISIONS: dict[str, tuple[int, int]] = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}


def division_in_section(section: str, division: str) -> bool:
    if section not in SECTION_DIVISIONS or len(division or "") != 2 or not division.isdigit():
        return False
    low, high = SECTION_DIVISIONS[section]
    return low <= int(division) <= high
