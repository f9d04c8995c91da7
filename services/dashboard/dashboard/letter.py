"""The letter for the client (PDF): the decision, its main reasons in plain words, for a refusal the
change that would get a grant and the client's rights under GDPR Art. 22(3) (a person's review,
their point of view, contest), for a grant how to ask questions; in every case how to reach the
lender and the right to complain to the CNIL.

Reasons as the client file shows them, in a client's words (dashboard.client_reasons).

`letter` is pure: the explanation the client file shows, the client's facts, the simulation's
suggestion and a language in, PDF bytes out; `letter_for` gathers them from a client file (it runs
the simulation). Texts from the catalogue (labels/<lang>/letter.json). The font is DejaVu Sans as
matplotlib (a dependency) ships it, so every character of both languages (é, ç, œ, €, no-break
spaces) renders on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from credit.events import ApplicationExplained, now
from credit.explain.wording import money
from credit.simulation import AMOUNT, Suggestion
from dashboard.catalogue import words
from dashboard.client_reasons import main_reasons, plain
from dashboard.formats import repayments
from dashboard.store import ClientFileRecord

# style: font size (pt), weight, space before, after (mm)
STYLES = {
    "lender": (15, "B", 0, 1),
    "small": (9, "", 0, 0.5),
    "title": (13, "B", 5, 2),
    "heading": (11, "B", 2, 1),
    "text": (10, "", 0, 2.5),
    "item": (10, "", 0, 1),
    "closing": (10, "", 0, 1),
}


@dataclass(frozen=True)
class Facts:
    """What the letter says besides the explanation."""

    client_id: int
    application_id: str
    amount: float | None  # the loan asked for (AMT_CREDIT)
    annuity: (
        float | None
    )  # one repayment of it (AMT_ANNUITY, "Loan annuity": how often, the data does not say)
    submitted_at: datetime | None
    in_force: str | None  # granted or refused; None: a reviewer still has to decide
    reviewed_at: datetime | None  # when a person decided it, if one did
    written_on: date


def facts_of(found: ClientFileRecord, written_on: date) -> Facts:
    """The facts of a client file as `Store.client_file` gives it."""
    application, reviews = found.application, found.reviews
    return Facts(
        found.decision.client_id,
        found.application_id,
        application and application.AMT_CREDIT,
        application and application.AMT_ANNUITY,
        application and application.submitted_at,
        found.in_force,
        reviews[-1].reviewed_at if reviews else None,
        written_on,
    )


def written(day: date, lang: str) -> str:
    text = words("letter")[lang]
    number = text["day_one"] if day.day == 1 else str(day.day)
    return text["date"].format(day=number, month=text["months"][day.month - 1], year=day.year)


def blocks(
    explanation: ApplicationExplained,
    facts: Facts,
    suggestion: Suggestion | None,
    lang: str,
    contact: str | None = None,
) -> list[tuple[str, str]]:
    """The letter as (style, text) blocks, in order; `contact`: how to reach the lender (default:
    the catalogue's)."""
    text, case = words("letter")[lang], facts.in_force or "to_review"
    loan = (
        text["loan"].format(amount=money(facts.amount, lang))
        if facts.amount
        else text["loan_unknown"]
    )
    received = (
        text["received"].format(date=written(facts.submitted_at.date(), lang))
        if facts.submitted_at
        else ""
    )
    out = [
        ("lender", text["lender"]),
        ("small", text["service"]),
        ("small", text["on"].format(date=written(facts.written_on, lang))),
        ("small", text["client_ref"].format(client=facts.client_id)),
        ("small", text["application_ref"].format(application=facts.application_id)),
        ("title", text["title"]),
        ("heading", text["subject"]),
        ("text", text["greeting"]),
        ("text", text["decision"][case].format(loan=loan, received=received)),
    ]
    if facts.in_force:
        out.append(
            (
                "text",
                text["reviewed"].format(date=written(facts.reviewed_at.date(), lang))
                if facts.reviewed_at
                else text["automated"],
            )
        )
    out += [("heading", text["reasons"][case]), ("text", text["risk"])]
    out += [("item", plain(r.text[lang], lang)) for r in main_reasons(explanation, facts.in_force)]
    if facts.in_force == "refused" and suggestion:
        out += [
            ("heading", text["suggestion_title"]),
            ("text", suggested(suggestion, facts, lang)),
            ("text", text["suggest_next"]),
        ]
    return (
        out
        + _rights(facts, lang, contact or text["contact"])
        + [
            ("text", text["cnil"]),
            ("closing", text["closing"]),
            ("closing", f"{text['service']}, {text['lender']}"),
        ]
    )


def _rights(facts: Facts, lang: str, contact: str) -> list[tuple[str, str]]:
    """A grant: how to ask questions; otherwise the right to a person's review, to be heard and to
    contest, and how."""
    text, reference = (
        words("letter")[lang],
        {"contact": contact, "application": facts.application_id},
    )
    if facts.in_force == "granted":
        return [
            ("heading", text["questions_title"]),
            ("text", text["questions"].format(**reference)),
        ]
    return [
        ("heading", text["rights_title"]),
        ("text", text["rights"] if facts.in_force else text["rights_to_review"]),
        ("text", text["how"].format(**reference)),
        ("text", text["then"]),
    ]


def suggested(suggestion: Suggestion, facts: Facts, lang: str) -> str:
    """The smallest change found that would get a grant: a smaller amount, or more repayments
    (annuities)."""
    text, new = words("letter")[lang], suggestion.changes
    if suggestion.kind == AMOUNT:
        return text["suggest_amount"].format(
            amount=money(new["AMT_CREDIT"], lang), asked=money(facts.amount, lang)
        )
    return text["suggest_term"].format(
        repayments=repayments(suggestion.repayments, lang),
        annuity=money(new["AMT_ANNUITY"], lang),
        asked=repayments(facts.amount / facts.annuity, lang),
        asked_annuity=money(facts.annuity, lang),
    )


def letter(
    explanation: ApplicationExplained,
    facts: Facts,
    suggestion: Suggestion | None,
    lang: str,
    contact: str | None = None,
) -> bytes:
    """The letter as PDF bytes, one A4 page for the usual eight reasons."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(22, 15, 22)
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(words("letter")[lang]["title"])
    pdf.set_lang(lang)
    for weight, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
        pdf.add_font("dejavu", weight, _font(name))
    pdf.add_page()
    for style, line in blocks(explanation, facts, suggestion, lang, contact):
        size, weight, before, after = STYLES[style]
        pdf.ln(before)
        pdf.set_font("dejavu", weight, size)
        if style == "item":
            pdf.cell(6, size * 0.5, "•")
        pdf.multi_cell(0, size * 0.5, line, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(after)
    return bytes(pdf.output())


def letter_for(context, found: ClientFileRecord, lang: str) -> bytes:
    """The letter of a client file (`Store.client_file`) with an explanation; a refusal's suggestion
    simulated; the lender's contact from the settings (DASHBOARD_LETTER_CONTACT)."""
    refused = found.in_force == "refused" and found.application is not None
    suggestion = (
        context.simulator.smallest_grant(found.application, found.decision.review_band)
        if refused
        else None
    )
    settings = getattr(context, "settings", None)
    contact = settings.letter_contact.get(lang) if settings else None
    return letter(found.explanation, facts_of(found, now().date()), suggestion, lang, contact)


def _font(name: str) -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
