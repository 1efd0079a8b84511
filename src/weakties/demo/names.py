"""Invented names for the demo organisation: people, teams, companies, addresses.

Every name here is made up. Pools mix scripts and accents on purpose, so that
parsers meet RFC 2047 encoded display names and ASCII-folded addresses.
"""

from __future__ import annotations

import random
import unicodedata


def _pool(words: str) -> tuple[str, ...]:
    """A name pool written as one space-separated string, for readability."""
    return tuple(words.split())


FIRST_NAMES = _pool(
    "Aaliyah Abebe Ada Adrián Aiko Aisha Aleksander Alejandro Amara Amelia Anders Ananya "
    "Andrea Anh Annika Arjun Astrid Aurélie Ayşe Beatriz Benedikt Bilal Björn Bongani "
    "Bruno Camille Carmen Catalina Chidi Chloé Chen Clara Dalia Daniel Darius Dmitri "
    "Eamon Elif Elena Emeka Emil Erik Esra Farah Fatima Felipe Finn Florian François "
    "Freya Gabriel Gareth Greta Hamid Hana Hannah Haruto Helga Hiroshi Hugo Ibrahim "
    "Idris Ilse Imani Ines Ingrid Isabel Ivan Jakub Jamal Javier Jens Jin Joanna Jonas "
    "Julia Kai Kalani Karin Kavya Kenji Kofi Lars Laura Leila Lena Léon Liam Lina "
    "Lorenzo Luca Lucía Łukasz Maja Malik Mara Mariam Marta Mateo Matilda Mei Mikael "
    "Mina Miriam Nadia Naveen Nia Nikolai Nils Noor Olga Omar Oskar Paloma Pedro Priya "
    "Rafael Rahul Ravi Rosa Ruth Saanvi Samir Sandra Sara Selin Sigrid Simone Sofia "
    "Søren Sun Tariq Thandiwe Theo Tomás Ugo Valentina Vera Viktor Wanjiru Xavier Yara "
    "Yusuf Zainab Zara Zeynep Zoltán"
)

LAST_NAMES = _pool(
    "Abara Adeyemi Alvarez Andersen Aoki Arslan Bakker Banerjee Barros Becker Bergström "
    "Bianchi Bondarenko Brennan Castillo Chowdhury Costa Dahl Demir Diallo Dubois Duarte "
    "Eriksen Ezeh Fischer Fonseca Fontaine Garcia Gashi Greco Gupta Haddad Halvorsen "
    "Hansen Hartmann Hayes Herrera Hoffmann Horvath Ibáñez Ishikawa Ivanova Jansen Jensen "
    "Kamau Kapoor Karlsson Kaur Keller Kim Kowalski Kozak Kruger Kumar Laine Larsen "
    "Lefebvre Lehmann Lindqvist Lopez Lund Mahlaba Marino Martins Mbeki Mehta Mendes "
    "Meyer Moreau Müller Murphy Nakamura Navarro Ndlovu Nguyen Nielsen Novak Nowak "
    "Nwosu Obi Oliveira Olsen Ortega Osei Özdemir Park Patel Pereira Petrov Pham Quinn "
    "Rahman Ramos Reyes Ribeiro Rossi Sato Schmidt Schneider Silva Singh Sokolova Sousa "
    "Suzuki Svensson Takahashi Tanaka Torres Tran Vasquez Vogel Wagner Walsh Wang Weber "
    "Wiśniewski Yamamoto Yilmaz Young Zhang Zhou Østergaard"
)

# Shown as the owner's first close collaborator and first bridge, so the demo
# always carries RFC 2047 encoded names in headers and subjects.
PLANTED_NAMES = ("José Núñez", "Zoë Ångström")

TEAM_NAMES = (
    "Platform",
    "Payments",
    "Sales EMEA",
    "Sales Americas",
    "Customer Success",
    "Data Science",
    "Security",
    "Finance",
    "Legal",
    "People",
    "Marketing",
    "Design",
    "Mobile",
    "Infrastructure",
    "Support",
    "Procurement",
    "Growth",
    "Partnerships",
    "Research",
    "Operations",
    "Analytics",
    "Sales APAC",
    "Quality",
    "Brand",
)
TEAM_SITES = ("Lisbon", "Berlin", "Toronto", "Nairobi", "Singapore", "Austin", "Warsaw", "Pune")

