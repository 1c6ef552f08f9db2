"""Synthetic residents for the demo and the benchmarks: estates, buildings, houses, households
of realistic sizes and ages, persons with valid (fake) ID numbers and phones, encrypted and
hashed like real ones, tags, and their search keys. Written in bulk; deterministic per seed.

`manage.py synth_people --units CODE --households N` and bench/person_lookup.py use it.
"""

import datetime as dt
import random
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from civicgrid.core import privacy
from civicgrid.people import ledger_rollups, search, services
from civicgrid.people.models import Building, House, Household, HouseUse, Person, PersonKey, Tag

ESTATES = [
    "保利百合",
    "纺机家园",
    "锦绣城",
    "棉纺新村",
    "绿城百合",
    "建业森林半岛",
    "正商城",
    "永威翡翠城",
    "康桥华城",
    "金水花园",
    "秦岭小区",
    "桐柏苑",
    "颍河家园",
    "嵩山花园",
    "五洲城",
    "百花小区",
    "郑棉家属院",
    "国棉三厂家属院",
    "市政家属院",
    "电力小区",
    "建设新村",
    "华山小区",
    "陇海花园",
    "中原新城",
    "西元国际",
    "万科城",
    "碧桂园",
    "美景鸿城",
    "帝湖花园",
    "升龙城",
]
# Where residents were registered at birth: 郑州's districts and counties, and a few others.
REGIONS = [
    "410102",
    "410103",
    "410104",
    "410105",
    "410106",
    "410108",
    "410122",
    "410181",
    "410182",
    "410183",
    "410184",
    "410185",
    "410202",
    "410302",
    "410402",
    "411102",
]
WEIGHTS = [0.0, 0.22, 0.33, 0.22, 0.15, 0.08]  # household sizes 1…5
_CHECK = "10X98765432"
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def fake_id(region: str, born: dt.date, serial: int) -> str:
    """A well-formed ID number (valid check digit) for synthetic people; never a real one's
    on purpose, but it has the real shape so validation and hashing behave as in production."""
    body = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    return body + _CHECK[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def _birth(rng: random.Random, today: dt.date, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rng.randint(low * 365, high * 365))


def _members(rng: random.Random, today: dt.date) -> list[tuple[str, dt.date, str]]:
    """(relation, birth date, gender) of one household."""
    size = rng.choices(range(6), WEIGHTS)[0]
    head = _birth(rng, today, 28, 92)
    head_age = (today - head).days // 365
    gender = rng.choice("12")
    members = [("head", head, gender)]
    if size >= 2:
        members.append(
            (
                "spouse",
                head + dt.timedelta(days=rng.randint(-1500, 1500)),
                "2" if gender == "1" else "1",
            )
        )
    for _ in range(size - len(members)):
        if head_age > 60 and rng.random() < 0.6:
            members.append(
                ("child", _birth(rng, today, head_age - 35, head_age - 22), rng.choice("12"))
            )
        elif head_age < 45 and rng.random() < 0.3:
            members.append(
                ("parent", _birth(rng, today, head_age + 22, head_age + 35), rng.choice("12"))
            )
        else:
            members.append(
                ("child", _birth(rng, today, 0, max(1, head_age - 22)), rng.choice("12"))
            )
    return members


class Writer:
    """Bulk writes for one district: ID regions from `region`, one random stream."""

    def __init__(self, region: str, seed: int = 20261123) -> None:
        self.region, self.rng = region, random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.today = dt.date(2026, 11, 23)
        self.serial = 0
        # Keyed hashes of the ID numbers in use (those already in the database too).
        self.used: set[str] = set(
            Person.objects.exclude(id_hash="").values_list("id_hash", flat=True)
        )
        # A few clear numbers, kept so a benchmark can search for them.
        self.samples: list[tuple[str, str]] = []
        self.tags = {tag.code: tag.pk for tag in Tag.objects.all()}
        surnames = [self.faker.last_name() for _ in range(120)]
        given = [self.faker.first_name() for _ in range(200)]
        self.names = [(s, g) for s in surnames for g in given]

    def _name(self, surname: str | None = None) -> str:
        s, g = self.rng.choice(self.names)
        return (surname or s) + g

    def _numbers(self, born: dt.date) -> dict:
        self.serial += 1
        number = fake_id(self.region, born, self.rng.randrange(1000))
        while (id_hash := privacy.ID_NUMBER.index(number)) in self.used:  # one person, one number
            number = fake_id(self.rng.choice(REGIONS), born, self.rng.randrange(1000))
        self.used.add(id_hash)
        phone = f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"
        if self.serial % 997 == 0:
            self.samples.append((number, phone))
        return privacy.ID_NUMBER.values(number) | privacy.PHONE.values(phone)

    @transaction.atomic
    def fill(
        self,
        unit,
        households: int,
        estates: Iterable[str] | None = None,
        micro_grids: Sequence = (),
    ) -> int:
        """About `households` households in `unit` (a grid), in buildings of a few estates; with
        `micro_grids` (the grid's own), each building and all in it on one of them, in order.
        Returns the number of persons written."""
        rng = self.rng
        names = list(estates or rng.sample(ESTATES, 2))
        buildings, plan = [], []
        made = 0
        number = 0
        while made < households:
            number += 1
            estate = names[(number - 1) % len(names)]
            entrances, floors = rng.choice([2, 3]), rng.choice([6, 6, 7, 11, 18])
            building = Building(
                unit=unit,
                unit_code=unit.code,
                estate=estate,
                name=f"{(number - 1) // len(names) + 1}号楼",
                entrances=entrances,
                floors=floors,
            )
            buildings.append(building)
            rooms = [
                (e, f, f"{f}0{r}")
                for e in range(1, entrances + 1)
                for f in range(1, floors + 1)
                for r in (1, 2)
            ]
            plan.append(rooms)
            made += len(rooms)
        for index, building in enumerate(buildings):
            if micro_grids:
                home = micro_grids[index * len(micro_grids) // len(buildings)]
                building.unit, building.unit_code = home, home.code
        Building.objects.bulk_create(buildings, batch_size=500)
        houses = []
        for building, rooms in zip(buildings, plan, strict=True):
            for entrance, floor, room in rooms:
                use = rng.choices(
                    [HouseUse.OWN, HouseUse.RENT, HouseUse.VACANT, ""], [0.74, 0.16, 0.06, 0.04]
                )[0]
                houses.append(
                    House(
                        unit=building.unit,
                        unit_code=building.unit_code,
                        building=building,
                        entrance=entrance,
                        floor=floor,
                        room=room,
                        use=use,
                        area=rng.choice([58, 72, 89, 98, 116, 128, 143]),
                    )
                )
        House.objects.bulk_create(houses, batch_size=2000)
        homes = [house for house in houses if house.use != HouseUse.VACANT]
        household_rows = [
            Household(
                unit=house.unit,
                unit_code=house.unit_code,
                house=house,
                address=str(house),
                number=f"{house.pk:08d}",
            )
            for house in homes
        ]
        Household.objects.bulk_create(household_rows, batch_size=2000)
        persons, tags, keys_of = [], [], []
        for household, house in zip(household_rows, homes, strict=True):
            members = _members(rng, self.today)
            surname = None
            for relation, born, gender in members:
                name = self._name(surname if relation == "child" else None)
                if relation == "head":
                    surname = name[0]
                person = Person(
                    unit=household.unit,
                    unit_code=household.unit_code,
                    household=household,
                    name=name,
                    gender=gender,
                    birth_date=born,
                    relation=relation,
                    **self._numbers(born),
                )
                persons.append(person)
                age = (self.today - born).days // 365
                wanted = []
                if age >= 80:
                    wanted.append("elderly_80")
                if age >= 65 and len(members) == 1:
                    wanted.append("elderly_alone")
                if rng.random() < 0.02:
                    wanted.append("disabled")
                if rng.random() < 0.01:
                    wanted.append("subsistence")
                if rng.random() < 0.03 and age > 25:
                    wanted.append("veteran")
                tags.append(wanted)
                keys_of.append(search.keys_for(person, house))
        Person.objects.bulk_create(persons, batch_size=2000)
        ledger_rollups.add_objects(persons=persons, households=household_rows, houses=houses)
        services.log_recorded([p.pk for p in persons], actor=None, now=timezone.now())
        through = Person.tags.through
        through.objects.bulk_create(
            [
                through(person_id=p.pk, tag_id=self.tags[t])
                for p, ts in zip(persons, tags, strict=True)
                for t in ts
                if t in self.tags
            ],
            batch_size=5000,
        )
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in ("key", "person_id", "unit_code"))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {quote(PersonKey._meta.db_table)} ({columns}) VALUES (%s, %s, %s)",
                [
                    (key, p.pk, p.unit_code)
                    for p, keys in zip(persons, keys_of, strict=True)
                    for key in keys
                ],
            )
        return len(persons)
