"""Names for synthetic people, and the ways agencies get them wrong.

Adults' given names and most surnames come from Faker's ``en_GB`` provider. Children's given
names come from the ONS "Baby names in England and Wales" top-100 lists of 2008-2023 (a
selection), because Faker's list is an adult generation's. About 15% of households get names
from a few other naming traditions present in Northamptonshire (2021 census: roughly 85% of
residents White British or Irish, with Polish, Romanian, South Asian and Black African
communities mostly in Northampton, Corby, Kettering and Wellingborough); names with
diacritics are kept, since a real records system receives them.

The corruptions (typos, nicknames, stripped accents, day/month swaps) are the everyday ways
two agencies' records of the same person disagree.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date

from faker import Faker

__all__ = [
    "NICKNAMES",
    "Culture",
    "given_name",
    "nickname",
    "pick_culture",
    "strip_accents",
    "surname",
    "swap_day_month",
    "typo",
]

Culture = str  # "british" | "south_asian" | "polish" | "romanian" | "west_african"

# fmt: off
_CHILD_NAMES = {
    "male": (
        "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar",
        "William", "James", "Leo", "Alfie", "Henry", "Joshua", "Freddie", "Archie", "Ethan",
        "Isaac", "Alexander", "Joseph", "Edward", "Samuel", "Max", "Logan", "Lucas", "Daniel",
        "Theo", "Arthur", "Harrison", "Benjamin", "Mason", "Finley", "Sebastian", "Dylan",
        "Riley", "Teddy", "Theodore", "Reuben", "Toby", "Louie", "Tommy", "Frederick", "Alfred",
    ),
    "female": (
        "Olivia", "Amelia", "Isla", "Ava", "Mia", "Isabella", "Sophia", "Grace", "Lily", "Freya",
        "Emily", "Ivy", "Ella", "Rosie", "Evie", "Florence", "Poppy", "Charlotte", "Willow",
        "Sienna", "Phoebe", "Elsie", "Evelyn", "Sophie", "Millie", "Jessica", "Daisy", "Ruby",
        "Alice", "Matilda", "Harper", "Esme", "Chloe", "Ellie", "Lucy", "Layla", "Eleanor",
        "Scarlett", "Imogen", "Elizabeth", "Harriet", "Thea", "Zoë", "Catherine", "Katherine",
    ),
}

_CULTURES: dict[str, tuple[float, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # culture: (share of households, male given names, female given names, surnames)
    "south_asian": (0.05,
        ("Mohammed", "Muhammad", "Aarav", "Arjun", "Imran", "Rahul", "Yusuf", "Ibrahim", "Amir"),
        ("Aisha", "Fatima", "Priya", "Anjali", "Zainab", "Maryam", "Noor", "Simran", "Sana"),
        ("Patel", "Khan", "Ahmed", "Hussain", "Chaudhry", "Sandhu", "Ali", "Shah", "Mistry")),
    "polish": (0.05,
        ("Jakub", "Kacper", "Szymon", "Mateusz", "Piotr", "Tomasz", "Łukasz", "Michał"),
        ("Zuzanna", "Julia", "Maja", "Natalia", "Agnieszka", "Katarzyna", "Małgorzata", "Ewa"),
        ("Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk", "Zając", "Król", "Wieczorek")),
    "romanian": (0.02,
        ("Andrei", "Ionuț", "Mihai", "Alexandru", "Ștefan", "Gabriel"),
        ("Ioana", "Elena", "Maria", "Andreea", "Alexandra", "Bianca"),
        ("Popescu", "Ionescu", "Popa", "Stan", "Dumitru", "Constantin")),
    "west_african": (0.03,
        ("Oluwaseun", "Chinedu", "Emeka", "Tunde", "Kwame", "Kofi", "David", "Daniel"),
        ("Chiamaka", "Adaeze", "Funmilayo", "Ngozi", "Abena", "Grace", "Blessing", "Esther"),
        ("Okafor", "Adeyemi", "Okonkwo", "Mensah", "Boateng", "Oyelaran", "Eze", "Balogun")),
}
# fmt: on

# Short forms people give and officers write down: (formal, short).
# fmt: off
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"), "Catherine": ("Kate", "Cathy"),
    "Katherine": ("Kate", "Katie"), "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Thomas": ("Tom", "Tommy"), "Alfred": ("Alfie",), "James": ("Jim", "Jamie"),
    "Michael": ("Mike", "Mick"), "David": ("Dave",), "Robert": ("Rob", "Bob"),
    "Daniel": ("Dan", "Danny"), "Samuel": ("Sam",), "Samantha": ("Sam", "Sammy"),
    "Christopher": ("Chris",), "Nicholas": ("Nick",), "Benjamin": ("Ben",),
    "Matthew": ("Matt",), "Stephen": ("Steve",), "Steven": ("Steve",), "Anthony": ("Tony",),
    "Jennifer": ("Jenny", "Jen"), "Jessica": ("Jess",), "Rebecca": ("Becky", "Becca"),
    "Victoria": ("Vicky", "Tori"), "Susan": ("Sue",), "Margaret": ("Maggie", "Peggy"),
    "Eleanor": ("Ellie", "Nell"), "Alexander": ("Alex", "Xander"), "Alexandra": ("Alex",),
    "Charles": ("Charlie",), "Charlotte": ("Charlie", "Lottie"), "Henry": ("Harry",),
    "Edward": ("Ted", "Eddie"), "Andrew": ("Andy",), "Peter": ("Pete",), "Joseph": ("Joe",),
    "Abigail": ("Abbie", "Abi"), "Amanda": ("Mandy",), "Deborah": ("Debbie", "Debs"),
    "Natalie": ("Nat",), "Frederick": ("Fred", "Freddie"), "Joshua": ("Josh",),
    "Oliver": ("Olly", "Ollie"), "Isabella": ("Bella", "Izzy"), "Jacqueline": ("Jackie",),
    "Patricia": ("Pat", "Trish"), "Kenneth": ("Ken", "Kenny"), "Richard": ("Rich", "Dick"),
    "Timothy": ("Tim",), "Raymond": ("Ray",), "Jonathan": ("Jon", "Jonny"),
    "Philip": ("Phil",), "Gillian": ("Gill",), "Pamela": ("Pam",), "Theodore": ("Theo", "Teddy"),
    "Matilda": ("Tilly",), "Florence": ("Flo",), "Muhammad": ("Mo",), "Mohammed": ("Mo",),
    "Katarzyna": ("Kasia",), "Małgorzata": ("Gosia",), "Oluwaseun": ("Seun",),
    "Mateusz": ("Mati",), "Jakub": ("Kuba",),
}
# fmt: on


def pick_culture(rng: random.Random) -> Culture:
    roll = rng.random()
    for culture, (share, *_rest) in _CULTURES.items():
        if roll < share:
            return culture
        roll -= share
    return "british"


def given_name(rng: random.Random, fake: Faker, *, sex: str, born: date, culture: Culture) -> str:
    if culture in _CULTURES:
        _share, male, female, _surnames = _CULTURES[culture]
        return rng.choice(male if sex == "male" else female)
    if born.year >= 2006:
        return rng.choice(_CHILD_NAMES[sex])
    name = fake.first_name_male() if sex == "male" else fake.first_name_female()
    return str(name)


def surname(rng: random.Random, fake: Faker, culture: Culture) -> str:
    if culture in _CULTURES:
        return rng.choice(_CULTURES[culture][3])
    name = str(fake.last_name())
    if rng.random() < 0.01:  # double-barrelled, as some families choose
        name = f"{name}-{fake.last_name()}"
    return name


def nickname(rng: random.Random, name: str) -> str:
    shorts = NICKNAMES.get(name)
    return rng.choice(shorts) if shorts else name


def typo(rng: random.Random, name: str) -> str:
    """A transposed pair of adjacent letters or a dropped letter, as keyed in a hurry."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)  # leave the initial alone: people get that right
    if rng.random() < 0.5 and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + name[i + 1 :]


def strip_accents(name: str) -> str:
    """What an ASCII-only records system makes of "Wójcik" or "Zoë"."""
    decomposed = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def swap_day_month(dob: date) -> date:
    """The US-style misreading of 05/04 as 4 May; unchanged where impossible or identical."""
    if dob.day > 12 or dob.day == dob.month:
        return dob
    return date(dob.year, dob.day, dob.month)
