"""Made-up names, addresses and notes that look real but belong to nobody.

Names are random pairs of common first names and surnames; streets are random
pairs of generic words, so any match with a real person or address is chance.
"""

from __future__ import annotations

import random


def _words(text: str) -> tuple[str, ...]:
    """The space-separated words of ``text``."""
    return tuple(text.split())


OLDER_FEMALE = _words(
    "Margaret Joan Dorothy Patricia Jean Barbara Betty Doris Irene Joyce Sheila "
    "Maureen Brenda Eileen Audrey Sylvia Valerie Pamela Shirley Kathleen Mavis Edna "
    "Hilda Marjorie Gladys Vera Elsie Winifred June Rita Pauline Christine"
)
OLDER_MALE = _words(
    "Arthur Kenneth Ronald Dennis Derek Raymond Stanley Harold Albert Frank Leonard "
    "Norman Alan Brian Geoffrey Eric Gordon Roy Keith Trevor Colin Malcolm Bernard "
    "Cyril Walter Sidney Leslie Clifford Peter John William George"
)
YOUNGER_FEMALE = _words(
    "Sarah Emma Laura Rebecca Gemma Hannah Amy Charlotte Jade Kirsty Leanne Stacey "
    "Nicola Lisa Michelle Joanne Priya Aisha Fatima Amara Grace Chloe Sophie Olivia "
    "Agnieszka Maria Ioana Blessing Precious Mercy Zainab Ruth"
)
YOUNGER_MALE = _words(
    "James Daniel Thomas Matthew Ryan Liam Jordan Craig Lee Wayne Darren Mohammed "
    "Imran Ahmed Tomasz Piotr Samuel Joseph Kwame Emmanuel David Michael Adam Nathan"
)
NEUTRAL = ("Alex", "Sam", "Jo", "Charlie", "Robin", "Jamie", "Frankie", "Ashley")
SURNAMES = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson "
    "Evans Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis "
    "Harris Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan "
    "Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths "
    "Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox "
    "Richards Rahman Ali Hussain Begum Kowalski Nowak Okafor Mensah Adeyemi Singh "
    "Kaur Ahmed Marsh Fletcher Barker Pearson Holmes Lloyd Dixon Hughes"
)
STREET_WORDS = _words(
    "Acacia Beech Birch Bluebell Bramble Cedar Chestnut Clover Elm Fern Foxglove "
    "Hawthorn Hazel Heather Holly Ivy Juniper Laburnum Larch Lavender Lilac Maple "
    "Meadow Mill Orchard Poplar Primrose Rowan Sycamore Thistle Willow Yew Albion "
    "Brook Church Coronation Garden Granby Kestrel Lark Manor Park Priory Queens "
    "Sandringham Station Victoria Windsor"
)
STREET_KINDS = _words(
    "Road Street Avenue Close Lane Grove Drive Crescent Way Gardens Court Terrace Mews Walk"
)
ACCESS_NOTES = (
    "Key safe beside the front door; code held in the office records.",
    "Ring the bell and wait: lives alone and walks slowly.",
    "Side door only; front door is bolted.",
    "Small dog in the house, friendly but please close the gate.",
    "Daughter visits most evenings; communication book on the kitchen table.",
    "Ground-floor flat; buzzer 2 then let yourself in with the key safe key.",
    "Hard of hearing: knock loudly and call out on entering.",
    "Parking is difficult; use the supermarket car park opposite.",
    "Hoist and sling in the front room; check sling before each transfer.",
    "Prefers tea with the morning visit; medication in the blister pack on the fridge.",
    "Sheltered housing: sign in at the warden's office.",
    "Cat must not be let out.",
)


def older_person_name(rng: random.Random) -> str:
    """A name of the kind older clients have."""
    first = rng.choice(OLDER_FEMALE if rng.random() < 0.62 else OLDER_MALE)
    return f"{first} {rng.choice(SURNAMES)}"


def worker_name(rng: random.Random, gender: str) -> str:
    """A name matching ``gender`` (``female``, ``male`` or ``other``)."""
    pool = {"female": YOUNGER_FEMALE, "male": YOUNGER_MALE}.get(gender, NEUTRAL)
    return f"{rng.choice(pool)} {rng.choice(SURNAMES)}"


def street_address(rng: random.Random, town: str) -> str:
    """A house number, an invented street and the town (``14 Foxglove Close, Leeds``)."""
    if rng.random() < 0.15:
        return f"Flat {rng.randint(1, 40)}, {rng.choice(STREET_WORDS)} Court, {town}"
    return f"{rng.randint(1, 180)} {rng.choice(STREET_WORDS)} {rng.choice(STREET_KINDS)}, {town}"


def access_note(rng: random.Random) -> str:
    """A practical note for carers about getting in (never a real key-safe code)."""
    return rng.choice(ACCESS_NOTES)