COMPANY_STEMS = (
    "Bluefin",
    "Cobalt",
    "Larkspur",
    "Meridian",
    "Tamarack",
    "Quillon",
    "Brightwater",
    "Halcyon",
    "Juniper",
    "Kestrel",
    "Lodestar",
    "Marigold",
    "Nimbus",
    "Orchard",
    "Pinecrest",
    "Redwing",
    "Saltmarsh",
    "Thistle",
    "Umber",
    "Vantor",
    "Willowby",
    "Yarrow",
    "Zephyr",
    "Alder",
    "Basalt",
    "Cinder",
    "Driftwood",
    "Ember",
    "Fernhill",
    "Granite",
    "Harbor",
    "Ironbark",
    "Jasper",
    "Keystone",
    "Lumen",
    "Moraine",
    "Northgate",
    "Oakmere",
    "Pebble",
    "Quarry",
    "Rookery",
    "Summit",
    "Tidewater",
    "Upland",
    "Verdant",
    "Wrenfield",
)
COMPANY_KINDS = (
    "Analytics",
    "Health",
    "Freight",
    "Labs",
    "Systems",
    "Capital",
    "Logistics",
    "Energy",
    "Retail",
    "Robotics",
    "Foods",
    "Insurance",
    "Media",
    "Software",
    "Partners",
    "Bank",
    "Mobility",
    "Telecom",
    "Studios",
    "Biotech",
)
ROLE_KINDS = {
    "agency": ("Talent", "Search", "Recruiting", "People Partners"),
    "blast": ("Events", "Leads", "Media"),
    "vendor": ("Software", "Systems", "Cloud", "Analytics"),
}
FREEMAIL = ("gmail.com", "yahoo.com", "outlook.com")

_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "ı": "i"})


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text``: "Núñez" -> "nunez"."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in folded.lower() if c.isascii() and c.isalnum())


class NameBook:
    """Hands out unique full names and unique addresses, deterministically."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._names: set[str] = set(PLANTED_NAMES)
        self._addresses: set[str] = set()

    def name(self) -> str:
        """A full name not handed out before."""
        while True:
            name = f"{self._rng.choice(FIRST_NAMES)} {self._rng.choice(LAST_NAMES)}"
            if name not in self._names:
                self._names.add(name)
                return name

    def address(self, local: str, domain: str) -> str:
        """``local@domain``, with a digit appended if that address is taken."""
        candidate, n = f"{local}@{domain}", 1
        while candidate in self._addresses:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self._addresses.add(candidate)
        return candidate

    def claim(self, address: str) -> str:
        """Reserve an address chosen elsewhere (the owner's)."""
        self._addresses.add(address)
        return address


def local_part(name: str, style: str) -> str:
    """The local part a company would give ``name`` under its naming ``style``."""
    first, last = (ascii_slug(part) for part in name.split(" ", 1))
    if style == "flast":
        return f"{first[0]}{last}"
    if style == "f.last":
        return f"{first[0]}.{last}"
    if style == "first":
        return f"{first}.{last[0]}"
    return f"{first}.{last}"


def team_names(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct team names: the plain ones first, then per-site variants."""
    pool = list(TEAM_NAMES)
    extra = [f"{team} {site}" for site in TEAM_SITES for team in TEAM_NAMES]
    rng.shuffle(extra)
    return (pool + extra)[:count]


def company_names(roles: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """A distinct (company name, domain) pair on ``.example`` per role.

    Stems are not reused until all have been used once; the second word
    fits the role (recruiting agencies sound like agencies).
    """
    stems = list(COMPANY_STEMS)
    rng.shuffle(stems)
    taken: set[str] = set()
    named = []
    for index, role in enumerate(roles):
        kinds = ROLE_KINDS.get(role, COMPANY_KINDS)
        stem, kind = stems[index % len(stems)], rng.choice(kinds)
        while f"{stem} {kind}" in taken:
            stem, kind = rng.choice(stems), rng.choice(kinds)
        taken.add(f"{stem} {kind}")
        named.append((f"{stem} {kind}", f"{stem}{kind}.example".lower().replace(" ", "")))
    return named
