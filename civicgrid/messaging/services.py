"""The one way civicgrid reaches people: `send()` logs a message, checks the recipient's
consent, and has a sender deliver it (at once for urgent ones, else from the task queue), with
retries on a backoff. Verification codes (`request_code`, `check_code`) are sent through it.

Every app calls `send()`; none talks to a sender directly. Purposes and consent:
- verification codes are transactional and always sent;
- service messages (news of what the resident asked for) are sent unless they opted out;
- notices need the recipient's consent.

Users of the site are also reached in their in-app inbox: `notify()` is the one way any app
puts a notification there.
"""

import datetime as dt
import hmac
import json
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from civicgrid.core import jobs, limits, privacy
from civicgrid.core.errors import InvalidInput
from civicgrid.core.types import Actor, AuthUser
from civicgrid.messaging.models import (
    Channel,
    CodePurpose,
    Consent,
    Message,
    Notification,
    Purpose,
    Status,
    VerificationCode,
)
from civicgrid.messaging.senders import Outgoing, SendError, sender_for

log = logging.getLogger(__name__)

OPT_OUT_SALT = "civicgrid.messaging.opt_out"


# ---- recipients and consent --------------------------------------------------------------------


def recipient(channel: str, to: str) -> tuple[str, str, str]:
    """(address, keyed hash, masked form) of a phone number or an e-mail address; a phone's
    hash is the one its sealed copies carry (`SealedPhone.phone_hash`)."""
    if channel == Channel.SMS:
        phone = privacy.clean_phone(to)
        return phone, privacy.PHONE.index(phone), privacy.PHONE.mask(phone)
    if channel == Channel.EMAIL:
        address = (to or "").strip().lower()
        try:
            validate_email(address)
        except ValidationError as exc:
            raise InvalidInput(_("Enter a valid e-mail address."), field="email") from exc
        local, _at, domain = address.partition("@")
        return address, privacy.blind_index(address), f"{local[:1]}***@{domain}"
    raise InvalidInput(_("Choose a valid %(field)s.") % {"field": "channel"}, field="channel")


def allowed(recipient_hash: str, purpose: str) -> bool:
    """Whether a message of `purpose` may go to this recipient."""
    if purpose == Purpose.VERIFICATION:
        return True
    choice = (
        Consent.objects.filter(recipient_hash=recipient_hash, purpose=purpose)
        .values_list("granted", flat=True)
        .first()
    )
    if purpose == Purpose.SERVICE:
        return choice is not False
    return choice is True


def _choose(recipient_hash: str, purpose: str, granted: bool, source: str) -> Consent:
    if purpose == Purpose.VERIFICATION:
        raise InvalidInput(_("Verification codes cannot be turned off."), field="purpose")
    if purpose not in Purpose.values:
        raise InvalidInput(_("Choose a valid %(field)s.") % {"field": "purpose"}, field="purpose")
    consent, _created = Consent.objects.update_or_create(
        recipient_hash=recipient_hash,
        purpose=purpose,
        defaults={"granted": granted, "source": source[:20]},
    )
    return consent


@transaction.atomic
def opt_out(
    *,
    purpose: str,
    to: str = "",
    channel: str = Channel.SMS,
    recipient_hash: str = "",
    source: str = "resident",
) -> Consent:
    """The recipient (given by address or by hash, e.g. from an opt-out link) wants no more
    messages of `purpose`. Later sends of that purpose are skipped and logged as skipped."""
    if not recipient_hash:
        _address, recipient_hash, _masked = recipient(channel, to)
    return _choose(recipient_hash, purpose, False, source)


@transaction.atomic
def give_consent(
    *,
    purpose: str,
    to: str = "",
    channel: str = Channel.SMS,
    recipient_hash: str = "",
    source: str = "resident",
) -> Consent:
    """The recipient agrees to messages of `purpose` (needed for notices)."""
    if not recipient_hash:
        _address, recipient_hash, _masked = recipient(channel, to)
    return _choose(recipient_hash, purpose, True, source)


def opt_out_token(recipient_hash: str, purpose: str) -> str:
    return signing.dumps({"r": recipient_hash, "p": purpose}, salt=OPT_OUT_SALT, compress=True)


def read_opt_out_token(token: str) -> tuple[str, str]:
    """(recipient hash, purpose) of an opt-out link; a forged or damaged one is bad input."""
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
        return str(data["r"]), str(data["p"])
    except (signing.BadSignature, KeyError, TypeError) as exc:
        raise InvalidInput(_("This opt-out link is not valid."), field="token") from exc


def opt_out_url(recipient_hash: str, purpose: str) -> str:
    path = reverse("messaging:opt_out", args=[opt_out_token(recipient_hash, purpose)])
    return settings.SITE_URL.rstrip("/") + path


