"""The letter for the client (PDF): the decision, its main reasons in plain words, for a refusal the change that
would get a grant, and the client's rights under GDPR Art. 22(3) (a person's review, their point of view, contest).

`letter` is pure: the explanation the client file shows, the client's facts, the simulation's suggestion and a
language in, PDF bytes out; `letter_for` gathers them from a client file (it runs the simulation). Texts from the
catalogue (labels/<lang>/letter.json). The font is DejaVu Sans as matplotlib (a dependency) ships it, so every
character of both languages (é, ç, œ, €, no-break spaces) renders on any machine.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from credit.events import ApplicationExplained, now
from credit.explain.wording import counted, money
from dashboard.catalogue import words
from dashboard.simulation import AMOUNT, Suggestion, smallest_grant

# "(+8,6 pts)", "-0.0 pts", "3 points": model points are no words for a client
_POINTS = re.compile(r"\s*\([^()]*\d[^()]*\bp(?:oin)?ts?\b[^()]*\)|\s*[+\-−]?\d+(?:[.,]\d+)?\s*p(?:oin)?ts?\b",
                     re.IGNORECASE)
STYLES = {"lender": (15, "B", 0, 1), "small": (9, "", 0, 0.5), "title": (13, "B", 6, 3), "heading": (11, "B", 3, 1),
          "text": (10, "", 0, 3), "item": (10, "", 0, 1)}  # style: font size (pt), weight, space before, after (mm)


@dataclass(frozen=True)
class Facts:
    """What the letter says besides the explanation."""
    client_id: int
    application_id: str
    amount: float | None  # the loan asked for (AMT_CREDIT)
    annuity: float | None  # its monthly payment (AMT_ANNUITY)
    submitted_at: datetime | None
    in_force: str | None  # granted or refused; None: a reviewer still has to decide
    reviewed_at: datetime | None  # when a person decided it, if one did
    written_on: date


def facts_of(found: dict, written_on: date) -> Facts:
    """The facts of a client file as `Store.client_file` gives it."""
    application, reviews = found["application"], found["reviews"]
    return Facts(found["decision"].client_id, found["application_id"], application and application.AMT_CREDIT,
                 application and application.AMT_ANNUITY, application and application.submitted_at,
                 found["in_force"], reviews[-1].reviewed_at if reviews else None, written_on)


def plain(sentence: str) -> str:
    """A reason's sentence without model points."""
    return _POINTS.sub("", sentence).strip()


def written(day: date, lang: str) -> str:
    text = words("letter")[lang]
    number = text["day_one"] if day.day == 1 else str(day.day)
    return text["date"].format(day=number, month=text["months"][day.month - 1], year=day.year)


def main_reasons(explanation: ApplicationExplained, in_force: str | None) -> list:
    """A refusal's reasons are what raised the risk; a grant's, what lowered it; a pending case shows both."""
    wanted = {"refused": "raises", "granted": "lowers"}.get(in_force)
    chosen = [r for r in explanation.reasons if wanted in (None, r.direction)]
    return chosen or list(explanation.reasons)


def blocks(explanation: ApplicationExplained, facts: Facts, suggestion: Suggestion | None,
           lang: str) -> list[tuple[str, str]]:
    """The letter as (style, text) blocks, in order."""
    text, case = words("letter")[lang], facts.in_force or "to_review"
    loan = text["loan"].format(amount=money(facts.amount, lang)) if facts.amount else text["loan_unknown"]
    received = text["received"].format(date=written(facts.submitted_at.date(), lang)) if facts.submitted_at else ""
    out = [("lender", text["lender"]), ("small", text["service"]),
           ("small", text["on"].format(date=written(facts.written_on, lang))),
           ("small", text["references"].format(client=facts.client_id, application=facts.application_id)),
           ("title", text["title"]), ("heading", text["subject"]), ("text", text["greeting"]),
           ("text", text["decision"][case].format(loan=loan, received=received))]
    if facts.in_force:
        out.append(("text", text["reviewed"].format(date=written(facts.reviewed_at.date(), lang))
                    if facts.reviewed_at else text["automated"]))
    out += [("heading", text["reasons"][case])] + [("item", plain(r.text[lang]))
                                                    for r in main_reasons(explanation, facts.in_force)]
    if facts.in_force == "refused" and suggestion:
        out += [("heading", text["suggestion_title"]), ("text", suggested(suggestion, facts, lang)),
                ("text", text["suggest_next"])]
    rights = text["rights"] if facts.in_force else text["rights_to_review"]
    return out + [("heading", text["rights_title"]), ("text", rights),
                  ("text", text["how"].format(application=facts.application_id)), ("text", text["then"]),
                  ("text", text["closing"]), ("text", f"{text['service']}, {text['lender']}")]


def suggested(suggestion: Suggestion, facts: Facts, lang: str) -> str:
    """The smallest change found that would get a grant, in amounts and months."""
    text, new = words("letter")[lang], suggestion.changes
    if suggestion.kind == AMOUNT:
        return text["suggest_amount"].format(amount=money(new["AMT_CREDIT"], lang), asked=money(facts.amount, lang))
    months = lambda value: counted(round(value), "month", lang)  # noqa: E731
    return text["suggest_term"].format(months=months(suggestion.months), asked=months(facts.amount / facts.annuity),
                                       annuity=money(new["AMT_ANNUITY"], lang))


def letter(explanation: ApplicationExplained, facts: Facts, suggestion: Suggestion | None, lang: str) -> bytes:
    """The letter as PDF bytes, one A4 page for the usual eight reasons."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(words("letter")[lang]["title"])
    pdf.set_lang(lang)
    for weight, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
        pdf.add_font("dejavu", weight, _font(name))
    pdf.add_page()
    for style, line in blocks(explanation, facts, suggestion, lang):
        size, weight, before, after = STYLES[style]
        pdf.ln(before)
        pdf.set_font("dejavu", weight, size)
        if style == "item":
            pdf.cell(6, size * 0.5, "•")
        pdf.multi_cell(0, size * 0.5, line, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(after)
    return bytes(pdf.output())


def letter_for(context, found: dict, lang: str) -> bytes:
    """The letter of a client file (`Store.client_file`) with an explanation; a refusal's suggestion simulated."""
    refused = found["in_force"] == "refused" and found["application"] is not None
    suggestion = smallest_grant(context, found["application"], found["decision"].review_band) if refused else None
    return letter(found["explanation"], facts_of(found, now().date()), suggestion, lang)


def _font(name: str) -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
