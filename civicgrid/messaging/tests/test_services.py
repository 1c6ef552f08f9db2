"""The sending layer: the send log keeps no address or code in clear, consent and opt-out
decide what is sent, failures are retried on a backoff, codes are short-lived, single-use,
limited and stored hashed."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from civicgrid.core import limits
from civicgrid.core.errors import InvalidInput
from civicgrid.messaging import services
from civicgrid.messaging.models import (
    Channel,
    CodePurpose,
    Consent,
    Message,
    Purpose,
    Status,
    VerificationCode,
)
from civicgrid.messaging.senders import FileSender, Outgoing, SendError

PHONE = "13912345678"


class Broken:
    name = "broken"

    def send(self, message):
        raise SendError("gateway down")


def _columns(row) -> str:
    return " ".join(str(getattr(row, f.attname)) for f in row._meta.concrete_fields)


def test_it_sends_and_logs_only_the_masked_and_hashed_recipient(db, outbox):
    message = services.send(
        channel=Channel.SMS,
        to="139 1234 5678",
        text="hello",
        purpose=Purpose.VERIFICATION,
        urgent=True,
    )
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 1 and message.sent_at
    assert [(m.to, m.text) for m in outbox] == [(PHONE, "hello")]
    assert message.recipient_masked == "139****5678"
    assert PHONE not in _columns(message) and "hello" not in _columns(message)
    assert message.sealed == ""


def test_it_queues_non_urgent_messages_for_the_task_queue(
    db, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send(
            channel=Channel.EMAIL,
            to="Ann@Example.org",
            text="news",
            purpose=Purpose.SERVICE,
            subject="Report 12",
        )
        assert outbox == []
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert outbox[0].to == "ann@example.org" and outbox[0].subject == "Report 12"
    assert "news" in outbox[0].text and "/m/opt-out/" in outbox[0].text  # the opt-out link
    assert message.recipient_masked == "a***@example.org"


def test_it_skips_an_opted_out_recipient_but_still_sends_codes(db, outbox):
    services.opt_out(to=PHONE, purpose=Purpose.SERVICE)
    skipped = services.send(channel=Channel.SMS, to=PHONE, text="x", purpose=Purpose.SERVICE)
    assert skipped.status == Status.SKIPPED and skipped.sealed == ""
    assert outbox == []
    services.send(
        channel=Channel.SMS, to=PHONE, text="123456", purpose=Purpose.VERIFICATION, urgent=True
    )
    assert len(outbox) == 1
    with pytest.raises(InvalidInput):
        services.opt_out(to=PHONE, purpose=Purpose.VERIFICATION)


def test_notices_need_consent(db, outbox):
    assert (
        services.send(channel=Channel.SMS, to=PHONE, text="x", purpose=Purpose.NOTICE).status
        == Status.SKIPPED
    )
    services.give_consent(to=PHONE, purpose=Purpose.NOTICE)
    assert services.allowed(Consent.objects.get().recipient_hash, Purpose.NOTICE)


def test_a_failed_message_is_retried_on_the_backoff_then_given_up(db, settings, outbox):
    settings.MESSAGING_SENDER = f"{__name__}.Broken"
    settings.MESSAGING_RETRY_DELAYS = [60, 300]
    message = services.send(
        channel=Channel.SMS, to=PHONE, text="x", purpose=Purpose.VERIFICATION, urgent=True
    )
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        Status.QUEUED,
        1,
        "gateway down",
    )
    first_retry = message.next_attempt_at
    assert first_retry > timezone.now() + dt.timedelta(seconds=50)
    assert services.retry_due() == 0  # not yet due
    assert services.retry_due(now=first_retry) == 0
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at > first_retry + dt.timedelta(
        seconds=250
    )
    services.retry_due(now=message.next_attempt_at)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sealed) == (Status.FAILED, 3, "")


def test_a_retry_delivers_once_the_sender_works_again(db, settings, outbox):
    settings.MESSAGING_SENDER = f"{__name__}.Broken"
    message = services.send(
        channel=Channel.SMS, to=PHONE, text="x", purpose=Purpose.VERIFICATION, urgent=True
    )
    message.refresh_from_db()
    settings.MESSAGING_SENDER = "memory"
    assert services.retry_due(now=message.next_attempt_at) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2 and len(outbox) == 1


def test_the_file_sender_writes_a_private_file(settings, tmp_path):
    settings.MESSAGING_FILE = tmp_path / "outbox.log"
    FileSender().send(Outgoing("sms", PHONE, "你好"))
    assert "你好" in settings.MESSAGING_FILE.read_text(encoding="utf-8")
    assert os.stat(settings.MESSAGING_FILE).st_mode & 0o077 == 0


# ---- verification codes ------------------------------------------------------------------------


def test_a_code_is_accepted_once(db, sent_code):
    services.request_code(phone=PHONE, purpose=CodePurpose.ENROL, ip="10.0.0.1")
    code = sent_code(PHONE)
    with pytest.raises(InvalidInput):
        services.check_code(phone=PHONE, purpose=CodePurpose.ORDER, code=code)  # other purpose
    services.check_code(phone=PHONE, purpose=CodePurpose.ENROL, code=code)
    with pytest.raises(InvalidInput):
        services.check_code(phone=PHONE, purpose=CodePurpose.ENROL, code=code)


def test_a_code_is_stored_hashed(db, sent_code):
    message = services.request_code(phone=PHONE, purpose=CodePurpose.ENROL, ip="10.0.0.1")
    code = sent_code(PHONE)
    row = VerificationCode.objects.get()
    assert code not in _columns(row) and PHONE not in _columns(row)
    message.refresh_from_db()
    assert code not in _columns(message)


def test_an_expired_code_is_refused(db, sent_code):
    services.request_code(phone=PHONE, purpose=CodePurpose.ENROL, ip="10.0.0.1")
    VerificationCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(InvalidInput):
        services.check_code(phone=PHONE, purpose=CodePurpose.ENROL, code=sent_code(PHONE))


def test_wrong_tries_kill_a_code(db, settings, sent_code):
    settings.VERIFICATION_CODE_TRIES = 3
    services.request_code(phone=PHONE, purpose=CodePurpose.ENROL, ip="10.0.0.1")
    code = sent_code(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(3):
        with pytest.raises(InvalidInput):
            services.check_code(phone=PHONE, purpose=CodePurpose.ENROL, code=wrong)
    with pytest.raises(InvalidInput):
        services.check_code(phone=PHONE, purpose=CodePurpose.ENROL, code=code)


def test_a_new_code_replaces_the_old_one(db, sent_code):
    services.request_code(phone=PHONE, purpose=CodePurpose.ENROL, ip="10.0.0.1")
    old = sent_code(PHONE)
    services.request_code(phone=PHONE, purpose=CodePurpose.ENROL, ip="10.0.0.1")
    new = sent_code(PHONE)
    if old != new:
        with pytest.raises(InvalidInput):
            services.check_code(phone=PHONE, purpose=CodePurpose.ENROL, code=old)
    services.check_code(phone=PHONE, purpose=CodePurpose.ENROL, code=new)


def test_codes_are_limited_per_phone_and_per_address(db, settings, outbox):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"code_phone": (2, 3600), "code_ip": (4, 3600)}
    for _ in range(2):
        services.request_code(phone=PHONE, purpose=CodePurpose.ENROL, ip="10.0.0.1")
    with pytest.raises(limits.TooMany):
        services.request_code(phone=PHONE, purpose=CodePurpose.ENROL, ip="10.0.0.1")
    services.request_code(phone="13912345679", purpose=CodePurpose.ENROL, ip="10.0.0.1")
    with pytest.raises(limits.TooMany):
        services.request_code(phone="13912345670", purpose=CodePurpose.ENROL, ip="10.0.0.1")
    assert len(outbox) == 3


def test_a_logged_in_user_needs_no_code(db, people):
    services.require_code(people["carol"], phone=PHONE, purpose=CodePurpose.ENROL, code="")
    with pytest.raises(InvalidInput):
        services.require_code(None, phone=PHONE, purpose=CodePurpose.ENROL, code="")
    assert Message.objects.count() == 0


def test_old_codes_are_purged(db, outbox):
    services.request_code(phone=PHONE, purpose=CodePurpose.ENROL, ip="10.0.0.1")
    assert services.purge_codes() == 0
    assert services.purge_codes(now=timezone.now() + dt.timedelta(days=2)) == 1


def test_a_misconfigured_sender_is_logged_as_a_failure(db, settings, outbox):
    settings.MESSAGING_SENDER = "no.such.Sender"
    message = services.send(
        channel=Channel.SMS, to=PHONE, text="x", purpose=Purpose.VERIFICATION, urgent=True
    )
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.attempts == 1 and message.last_error


def test_erasing_a_resident_leaves_no_trace_of_her_phone(db, outbox):
    from civicgrid.core import erasure, privacy

    services.opt_out(to=PHONE, purpose=Purpose.SERVICE)
    services.send(channel=Channel.SMS, to=PHONE, text="x", purpose=Purpose.NOTICE)
    services.request_code(phone=PHONE, purpose=CodePurpose.ENROL, ip="10.0.0.1")
    phone_hash = privacy.blind_index(PHONE)
    subject = erasure.Subject(person_id=0, name="张", unit_code="", phone_hash=phone_hash)

    erasure.erase(subject)

    assert not Consent.objects.exists() and not VerificationCode.objects.exists()
    assert Message.objects.exists()
    assert not Message.objects.filter(recipient_hash=phone_hash).exists()
    assert not Message.objects.exclude(recipient_masked="").exists()