# ---- sending -----------------------------------------------------------------------------------


def send(
    *,
    channel: str,
    to: str,
    text: str,
    purpose: str,
    subject: str = "",
    urgent: bool = False,
) -> Message:
    """Send `text` to a phone (channel "sms") or an e-mail address ("email").

    The message is logged (recipient masked and hashed; address and text encrypted until
    delivered). A recipient who opted out of `purpose` (or never consented to notices) is
    skipped and logged as such. Urgent messages (codes) get their first attempt at once,
    in the caller, when it is not inside a transaction; others go to the task queue after the
    caller's transaction commits. Failed attempts are retried on MESSAGING_RETRY_DELAYS."""
    address, hashed, masked = recipient(channel, to)
    if purpose not in Purpose.values:
        raise InvalidInput(_("Choose a valid %(field)s.") % {"field": "purpose"}, field="purpose")
    if not allowed(hashed, purpose):
        return Message.objects.create(
            channel=channel,
            purpose=purpose,
            status=Status.SKIPPED,
            recipient_masked=masked,
            recipient_hash=hashed,
        )
    if purpose != Purpose.VERIFICATION:
        with translation.override(settings.LANGUAGE_CODE):
            text = f"{text}\n" + _("No more such messages: %(url)s") % {
                "url": opt_out_url(hashed, purpose)
            }
    sealed = json.dumps({"to": address, "subject": subject, "text": text}, ensure_ascii=False)
    message = Message.objects.create(
        channel=channel,
        purpose=purpose,
        recipient_masked=masked,
        recipient_hash=hashed,
        sealed=privacy.encrypt(sealed),
        next_attempt_at=timezone.now(),
    )
    if urgent and _outside_transactions():
        deliver(message.pk)
        message.refresh_from_db()
    else:
        # A queue that cannot be reached leaves the message queued and due: the minute's
        # retry_due_messages sends it once the queue is back (logged, never a 500).
        jobs.enqueue_on_commit(_enqueue, message.pk)
    return message


def _outside_transactions() -> bool:
    """Whether no transaction of the application is open (a test's wrapping transaction
    does not count, as for `atomic(durable=True)`): a sender must not run under a lock."""
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _enqueue(message_id: int) -> None:
    from civicgrid.messaging.tasks import deliver_message

    deliver_message(message_id)


def _max_attempts() -> int:
    return len(settings.MESSAGING_RETRY_DELAYS) + 1


def deliver(message_id: int, now: dt.datetime | None = None) -> bool:
    """One delivery attempt of a queued message that is due; True when it was sent.

    The attempt is claimed in a short transaction (its next attempt moved past the sender's
    timeout, so a crashed worker's message comes back by itself), the sender runs outside any
    transaction (no lock held during a network call), and the outcome is written after."""
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.SMS_TIMEOUT + 60)
    claimed = Message.objects.filter(
        pk=message_id, status=Status.QUEUED, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + lease)
    if not claimed:
        return False
    message = Message.objects.get(pk=message_id)
    data = json.loads(privacy.decrypt(message.sealed) or "{}")
    sender = None
    try:
        sender = sender_for(message.channel)  # a misconfigured sender is a failure too
        if not data:
            raise SendError("the message can no longer be decrypted")
        sender.send(Outgoing(message.channel, data["to"], data["text"], data.get("subject", "")))
    except Exception as exc:  # any sender failure is logged and retried, never lost
        error = str(exc)[:300] or type(exc).__name__
        log.warning("message %s to %s failed: %s", message.pk, message.recipient_masked, error)
        fields: dict[str, object] = {"last_error": error, "sender": sender.name if sender else ""}
        if message.attempts >= _max_attempts():
            fields |= {"status": Status.FAILED, "sealed": "", "next_attempt_at": None}
        else:
            delay = settings.MESSAGING_RETRY_DELAYS[message.attempts - 1]
            fields["next_attempt_at"] = now + dt.timedelta(seconds=delay)
        Message.objects.filter(pk=message.pk).update(**fields)
        return False
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        sealed="",
        next_attempt_at=None,
        last_error="",
        sender=sender.name,
    )
    return True


def retry_due(now: dt.datetime | None = None) -> int:
    """Attempt every queued message whose next attempt is due (the periodic job)."""
    now = now or timezone.now()
    due = Message.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
    return sum(deliver(pk, now) for pk in due.values_list("pk", flat=True)[:500])


# ---- verification codes ------------------------------------------------------------------------


def _code_hash(phone_hash: str, purpose: str, code: str) -> str:
    return privacy.blind_index(f"verification:{purpose}:{phone_hash}:{code}")


