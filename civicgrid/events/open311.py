"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under /open311/v2/, in XML and
JSON, with the Service Request Updates extension so a department's own system can push its
progress. Categories are the services; an event's number is its service_request_id. The rules
are in docs/open311.md.

Requests reported here enter the same workflow as every other event. Without an api_key, the
lists show events of public categories only (never disputes or hardship), and never media; a
key adds what its user may see, never less. With a key, media of public events come as signed
per-photo links (or the client's own `media_url`). No answer ever carries a resident's tracking
token (Open311's `token` is the request number, signed).

Open311 knows two statuses: `closed` means "it has been resolved", so a resolved or verified
event is closed here although civicgrid still waits for its verification and closure. An
update (`servicerequestupdates`) says IN_PROGRESS, FIXED or CLOSED and is carried through the
workflow as far as the key's user may take it (events/progress.py). A key with `trusted_times`
may say when things happened (a replay of a 311 history keeps its real times).
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from xml.etree import ElementTree as ET

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from civicgrid.accounts.models import ApiToken
from civicgrid.accounts.tokens import token_for_key
from civicgrid.core import limits
from civicgrid.core.cleaning import plain_text
from civicgrid.core.errors import CivicgridError, NotAllowed
from civicgrid.events import progress, selectors, services
from civicgrid.events.models import (
    Event,
    EventStep,
    Open311Update,
    Source,
    Status,
    StepAction,
)
from civicgrid.org import selectors as org_selectors

A = StepAction
S = Status
MAX_ROWS = 1000
MAX_SPAN = dt.timedelta(days=90)
# The spec's limit on a request's description.
MAX_DESCRIPTION = 4000
MAX_MEDIA_URL = 500
# Open311's `open`: nobody has resolved it yet. Resolved, verified, closed, rated and rejected
# events are `closed` ("it has been resolved"), whatever civicgrid still does with them.
OPEN311_OPEN = frozenset({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.SUSPENDED})
# Discovery's changeset when there are no services at all.
NO_SERVICES_CHANGESET = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
JSON_TYPE = "application/json; charset=utf-8"
# XML element names for the items of each list.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "service_request_updates": "request_update",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _xml_value(parent: ET.Element, tag: str, value) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, list):
        for item in value:
            _xml_item(element, ITEM_TAGS.get(tag, "item"), item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        # Defence in depth: a control character in any text would make the whole feed
        # unreadable XML (input is cleaned too, but rows may predate that).
        element.text = plain_text(str(value))


def _xml_item(parent: ET.Element, tag: str, item) -> None:
    if isinstance(item, dict):
        element = ET.SubElement(parent, tag)
        for key, value in item.items():
            _xml_value(element, key, value)
    else:
        _xml_value(parent, tag, item)


def render(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """JSON as the spec's examples (a list or an object); XML with the spec's element names."""
    if fmt == "json":
        return JsonResponse(
            data,
            status=status,
            safe=False,
            json_dumps_params={"ensure_ascii": False},
            content_type=JSON_TYPE,
        )
    element = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _xml_item(element, ITEM_TAGS.get(root, "item"), item)
    else:
        for key, value in data.items():
            _xml_value(element, key, value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def endpoint(methods: list[str]) -> Callable:
    """Wrap a view: check the format, turn errors into the spec's error list."""

    def wrap(view: Callable) -> Callable:
        @csrf_exempt
        @require_http_methods(methods)
        def inner(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in {"json", "xml"}:
                return render(
                    "json",
                    "errors",
                    [{"code": 404, "description": "Format must be json or xml."}],
                    404,
                )
            try:
                # Rate limits by client address: writes ("open311_ip"), reads ("read_ip").
                # Not for keys with trusted times: an administrator issued them for a system's
                # replay or integration, whose thousands of writes an hour are the point.
                if not _trusted_writer(request):
                    limits.guard(request, "open311" if request.method == "POST" else "read")
                return view(request, *args, fmt=fmt, **kwargs)
            except limits.TooMany as exc:
                error = [{"code": 429, "description": exc.message}]
                response = render(fmt, "errors", error, 429)
                response["Retry-After"] = str(exc.retry_after)
                return response
            except Open311Error as exc:
                error = [{"code": exc.status, "description": exc.description}]
                return render(fmt, "errors", error, exc.status)
            except CivicgridError as exc:
                status = 403 if isinstance(exc, NotAllowed) else 400
                description = f"{exc.field}: {exc.message}" if exc.field else exc.message
                return render(fmt, "errors", [{"code": status, "description": description}], status)

        return inner

    return wrap


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _token(request: HttpRequest, *, required: bool) -> ApiToken | None:
    key = request.POST.get("api_key") or request.GET.get("api_key")
    token = token_for_key(key)
    if token is None and (required or key):
        raise Open311Error(403, "A valid api_key is required.")
    return token


def _trusted_writer(request: HttpRequest) -> bool:
    if request.method != "POST" or not request.POST.get("api_key"):
        return False
    token = token_for_key(request.POST["api_key"])
    return token is not None and token.trusted_times


def _client(request: HttpRequest, *, required: bool):
    token = _token(request, required=required)
    return token.user if token is not None else None


def _given_time(token: ApiToken, value: str | None, name: str) -> dt.datetime | None:
    """A time the client gives (`requested_datetime`, `updated_datetime`, …): honoured from a
    key with trusted times only; other clients' steps take the server's clock."""
    if not value or not token.trusted_times:
        return None
    return _parse_date(value, name)


def _media_url(value: str | None) -> str:
    """A client's link to its own media: an http(s) URL, kept as given and never fetched (the
    server never requests a URL a client names)."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > MAX_MEDIA_URL:
        raise Open311Error(400, f"media_url may be at most {MAX_MEDIA_URL} characters.")
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise Open311Error(400, "media_url must be an http or https URL.") from None
    return value


def _description(value: str | None) -> str:
    text = plain_text(value or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise Open311Error(
            400, f"description may be at most {MAX_DESCRIPTION} characters (it has {len(text)})."
        )
    return text


# ---- discovery and services --------------------------------------------------------------------


@endpoint(["GET"])
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    # The spec's endpoint URLs end without "/": a client appends "/services.xml".
    url = request.build_absolute_uri(reverse("open311:discovery", args=["json"])).rsplit("/", 1)[0]
    # Changes when any service (category) changes: added, renamed, deactivated, re-asked.
    changeset = _iso(selectors.services_changed_at() or NO_SERVICES_CHANGESET)
    data = {
        "changeset": changeset,
        "contact": _("Your street office"),
        "key_service": _("Ask the platform administrator for an API key."),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": url,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", data)


@endpoint(["GET"])
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    data = []
    for category in selectors.service_categories().order_by("code"):
        assert category.parent is not None  # a service is a sub-category
        data.append(
            {
                "service_code": category.code,
                "service_name": category.name,
                "description": f"{category.parent.name} · {category.name}",
                "metadata": bool(category.attributes),
                "type": "realtime",
                "keywords": category.parent.name,
                "group": category.parent.name,
            }
        )
    return render(fmt, "services", data)


@endpoint(["GET"])
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = selectors.service_categories().filter(code=code).first()
    if category is None:
        raise Open311Error(404, f"No service {code!r}.")
    attributes = [
        {
            "variable": bool(question.get("variable", True)),
            "code": question["code"],
            "datatype": question.get("datatype", "string"),
            "required": bool(question.get("required")),
            "datatype_description": question.get("datatype_description") or None,
            "order": question.get("order", index),
            "description": question.get("description", ""),
            **({"values": question["values"]} if question.get("values") else {}),
        }
        for index, question in enumerate(category.attributes, start=1)
    ]
    return render(
        fmt, "service_definition", {"service_code": category.code, "attributes": attributes}
    )


# ---- requests ----------------------------------------------------------------------------------


def _status(status: str) -> str:
    return "open" if status in OPEN311_OPEN else "closed"


def _status_filter(events, wanted: set[str]):
    if wanted == {"open"}:
        return events.filter(status__in=OPEN311_OPEN)
    if wanted == {"closed"}:
        return events.exclude(status__in=OPEN311_OPEN)
    return events


def _request(
    request: HttpRequest,
    event: Event,
    last_notes: dict[int, str],
    mine: set[int],
    last_times: dict[int, dt.datetime],
    media_urls: dict[int, str],
) -> dict:
    # Media only for events the key's user may see (`mine`; the public list carries none) of
    # public categories, through a signed link that names the photo, never through the
    # resident's tracking token; else the client's own media_url.
    with_media = event.pk in mine and event.category.public
    photo = event.photos.first() if with_media else None
    if photo is not None:
        media_url: str | None = request.build_absolute_uri(
            selectors.signed_photo_url(photo, public_only=True)
        )
    elif with_media:
        media_url = media_urls.get(event.pk)
    else:
        media_url = None
    handler = event.handler_unit or event.unit
    # When it last changed, in the times of its steps (for a closed one: when it was closed or
    # resolved), so that a replay shows the source's times, not the moment of the replay.
    updated = last_times.get(event.pk) or event.updated_at
    return {
        "service_request_id": event.number,
        "status": _status(event.status),
        "status_notes": last_notes.get(event.pk) or str(Status(event.status).label),
        "service_name": event.category.name,
        "service_code": event.category.code,
        "description": event.description or event.title,
        "agency_responsible": handler.display_name,
        "service_notice": None,
        "requested_datetime": _iso(event.reported_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": _iso(event.closure_due),
        "address": event.address or None,
        "address_id": event.unit_code,
        "zipcode": None,
        "lat": event.lat,
        "long": event.lon,
        "media_url": media_url,
    }


def _requests(request: HttpRequest, rows: list[Event], user) -> list[dict]:
    notes = selectors.last_public_notes(rows)
    times = selectors.last_step_times(rows)
    mine = selectors.visible_ids(user, rows) if user is not None else set()
    urls = selectors.reported_media_urls(rows) if mine else {}
    return [_request(request, event, notes, mine, times, urls) for event in rows]


def _parse_date(value: str, name: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a W3C date-time, e.g. 2026-11-23T09:00:00+08:00."
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@endpoint(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    user = _client(request, required=False)
    events = selectors.events_or_public(user)
    ids = request.GET.get("service_request_id")
    if ids:
        # The spec: with service_request_id every other filter is ignored.
        events = events.filter(number__in=[part.strip() for part in ids.split(",")][:MAX_ROWS])
    else:
        now = timezone.now()
        end = (
            _parse_date(request.GET["end_date"], "end_date") if request.GET.get("end_date") else now
        )
        start = (
            _parse_date(request.GET["start_date"], "start_date")
            if request.GET.get("start_date")
            else end - MAX_SPAN
        )
        if end < start:
            raise Open311Error(400, "end_date is before start_date.")
        if end - start > MAX_SPAN:
            raise Open311Error(400, "start_date and end_date may be at most 90 days apart.")
        events = events.filter(reported_at__range=(start, end))
        if request.GET.get("service_code"):
            codes = [code.strip() for code in request.GET["service_code"].split(",")]
            events = events.filter(category__code__in=codes)
        if request.GET.get("status"):
            wanted = {part.strip().lower() for part in request.GET["status"].split(",")}
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, "status must be open or closed.")
            events = _status_filter(events, wanted)
    if user is not None:
        # A keyed client gets each public event's first photo: all read in one query.
        events = events.prefetch_related("photos")
    rows = list(events.order_by("-reported_at", "-id")[:MAX_ROWS])
    return render(fmt, "service_requests", _requests(request, rows, user))


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    token = _token(request, required=True)
    assert token is not None
    user = token.user
    post = request.POST
    # One phone's reports are counted together with those from the residents' page.
    if not token.trusted_times:
        limits.hit("report_phone", limits.phone_key(post.get("phone", "")), field="phone")
    code = post.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required.")
    category = selectors.service_categories().filter(code=code).first()
    if category is None:
        # The spec: "404 - service_code or jurisdiction_id provided were not found".
        raise Open311Error(404, f"No service {code!r}.")
    description = _description(post.get("description"))
    media_url = _media_url(post.get("media_url"))
    at = _given_time(token, post.get("requested_datetime"), "requested_datetime")
    if at is not None:
        at = progress.checked_time(None, at, field_name="requested_datetime")
    closure_due = _given_time(token, post.get("expected_datetime"), "expected_datetime")
    lon: str | float | None = post.get("long")
    lat: str | float | None = post.get("lat")
    if not (lon and lat):
        unit = org_selectors.unit_by_code(post.get("address_id", ""))
        if unit is not None and unit.centre_lon is not None:
            lon, lat = unit.centre_lon, unit.centre_lat
        elif post.get("address_string"):
            raise Open311Error(
                400,
                "This server cannot look up addresses offline: send lat and long, or an "
                "address_id (a grid or community code).",
            )
        else:
            raise Open311Error(400, "A location is required: lat and long, or address_id.")
    answers = services.attributes_from_form(post)
    name = " ".join(
        part for part in (post.get("last_name", ""), post.get("first_name", "")) if part
    )
    event = services.report_event(
        actor=user,
        title=(description.splitlines()[0] if description else category.name)[:100],
        description=description,
        category=category,
        lon=lon,
        lat=lat,
        address=post.get("address_string", ""),
        source=Source.API,
        reporter_name=name,
        reporter_phone=post.get("phone", ""),
        attributes=answers,
        photos=request.FILES.getlist("media"),
        at=at,
        closure_due=closure_due,
        media_url=media_url,
    )
    if at is not None:
        progress.leave_past_deadlines(event)
    else:
        # 智能分拨: straight to the suggested department when the category allows it. Not for a
        # request replayed with its source's own time: a step at today's time would put its
        # log out of order (as for the deadlines above).
        event = services.route_automatically(event) or event
    # The spec: service_request_id or token, not both. The id is known at once, so no token
    # (GET tokens still answers tokens made before). No account_id: civicgrid has none to give.
    data = [
        {
            "service_request_id": event.number,
            "service_notice": _("Expected to be closed by %(when)s.")
            % {"when": timezone.localtime(event.closure_due).strftime("%Y-%m-%d %H:%M")},
        }
    ]
    return render(fmt, "service_requests", data, status=201)


@endpoint(["GET"])
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    user = _client(request, required=False)
    event = selectors.events_or_public(user).filter(number=number).first()
    if event is None:
        raise Open311Error(404, f"No service request {number!r}.")
    return render(fmt, "service_requests", _requests(request, [event], user))


# Open311's `token` names a new request until its id is known. Ours is the request's number,
# signed: never the resident's tracking token, which would let the client rate as the resident.
TOKEN_SALT = "civicgrid.open311.token"


def request_token(event: Event) -> str:
    return signing.Signer(salt=TOKEN_SALT).sign(event.number)


@endpoint(["GET"])
def token(request: HttpRequest, value: str, fmt: str) -> HttpResponse:
    try:
        number = signing.Signer(salt=TOKEN_SALT).unsign(value)
    except signing.BadSignature:
        raise Open311Error(404, "No such token.") from None
    if not Event.objects.filter(number=number).exists():
        raise Open311Error(404, "No such token.")
    return render(fmt, "service_requests", [{"service_request_id": number, "token": value}])


# ---- the Service Request Updates extension ------------------------------------------------------


def _step_media_url(step: EventStep) -> str | None:
    value = (step.details or {}).get("media_url")
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


@endpoint(["GET", "POST"])
def updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: the public steps of visible events in a period. POST: a department's (or the
    community's) system reports progress — IN_PROGRESS, FIXED or CLOSED — carried through the
    workflow as far as the key's user may go (events/progress.py)."""
    if request.method == "POST":
        return _push_update(request, fmt)
    user = _client(request, required=False)
    now = timezone.now()
    end = _parse_date(request.GET["end_date"], "end_date") if request.GET.get("end_date") else now
    start = (
        _parse_date(request.GET["start_date"], "start_date")
        if request.GET.get("start_date")
        else end - dt.timedelta(days=1)
    )
    if end - start > MAX_SPAN or end < start:
        raise Open311Error(400, "start_date and end_date may be at most 90 days apart.")
    steps = (
        selectors.public_steps(selectors.events_or_public(user))
        .filter(at__range=(start, end))
        .select_related("event", "event__category")
        .order_by("id")[:MAX_ROWS]
    )
    data = [
        {
            "update_id": str(step.pk),
            "service_request_id": step.event.number,
            "status": _status(step.to_status),
            "updated_datetime": _iso(step.at),
            "description": step.note or str(A(step.action).label),
            # The client's own links, for keyed clients and public events (as photos).
            "media_url": _step_media_url(step)
            if user is not None and step.event.category.public
            else None,
        }
        for step in steps
    ]
    return render(fmt, "service_request_updates", data)


def _fingerprint(post) -> str:
    fields = ["service_request_id", "status", "description", "updated_datetime", "media_url"]
    content = json.dumps([post.get(name, "") for name in fields], ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()


def _update_id(value: str | None) -> str:
    value = (value or "").strip()
    if value and (len(value) > 100 or not value.isprintable()):
        raise Open311Error(400, "update_id is 1 to 100 printable characters.")
    return value


def _push_update(request: HttpRequest, fmt: str) -> HttpResponse:
    token = _token(request, required=True)
    assert token is not None
    user = token.user
    post = request.POST
    update_id = _update_id(post.get("update_id"))
    fingerprint = _fingerprint(post)
    if update_id:
        earlier = Open311Update.objects.filter(user=user, update_id=update_id).first()
        if earlier is not None:
            return _replay(earlier, fingerprint, fmt)
    event = selectors.events_for(user).filter(number=post.get("service_request_id", "")).first()
    if event is None:
        raise Open311Error(404, "No such service request for this api_key.")
    status = post.get("status", "").strip().upper()
    if status not in {"IN_PROGRESS", "FIXED", "CLOSED"}:
        raise Open311Error(400, "status must be IN_PROGRESS, FIXED or CLOSED.")
    note = _description(post.get("description"))
    media_url = _media_url(post.get("media_url"))
    at = _given_time(token, post.get("updated_datetime"), "updated_datetime")
    if at is not None:
        at = progress.checked_time(event, at, field_name="updated_datetime")
    try:
        with transaction.atomic():
            claim = None
            if update_id:
                # Written first: the same update_id sent twice at once lets one through.
                claim = Open311Update.objects.create(
                    user=user,
                    update_id=update_id,
                    fingerprint=fingerprint,
                    event=event,
                    created_at=timezone.now(),
                )
            if status == "IN_PROGRESS":
                result = progress.start_work(user, event, at=at, note=note)
            else:
                result = progress.carry_to_closed(
                    user,
                    event,
                    at=at,
                    note=note,
                    photos=request.FILES.getlist("media"),
                    media_urls=[media_url] if media_url else [],
                )
            if not result.steps:
                # Nothing this key's user may do (their own resolution waits for another's
                # check): no new update to name, and nothing kept under the update_id.
                raise Open311Error(409, str(result.stopped))
            step = EventStep.objects.filter(event_id=event.pk).order_by("-id").first()
            assert step is not None  # the step just taken
            reply = {
                "update_id": str(step.pk),
                "service_request_id": result.event.number,
                "status": _status(result.event.status),
                "status_notes": result.stopped or str(Status(result.event.status).label),
            }
            if claim is not None:
                claim.reply = reply
                claim.save(update_fields=["reply"])
    except IntegrityError:
        # The same update_id was claimed at the same moment: answer what that request did.
        earlier = Open311Update.objects.filter(user=user, update_id=update_id).first()
        if earlier is None:
            raise
        return _replay(earlier, fingerprint, fmt)
    return render(fmt, "service_request_updates", [reply], status=201)


def _replay(earlier: Open311Update, fingerprint: str, fmt: str) -> HttpResponse:
    """The answer to an update_id sent again: the first answer, no new step."""
    if earlier.fingerprint != fingerprint:
        raise Open311Error(400, "This update_id was already used for a different update.")
    return render(fmt, "service_request_updates", [earlier.reply], status=201)
