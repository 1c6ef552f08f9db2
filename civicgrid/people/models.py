"""The six elements of basic grid data (六要素): people, places, things (facilities),
situations and organisations — events are the sixth, in `civicgrid.events`.

Every row hangs on the finest org unit it belongs to (a grid or micro-grid) and is scoped like
all data. Field names follow GB/T 31000-2015 (社会治安综合治理基础数据规范) where it names
them; its Chinese names are the verbose names. ID and phone numbers are stored only encrypted,
with a keyed hash to find them and the masked form to show them (core/privacy.py).

A person's record moves through a small state machine (`workflow.py`, run by `core.workflow`):
on record, then moved out or deregistered; every step appends a `PersonStep`.
"""

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core import privacy
from civicgrid.core.storage import private_storage
from civicgrid.core.units import UnitCodeField
from civicgrid.core.workflow import StepLog
from civicgrid.org.kinds import Kind
from civicgrid.org.models import ScopedModel

# Units basic data hangs on: the finest ones.
DATA_UNIT_KINDS = frozenset({Kind.GRID, Kind.DEDICATED_GRID, Kind.MICRO_GRID})


class Gender(models.TextChoices):
    # GB/T 2261.1 codes.
    MALE = "1", _("Male")
    FEMALE = "2", _("Female")
    UNKNOWN = "0", _("Unknown")


class ResidenceKind(models.TextChoices):
    REGISTERED = "registered", _("Registered resident")  # 户籍人口
    FLOATING = "floating", _("Floating population")  # 流动人口
    REGISTERED_AWAY = "away", _("Registered, living elsewhere")  # 人户分离
    FOREIGN = "foreign", _("Foreign resident")  # 境外人员


class PersonStatus(models.TextChoices):
    # The normal end of a record is moving out or deregistering, not deletion: the record is
    # kept (out of lists, counts and search) until erased (people.services.delete_person).
    PRESENT = "present", _("On record")  # 在册
    MOVED_OUT = "moved_out", _("Moved out")  # 迁出
    DEREGISTERED = "deregistered", _("Deregistered")  # 注销 (death, emigration…)


