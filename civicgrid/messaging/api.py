"""Verification codes in the JSON API (/api/v1/messaging/…): a public client asks for a code
to be sent to the resident's phone, then passes it as `code` with the enrolment, order or
topic support."""

from django.http import HttpRequest
from ninja import Router, Schema, Status

from civicgrid.core import limits
from civicgrid.core.api import PUBLIC_ERRORS
from civicgrid.messaging import services
from civicgrid.messaging.models import CodePurpose

router = Router(tags=["messaging"])


class CodeIn(Schema):
    phone: str
    purpose: CodePurpose


class CodeOut(Schema):
    sent_to: str
    status: str


@router.post("/public/codes", response={202: CodeOut, **PUBLIC_ERRORS}, auth=None)
def request_code(request: HttpRequest, body: CodeIn):
    """Send a verification code for `purpose` (enrol, topic, order) to `phone`; it is valid
    for VERIFICATION_CODE_MINUTES and used once. Rate-limited per address and per phone."""
    message = services.request_code(
        phone=body.phone, purpose=body.purpose, ip=limits.client_ip(request)
    )
    return Status(202, CodeOut(sent_to=message.recipient_masked, status=message.status))
