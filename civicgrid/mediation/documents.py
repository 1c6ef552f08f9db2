"""The printable documents of a mediation case, in the layouts used under the People's
Mediation Law (人民调解法): the application with its registration form (人民调解申请书 /
受理登记表), the record of a session (人民调解笔录) and the agreement (人民调解协议书).

Each document is built once as plain blocks (`build`), then rendered as HTML with a print
stylesheet (the view's template) or as a PDF (`pdf`) with reportlab in the Adobe CID font
STSong-Light, which every PDF reader carries, so no font ships with the site.

A document names the parties by name, gender, age and address only: never a phone or an ID
number, which stay sealed."""

import functools
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from civicgrid.core.errors import Conflict
from civicgrid.mediation import selectors, services
from civicgrid.mediation.models import Case, CaseParty, DocumentKind, PartyRole, Session

KINDS = (DocumentKind.APPLICATION, DocumentKind.RECORD, DocumentKind.AGREEMENT)

# The clause of 人民调解法 第三十一条 printed on every agreement.
LEGAL_EFFECT = gettext_noop(
    "An agreement reached through mediation by a people's mediation committee is legally "
    "binding; the parties shall perform it as agreed."
)


@dataclass
class Block:
    """One piece of a document, top to bottom. `kind` is one of: title, number, parties,
    fields, section, para, signatures, seal, pagebreak."""

    kind: str
    text: str = ""
    heading: str = ""  # a section's heading; a seal's date
    rows: Sequence[tuple[str, str]] = ()


@dataclass
class Document:
    kind: str
    title: str
    number: str
    committee: str
    blocks: list[Block] = field(default_factory=list)
    sessions: Sequence[Session] = ()  # a record: the case's sessions, to pick another
    session: Session | None = None

    def filename(self, case: Case) -> str:
        suffix = f"-{self.session.pk}" if self.session is not None else ""
        return f"{case.number}-{self.kind}{suffix}.pdf"


def committee_of(case: Case) -> str:
    return _("People's mediation committee of %(unit)s") % {"unit": case.unit.name}


def _day(moment) -> str:
    if moment is None:
        return _("____ (year) __ (month) __ (day)")
    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


def _party_line(party: CaseParty) -> tuple[str, str]:
    """(role, "name, gender, age, address") — the phone is never printed."""
    parts = [party.name]
    if party.gender:
        parts.append(_("gender: %(gender)s") % {"gender": party.get_gender_display()})
    if party.age is not None:
        parts.append(_("age: %(age)s") % {"age": party.age})
    if party.address:
        parts.append(_("address: %(address)s") % {"address": party.address})
    return party.get_role_display(), pgettext("field separator", ", ").join(parts)


def _names(names: Iterable[str]) -> str:
    return pgettext("list separator", ", ").join(names) or "—"


def _mediators(case: Case) -> list[str]:
    names = [case.lead.name] if case.lead is not None else []
    return names + [helper.name for helper in case.helpers.all() if helper.pk != case.lead_id]


def _head(case: Case, kind: str, title: str) -> Document:
    number = services.document_number(case)
    return Document(
        kind=kind,
        title=title,
        number=number,
        committee=committee_of(case),
        blocks=[Block("title", title), Block("number", number)],
    )


def _application(case: Case, parties: list[CaseParty]) -> Document:
    doc = _head(case, DocumentKind.APPLICATION, _("People's mediation application"))
    blocks = doc.blocks
    blocks.append(Block("parties", rows=[_party_line(party) for party in parties]))
    blocks.append(Block("section", case.facts, heading=_("Brief facts of the dispute")))
    blocks.append(Block("section", case.request or "—", heading=_("What the applicant asks for")))
    blocks.append(
        Block(
            "para",
            _(
                "I (we) apply of my (our) own free will to the people's mediation committee "
                "for mediation of this dispute, and undertake that what is stated above is true."
            ),
        )
    )
    applicants = [p for p in parties if p.role == PartyRole.APPLICANT] or parties
    blocks.append(
        Block(
            "signatures",
            rows=[(_("Applicant (signature or fingerprint)"), p.name) for p in applicants]
            + [(_("Date"), _day(case.received_at))],
        )
    )
    # The committee's registration form (受理登记表), on a page of its own.
    blocks.append(Block("pagebreak"))
    blocks.append(Block("title", _("People's mediation registration form")))
    blocks.append(Block("number", doc.number))
    received_by = str(case.received_by) if case.received_by_id else "—"
    amount = (
        _("%(amount)s yuan") % {"amount": formats.number_format(case.amount, 2)}
        if case.amount is not None
        else "—"
    )
    blocks.append(
        Block(
            "fields",
            rows=[
                (_("Case number"), case.number),
                (_("Dispute"), case.title),
                (_("Kind of dispute"), case.get_kind_display()),
                (_("Came in through"), case.get_channel_display()),
                (_("Received on"), _day(case.received_at)),
                (_("Received by"), received_by),
                (_("Parties"), _names(f"{p.get_role_display()} {p.name}" for p in parties)),
                (_("Amount involved"), amount),
                (_("People affected"), str(case.people_affected)),
                (_("Risk"), case.get_risk_display()),
                (_("Mediators"), _names(_mediators(case))),
                (_("Accepted on"), _day(case.accepted_at) if case.accepted_at else "—"),
            ],
        )
    )
    blocks.append(
        Block("signatures", rows=[(_("Registered by (signature)"), received_by), (_("Date"), "")])
    )
    blocks.append(Block("seal", doc.committee))
    return doc