class Relation(models.TextChoices):
    # 与户主关系, after GB/T 4761 (family relations), grouped.
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Child-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT = "parent", _("Parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    OTHER_RELATIVE = "relative", _("Other relative")
    OTHER = "other", _("Other")


class HouseUse(models.TextChoices):
    OWN = "own", _("Owner-occupied")
    RENT = "rent", _("Rented")
    VACANT = "vacant", _("Vacant")
    COMMERCIAL = "commercial", _("Commercial")
    OTHER = "other", _("Other")


class Tag(models.Model):
    """A care or attention tag (一老一小, disabled, hardship, key groups…), from a list the
    district keeps. Sensitive tags are shown only to roles that need them (people/roles.py)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    group = models.CharField(_("group"), max_length=40, blank=True)
    sensitive = models.BooleanField(_("sensitive"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Building(ScopedModel):
    """A building (楼栋) in an estate (小区), with its building units (单元) as a count."""

    estate = models.CharField(_("estate"), max_length=60, help_text=_("小区/院落"))
    name = models.CharField(_("building"), max_length=30, help_text=_("e.g. 3号楼"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    entrances = models.PositiveSmallIntegerField(_("building units"), default=1)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    property_company = models.ForeignKey(
        "Organisation",
        verbose_name=_("property company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_buildings",
    )

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["unit_code", "estate", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "estate", "name"], name="building_once")
        ]

    def __str__(self) -> str:
        return f"{self.estate}{self.name}"


class House(ScopedModel):
    """A dwelling or shop room (房屋): building, building unit (单元), floor, room."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="houses"
    )
    entrance = models.PositiveSmallIntegerField(_("building unit"), default=1)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    room = models.CharField(_("room"), max_length=10)
    area = models.DecimalField(
        _("area (m²)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    use = models.CharField(_("use"), max_length=12, choices=HouseUse.choices, blank=True)
    owner_name = models.CharField(_("owner"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["building", "entrance", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "entrance", "room"], name="house_once")
        ]

    def __str__(self) -> str:
        return f"{self.building}{self.entrance}单元{self.room}"


class Household(ScopedModel):
    """A household (户): who lives together, at a house. The head is one of its members."""

    number = models.CharField(_("household number"), max_length=30, blank=True)
    house = models.ForeignKey(
        House,
        verbose_name=_("house"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["unit_code", "address", "id"]

    def __str__(self) -> str:
        return self.address or self.number or f"#{self.pk}"


class Person(ScopedModel):
    """A resident (人口基本信息, GB/T 31000 §人). ID and phone only as ciphertext, keyed hash
    and masked form; the search keys in PersonKey are kept by services.save_person."""

    name = models.CharField(_("name"), max_length=40)  # 姓名
    former_name = models.CharField(_("former name"), max_length=40, blank=True)  # 曾用名
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)  # 出生日期
    id_number = models.TextField(_("ID-card number (encrypted)"), blank=True, editable=False)
    id_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_masked = models.CharField(_("ID-card number"), max_length=20, blank=True, editable=False)
    phone = models.TextField(_("phone (encrypted)"), blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)  # 民族
    political_status = models.CharField(_("political status"), max_length=20, blank=True)
    education = models.CharField(_("education"), max_length=20, blank=True)  # 学历
    marital_status = models.CharField(_("marital status"), max_length=10, blank=True)
    occupation = models.CharField(_("occupation"), max_length=40, blank=True)  # 职业
    employer = models.CharField(_("employer"), max_length=100, blank=True)  # 服务处所
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    residence_kind = models.CharField(
        _("residence"),
        max_length=12,
        choices=ResidenceKind.choices,
        default=ResidenceKind.REGISTERED,
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    relation = models.CharField(
        _("relation to head"), max_length=12, choices=Relation.choices, blank=True
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="persons")
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PersonStatus.choices,
        default=PersonStatus.PRESENT,
        db_index=True,
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Not stored: the person's tags, sorted, on the persons a selector lists (_attach_tags).
    tag_list: list["Tag"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["unit_code", "name", "id"]
        constraints = [
            # One person once: the same ID number cannot be on record twice. A record that
            # ended (moved out) keeps its number; she is recorded again where she moved in.
            models.UniqueConstraint(
                fields=["id_hash"],
                condition=~models.Q(id_hash="") & models.Q(status="present"),
                name="person_id_once",
            ),
            # One head per household.
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relation="head"),
                name="one_head_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def age(self, today) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class PersonAction(models.TextChoices):
    RECORD = "record", _("Record the person")  # 登记
    MOVE_OUT = "move_out", _("Move out")  # 迁出
    DEREGISTER = "deregister", _("Deregister")  # 注销


class PersonStep(StepLog):
    """One immutable row per step of a person's record: who, when, from, to. Erased with her
    record (people/erasure.py)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=PersonAction.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=PersonStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=PersonStatus.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("person step")
        verbose_name_plural = _("person steps")

    def __str__(self) -> str:
        return f"{self.person_id} {self.action} {self.from_status}→{self.to_status}"


class PersonKey(models.Model):
    """One search key of a person (提户知人): name and its tail, pinyin and initials, the
    address of their house, and keyed hashes of ID and phone. A lookup is a prefix range on
    `key` within the user's scope, one per search word."""

    key = models.CharField(max_length=80)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="keys")
    # The person's unit code, so the scope cuts the key range itself (kept in step on a move).
    unit_code = UnitCodeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["key", "unit_code"],
                name="personkey_key_unit",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            # For a user whose scope is a community or smaller: walk the scope, not the key.
            models.Index(
                fields=["unit_code", "key"],
                name="personkey_unit_key",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.key


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    SHOP = "shop", _("Shop")
    SOCIAL = "social", _("Social organisation")
    PROPERTY = "property", _("Property company")
    PUBLIC = "public", _("Public institution")
    OTHER = "other", _("Other")


# An organisation's contact phone is sealed like a resident's, without the keyed hash: nothing
# looks an organisation up by its phone.
CONTACT_PHONE = privacy.SealedNumber("contact_phone", masked="contact_phone_masked")


class Organisation(ScopedModel):
    """An organisation in the grid (组织): enterprise, shop, social organisation, property
    company. The contact phone is personal data and stored like a person's."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=OrganisationKind.choices)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True
    )  # 统一社会信用代码
    address = models.CharField(_("address"), max_length=200, blank=True)
    business = models.CharField(_("business"), max_length=60, blank=True)
    contact_name = models.CharField(_("contact"), max_length=40, blank=True)
    contact_phone = models.TextField(_("contact phone (encrypted)"), blank=True, editable=False)
    contact_phone_masked = models.CharField(
        _("contact phone"), max_length=20, blank=True, editable=False
    )
    staff_size = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    party_organisation = models.CharField(_("party organisation"), max_length=100, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["unit_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="organisation_credit_code_once",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlaceKind(models.TextChoices):
    SHOP = "shop", _("Shop")
    RESTAURANT = "restaurant", _("Restaurant")
    PUBLIC = "public", _("Public place")
    SCHOOL = "school", _("School")
    MEDICAL = "medical", _("Medical")
    VENUE = "venue", _("Venue")
    OTHER = "other", _("Other")


class Place(ScopedModel):
    """A place (地): public places and shops with a point."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=PlaceKind.choices)
    business = models.CharField(_("business"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    hours = models.CharField(_("opening hours"), max_length=60, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="places",
    )
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["unit_code", "name"]

    def __str__(self) -> str:
        return self.name


class FacilityKind(models.TextChoices):
    # Component classes of GB/T 30428.2 that grid workers check most.
    HYDRANT = "hydrant", _("Fire hydrant")
    MANHOLE = "manhole", _("Manhole cover")
    STREET_LAMP = "street_lamp", _("Street lamp")
    CAMERA = "camera", _("Surveillance camera")
    AED = "aed", _("AED")
    CHARGER = "charger", _("E-bike charging point")
    BIN = "bin", _("Waste bin")
    OTHER = "other", _("Other")


class FacilityState(models.TextChoices):
    GOOD = "good", _("Good")
    DAMAGED = "damaged", _("Damaged")
    MISSING = "missing", _("Missing")


class Facility(ScopedModel):
    """A thing (物): a fixed public object with a point."""

    kind = models.CharField(_("kind"), max_length=12, choices=FacilityKind.choices)
    code = models.CharField(_("code"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=FacilityState.choices, default=FacilityState.GOOD
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    checked_at = models.DateField(_("last checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["unit_code", "kind", "code"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}".strip()


class Visit(ScopedModel):
    """A household visit (走访): who went, when, what they found, what follows."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="visits"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visitor"), on_delete=models.PROTECT
    )
    visited_on = models.DateField(_("visited on"))
    findings = models.TextField(_("findings"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_on}"


class SituationKind(models.TextChoices):
    OPINION = "opinion", _("Residents' opinion")
    CONDITION = "condition", _("Local condition")
    RISK = "risk", _("Risk or dispute sign")
    OTHER = "other", _("Other")


class Situation(ScopedModel):
    """A situation (情, 社情民意): an opinion or condition a worker picked up."""

    kind = models.CharField(_("kind"), max_length=12, choices=SituationKind.choices)
    topic = models.CharField(_("topic"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    people_concerned = models.PositiveIntegerField(_("people concerned"), default=1)
    follow_up = models.TextField(_("follow-up"), blank=True)
    resolved = models.BooleanField(_("followed up"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("situation")
        verbose_name_plural = _("situations")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return self.topic


class ImportKind(models.TextChoices):
    PERSONS = "persons", _("Persons")
    HOUSES = "houses", _("Houses and households")
    ORGANISATIONS = "organisations", _("Organisations")


def private_files() -> Storage:
    """Where uploaded ledgers wait for their job: settings.STORAGES["private"] (core.storage)."""
    return private_storage


class ImportJob(ScopedModel):
    """An Excel ledger import into one unit: checked whole, applied whole or not at all.
    A file imported in the background is kept in private storage until its job ends, however
    it ends (it holds ID numbers in clear), then deleted. `touched_at` moves with the job's
    progress, so a job whose worker died is seen and tried again or failed (ledgers.sweep)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Checking")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Rejected")

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    file = models.FileField(storage=private_files, blank=True)
    filename = models.CharField(_("file"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Runs started (a run killed with its worker is tried again once) and the last sign of life.
    attempts = models.PositiveSmallIntegerField(default=0)
    touched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class VisitMonthRollup(ScopedModel):
    """Household visits (走访) per visitor and month at the household's unit (its grid), kept by
    `services.record_visit` in the visit's transaction; `rollups.check_all` recounts. A
    community sums its rows over a code prefix (assessment figures)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    visits = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "user", "month"], name="one_visit_rollup_per_unit_user_month"
            )
        ]
        indexes = [
            models.Index(fields=["unit_code", "month"]),
            models.Index(fields=["user", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.unit_code} {self.month:%Y-%m}"


class LedgerRollup(ScopedModel):
    """The basic data hanging on one unit (a grid or micro-grid) now: the rows of each ledger
    and, per completeness check (selectors.completeness), how many of them are filled. Kept by
    `ledger_rollups` in the transaction of every write to persons, households, houses and
    organisations (services, the person workflow, erasure, imports, demo, synth); a unit's
    subtree sums its rows over a code prefix (the cockpit's basic data, completeness).
    `ledger_rollups.check_all` recounts, `rebuild` rewrites (`rebuild_ledger_rollups`)."""

    persons = models.PositiveIntegerField(default=0, db_default=0)  # on record (present)
    persons_filled = models.PositiveIntegerField(default=0, db_default=0)  # birth, gender, ID
    persons_in_household = models.PositiveIntegerField(default=0, db_default=0)
    households = models.PositiveIntegerField(default=0, db_default=0)
    households_headed = models.PositiveIntegerField(default=0, db_default=0)
    houses = models.PositiveIntegerField(default=0, db_default=0)
    houses_used = models.PositiveIntegerField(default=0, db_default=0)  # occupancy known
    organisations = models.PositiveIntegerField(default=0, db_default=0)
    organisations_reachable = models.PositiveIntegerField(default=0, db_default=0)  # contact

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit"], name="one_ledger_rollup_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.persons}"