def request_code(*, phone: str, purpose: str, ip: str) -> Message:
    """Send a fresh code for `purpose` to `phone` (replacing the phone's earlier ones).
    Limited per address (code_ip) and per phone (code_phone); 429 past either."""
    phone = privacy.clean_phone(phone)
    if purpose not in CodePurpose.values:
        raise InvalidInput(_("Choose a valid %(field)s.") % {"field": "purpose"}, field="purpose")
    limits.hit("code_ip", ip, field="phone")
    limits.hit("code_phone", phone, field="phone")
    length = settings.VERIFICATION_CODE_LENGTH
    code = f"{secrets.randbelow(10**length):0{length}d}"
    phone_hash = privacy.PHONE.index(phone)
    now = timezone.now()
    minutes = settings.VERIFICATION_CODE_MINUTES
    with transaction.atomic():
        VerificationCode.objects.filter(
            phone_hash=phone_hash, purpose=purpose, used_at=None, expires_at__gt=now
        ).update(expires_at=now)
        VerificationCode.objects.create(
            phone_hash=phone_hash,
            purpose=purpose,
            code_hash=_code_hash(phone_hash, purpose, code),
            expires_at=now + dt.timedelta(minutes=minutes),
        )
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Your civicgrid code is %(code)s, valid for %(minutes)d minutes. Never share it.")
        text %= {"code": code, "minutes": minutes}
    return send(channel=Channel.SMS, to=phone, text=text, purpose=Purpose.VERIFICATION, urgent=True)


def check_code(*, phone: str, purpose: str, code: str) -> None:
    """Accept the phone's current code for `purpose` once, or raise InvalidInput (field "code").

    A wrong code counts against the code (VERIFICATION_CODE_TRIES wrong tries kill it); call
    this outside a transaction so the count is kept when the error propagates."""
    phone = privacy.clean_phone(phone)
    code = "".join((code or "").split())
    if not code:
        raise InvalidInput(_("Enter the code sent to your phone."), field="code")
    phone_hash = privacy.PHONE.index(phone)
    now = timezone.now()
    with transaction.atomic():
        row = (
            VerificationCode.objects.select_for_update()
            .filter(
                phone_hash=phone_hash,
                purpose=purpose,
                used_at=None,
                expires_at__gt=now,
                tries__lt=settings.VERIFICATION_CODE_TRIES,
            )
            .order_by("-id")
            .first()
        )
        right = row is not None and hmac.compare_digest(
            row.code_hash, _code_hash(phone_hash, purpose, code)
        )
        if row is not None:
            if right:
                row.used_at = now
            else:
                row.tries += 1
            row.save(update_fields=["used_at", "tries"])
    if not right:
        # One answer whether a code was asked for or not: it must not tell a stranger that
        # someone asked for a code for this phone a moment ago.
        raise InvalidInput(
            _("The code is wrong or expired: check it, or ask for a new one."), field="code"
        )


def require_code(user, *, phone: str, purpose: str, code: str) -> None:
    """The phone check of a public door: a logged-in user (an account made for a known person:
    staff, a volunteer, a party member) needs no code; anyone else gives the code sent to
    `phone`."""
    if user is not None and user.is_authenticated and user.is_active:
        return
    check_code(phone=phone, purpose=purpose, code=code)


def purge_codes(now: dt.datetime | None = None) -> int:
    """Delete codes that expired or were used more than a day ago (the periodic job)."""
    before = (now or timezone.now()) - dt.timedelta(days=1)
    deleted, _kinds = VerificationCode.objects.filter(expires_at__lt=before).delete()
    return deleted


# ---- the in-app inbox --------------------------------------------------------------------------


def notify(*, users: Iterable[AuthUser | int | None], text: str, link: str) -> None:
    """Put `text` in the inbox of each of `users` (users or user ids; each once, None skipped),
    pointing at `link`, a path on this site. Written in the caller's transaction, so a
    notification exists exactly when what it tells of does. No permission check: the caller
    decides who is told; the text is cut to the column's length."""
    if not link.startswith("/") or not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        raise ValueError(f"A notification links to a path on this site, not {link!r}.")
    text = text[: Notification._meta.get_field("text").max_length]
    user_ids = {user if isinstance(user, int) else user.pk for user in users if user is not None}
    Notification.objects.bulk_create(
        Notification(user_id=user_id, text=text, link=link) for user_id in user_ids
    )


@transaction.atomic
def mark_notifications_read(*, user: Actor) -> int:
    """Every unread notification of `user` read now; returns how many."""
    if user is None or not user.is_authenticated:
        return 0
    mine = Notification.objects.filter(user_id=user.pk, read_at=None)
    return mine.update(read_at=timezone.now())