def _record(case: Case, parties: list[CaseParty], session: Session) -> Document:
    doc = _head(case, DocumentKind.RECORD, _("People's mediation record"))
    present = list(session.parties.all()) or parties
    mediators = [m.name for m in session.mediators.all()]
    held = timezone.localtime(session.held_at)
    doc.blocks.append(
        Block(
            "fields",
            rows=[
                (_("When held"), formats.date_format(held, "DATETIME_FORMAT")),
                (_("Where held"), session.where or "—"),
                (_("Dispute"), f"{case.title}（{case.number}）"),
                (_("Mediators"), _names(mediators)),
                (_("Parties present"), _names(f"{p.get_role_display()} {p.name}" for p in present)),
                (_("Others present"), session.others or "—"),
                (_("Recorded by"), str(session.recorded_by) if session.recorded_by_id else "—"),
            ],
        )
    )
    doc.blocks.append(Block("section", session.notes, heading=_("Record of the session")))
    doc.blocks.append(
        Block(
            "para",
            _(
                "The parties have read this record (or had it read to them) and confirm that "
                "it is correct."
            ),
        )
    )
    rows = [(_("Party (signature or fingerprint)"), p.name) for p in present]
    rows += [(_("Mediator (signature)"), name) for name in mediators]
    recorder = str(session.recorded_by) if session.recorded_by_id else ""
    rows.append((_("Recorded by (signature)"), recorder))
    doc.blocks.append(Block("signatures", rows=rows))
    doc.blocks.append(Block("seal", doc.committee, heading=_day(session.held_at)))
    return doc


def _agreement(case: Case, parties: list[CaseParty]) -> Document:
    if case.agreed is not True or not case.agreement:
        raise Conflict(
            _("No agreement has been reached in this case: there is no agreement to print.")
        )
    doc = _head(case, DocumentKind.AGREEMENT, _("People's mediation agreement"))
    blocks = doc.blocks
    blocks.append(Block("parties", rows=[_party_line(party) for party in parties]))
    facts = case.facts
    if case.request:
        facts += "\n" + _("Issue in dispute: %(request)s") % {"request": case.request}
    blocks.append(
        Block("section", facts, heading=_("Main facts of the dispute and issues in dispute"))
    )
    blocks.append(
        Block(
            "section",
            case.agreement,
            heading=_("Through mediation, the parties agreed of their own free will:"),
        )
    )
    blocks.append(
        Block(
            "section",
            case.performance or _("As set out in the terms above."),
            heading=_("How and when the agreement is performed"),
        )
    )
    blocks.append(Block("para", _(LEGAL_EFFECT)))
    blocks.append(
        Block(
            "para",
            _(
                "This agreement takes effect on the day the parties have signed it (or sealed "
                "it or set their fingerprints on it), the mediator has signed it and the "
                "people's mediation committee has sealed it."
            ),
        )
    )
    copies = len(parties) + 1
    blocks.append(
        Block(
            "para",
            _(
                "This agreement is made in %(copies)s copies: each party holds one and the "
                "people's mediation committee keeps one."
            )
            % {"copies": copies},
        )
    )
    rows = [
        (
            _("%(role)s (signature, seal or fingerprint)") % {"role": p.get_role_display()},
            p.name,
        )
        for p in parties
    ]
    rows += [(_("Mediator (signature)"), name) for name in _mediators(case)]
    blocks.append(Block("signatures", rows=rows))
    blocks.append(Block("seal", doc.committee, heading=_day(case.ended_at)))
    return doc


