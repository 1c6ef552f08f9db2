"""Service points (服务点, issue 19): 暖心驿站 and the other public places a street or community
runs, drawn on the unit maps and on the public map. Their data is public by nature: a service
phone, never a person's."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.org.models import ScopedModel


class ServicePointKind(models.TextChoices):
    WARM_STATION = "warm_station", _("Warm station")  # 暖心驿站
    SERVICE_CENTRE = "service_centre", _("Party-masses service centre")  # 党群服务中心
    DAY_CARE = "day_care", _("Day-care centre")  # 日间照料中心
    AFTER_SCHOOL = "after_school", _("After-school classroom")  # 四点半课堂
    CIVILITY_STATION = "civility_station", _("Civilisation practice station")  # 新时代文明实践站


class ServiceTag(models.TextChoices):
    """What a visitor finds there (the tags the map filters by)."""

    CHARGING = "charging", _("Charging")  # 充电
    WATER = "water", _("Drinking water")  # 饮水
    HOT_MEALS = "hot_meals", _("Hot meals")  # 热饭
    TOILET = "toilet", _("Toilet")  # 如厕
    REST = "rest", _("Rest")  # 休息
    FIRST_AID = "first_aid", _("First-aid kit")  # 应急药箱
    WIFI = "wifi", _("Wi-Fi")
    UMBRELLA = "umbrella", _("Umbrella")  # 雨伞
    READING = "reading", _("Reading")  # 阅读
    MEALS_FOR_ELDERLY = "elderly_meals", _("Meals for the elderly")  # 助餐
    HOMEWORK = "homework", _("Homework help")  # 课业辅导
    COUNSEL = "counsel", _("Counselling")  # 咨询


class ServicePoint(ScopedModel):
    """One service point, at a community or a grid, with its place on the map (WGS-84)."""

    kind = models.CharField(_("kind"), max_length=20, choices=ServicePointKind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    # ServiceTag values, in the order of ServiceTag.
    services = models.JSONField(_("services offered"), default=list, blank=True)
    # A public service phone (the station's desk), never a person's own number.
    phone = models.CharField(_("service phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["unit_code", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="service_point_once")]
        indexes = [models.Index(fields=["active", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def service_labels(self) -> list[str]:
        labels = dict(ServiceTag.choices)
        return [str(labels[tag]) for tag in self.services if tag in labels]