def build(case: Case, kind: str, *, session: str | None = None) -> Document:
    """The document `kind` of `case`. A record is of the session `session` (an id), by default
    the latest; Conflict when the case has no such document yet (no session, no agreement).
    The caller has checked that the user sees the case (selectors.case_for)."""
    parties = selectors.parties_of(case)
    if kind == DocumentKind.APPLICATION:
        return _application(case, parties)
    if kind == DocumentKind.AGREEMENT:
        return _agreement(case, parties)
    if kind != DocumentKind.RECORD:
        raise ValueError(kind)
    sessions = list(selectors.sessions_of(case).select_related("recorded_by"))
    if not sessions:
        raise Conflict(_("No session has been recorded in this case: there is no record yet."))
    chosen = sessions[-1]
    if session:
        chosen = next((s for s in sessions if str(s.pk) == session), None)  # type: ignore[assignment]
        if chosen is None:
            raise LookupError(session)
    doc = _record(case, parties, chosen)
    doc.sessions, doc.session = sessions, chosen
    return doc


# ---- PDF -------------------------------------------------------------------------------------

FONT = "STSong-Light"


@functools.cache
def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _markup(text: str) -> str:
    """Plain text as reportlab paragraph markup: escaped, line breaks kept."""
    return "<br/>".join(escape(line) for line in str(text).splitlines() or [""])


def pdf(doc: Document) -> bytes:
    """The document as an A4 PDF."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    _register_font()
    base = ParagraphStyle(
        "body", fontName=FONT, fontSize=12, leading=19, wordWrap="CJK", alignment=TA_JUSTIFY
    )
    title = ParagraphStyle(
        "title", parent=base, fontSize=22, leading=30, alignment=TA_CENTER, spaceAfter=4 * mm
    )
    number = ParagraphStyle("number", parent=base, fontSize=11, alignment=TA_RIGHT)
    heading = ParagraphStyle("heading", parent=base, fontSize=13, spaceBefore=3 * mm)
    text = ParagraphStyle("text", parent=base, firstLineIndent=24)
    clause = ParagraphStyle("clause", parent=text, spaceBefore=2 * mm)
    cell = ParagraphStyle("cell", parent=base, fontSize=11, leading=17)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    width = A4[0] - 50 * mm
    story: list = []
    ending: list = []  # the signatures and the seal, kept on one page
    for block in doc.blocks:
        if block.kind == "title":
            story.append(Paragraph(_markup(block.text), title))
        elif block.kind == "number":
            story += [Paragraph(_markup(block.text), number), Spacer(0, 4 * mm)]
        elif block.kind == "parties":
            for role, line in block.rows:
                story.append(Paragraph(f"{escape(role)}：{_markup(line)}", base))
        elif block.kind == "section":
            story.append(Paragraph(_markup(block.heading), heading))
            story += [Paragraph(_markup(line), text) for line in block.text.splitlines() or [""]]
        elif block.kind == "para":
            story.append(Paragraph(_markup(block.text), clause))
        elif block.kind == "fields":
            table = Table(
                [[Paragraph(_markup(k), cell), Paragraph(_markup(v), cell)] for k, v in block.rows],
                colWidths=[32 * mm, width - 32 * mm],
            )
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
                    ]
                )
            )
            story += [table, Spacer(0, 3 * mm)]
        elif block.kind == "signatures":
            rows = [
                [Paragraph(_markup(label), cell), Paragraph(_markup(name), cell), ""]
                for label, name in block.rows
            ]
            table = Table(rows, colWidths=[width * 0.45, width * 0.2, width * 0.35])
            table.setStyle(
                TableStyle(
                    [
                        ("LINEBELOW", (2, 0), (2, -1), 0.6, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                        ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                    ]
                )
            )
            ending += [Spacer(0, 6 * mm), table]
        elif block.kind == "seal":
            ending += [Spacer(0, 10 * mm), Paragraph(_markup(block.text + _("(seal)")), right)]
            if block.heading:
                ending.append(Paragraph(_markup(block.heading), right))
        elif block.kind == "pagebreak":
            story += [KeepTogether(ending), PageBreak()]
            ending = []

    if ending:
        story.append(KeepTogether(ending))

    def footer(canvas, page) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {page.page} —")
        canvas.restoreState()

    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=22 * mm,
        title=f"{doc.title} {doc.number}",
        author=doc.committee,
        creator="civicgrid",
    )
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
