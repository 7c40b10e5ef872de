"""A realistic audit result for the renderer tests, written in our own words.

Two documents (a web page and a claims deck), three sources, findings of all
three verdicts, reasons with spans, evidence, suggestions, unicode, and text
that tries to break out of HTML, spreadsheets and CSV.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from claimaudit.model import AuditResult, Document, Evidence, Finding, Reason, Source

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
HOSTILE_CELL_STARTS = (FORMULA, "+1+1", "-2", "@SUM(A1)", "\t", "\r")


@dataclass
class SampleDocs:
    what: str
    why: str
    example: str
    use_instead: str
    references: list[str] = field(default_factory=list)


@dataclass
class SampleRule:
    code: str
    name: str
    family: str
    level: str
    message: str
    docs: SampleDocs


class BareRule:
    """A rule definition from an older loader: no docs, no level."""

    code = "CA201"
    name = "certainty.boosted"
    family = "certainty"
    message = "The claim is more certain than its evidence."


def _rules() -> list:
    return [
        SampleRule(
            "CA101", "figures.inflated", "figures", "overstated",
            "A figure is larger than the source's figure for the same outcome.",
            SampleDocs(
                what="Numbers in the copy that exceed what the cited source measured.",
                why="Readers take a stated figure as the typical result.",
                example="Cuts pain by 80% (source: 20-30% in some patients).",
                use_instead="Quote the source's own figure and who it applied to.",
                references=["https://www.ftc.gov/business-guidance", "CAP Code 12.1"],
            ),
        ),
        SampleRule(
            "CA301", "scope.population", "scope", "overstated",
            "Evidence comes from animals or cells; the claim is about people.",
            SampleDocs(
                what="Human claims resting on animal or laboratory work.",
                why="Results in rodents often fail to carry over to patients.",
                example="Repairs nerves (source: mouse study).",
                use_instead="In animal studies, ... was observed.",
                references=["javascript:alert(1)"],
            ),
        ),
        SampleRule(
            "CA401", "safety.absolute", "safety", "overstated",
            "An absolute safety claim where the sources report side effects.",
            SampleDocs(
                what="'No side effects', 'risk-free', 'completely safe'.",
                why="Every treatment carries some risk; absolute safety claims mislead.",
                example="Completely safe with zero side effects.",
                use_instead="Generally well tolerated in the studies cited; "
                "side effects were mild.",
                references=[],
            ),
        ),
        {
            "code": "CA501",
            "name": "regulatory.approval",
            "family": "regulatory",
            "level": "unsupported",
            "message": "Approval is claimed but no source says so.",
            "docs": {
                "what": "Claims of regulatory approval or clearance.",
                "why": "Unapproved products described as approved are a common enforcement target.",
                "example": "FDA approved therapy.",
                "use_instead": "Remove the approval claim.",
                "references": ["https://www.fda.gov/"],
            },
        },
        SampleRule(
            "CA601", "establishment.missing_source", "establishment", "unsupported",
            "Attributed to a source that was not provided.",
            SampleDocs(
                what="'Studies show', 'a review proved' with no such source in the pack.",
                why="An establishment claim needs the evidence it names.",
                example="A major review proved it works.",
                use_instead="Cite the review and summarise what it found.",
                references=["FTC Health Products Compliance Guidance (2022)"],
            ),
        ),
        SampleRule(
            "CA1001", "testimonials.anecdote", "testimonials", "unsupported",
            "Patient stories are not evidence that a treatment works.",
            SampleDocs(
                what="Testimonials offered as proof of efficacy.",
                why="Individual reports cannot show a typical result.",
                example="Patients say they feel years younger.",
                use_instead="Drop the testimonial or pair it with evidence.",
                references=["https://www.ftc.gov/legal-library"],
            ),
        ),
        BareRule(),
        # CA901 (business.internal) fires below but is deliberately absent here.
    ]


PAGE_TEXT = (
    "Stem Cell Care for Multiple Sclerosis\n"
    "\n"
    "Our mesenchymal stem cell programme is designed for adults living with MS.\n"
    "Mesenchymal stem cells cut inflammation by up to 60% in every patient. "
    "A review in a leading journal proved that our treatment stops relapses.\n"
    "In rodent models, stem cells lowered markers of inflammation after nerve injury.\n"
    "Treatment is completely safe with no side effects.\n"
    f"Patients say {SCRIPT} they feel reborn — “sehr gut” ✓ 改善 & more.\n"
    "Call us today on 555-0100.\n"
)

DECK_TEXT = (
    f"{FORMULA} Our therapy doubles mobility.\n"
    "+1+1 more patients walk unaided after treatment.\n"
    "-2 days of recovery time on average at our clinic.\n"
    "@SUM(A1) clinically proven results.\n"
    "\tSupports nerve repair in laboratory cells.\n"
    "\rApproved by regulators for MS.\n"
)

RODENT_SUMMARY = (
    "In rats with nerve injury, treated animals showed lower markers of inflammation "
    "than untreated controls, by 20-30% in some animals. "
    "Nerve repair was observed in laboratory cell cultures. "
    "The authors called for trials in people."
)
SAFETY_SUMMARY = (
    "Across small trials, the therapy was generally well tolerated; "
    "mild fever and headache were reported. "
    f"No regulator has approved it for MS. Odd text: {SCRIPT}"
)
CLINIC_SUMMARY = (
    "Internal outcome sheet: patients treated at the clinic spent on average 2 days "
    "in recovery after the procedure."
)


def _sources() -> list[Source]:
    return [
        Source(
            id="rodent2021",
            summary=RODENT_SUMMARY,
            citation="Okafor A, Lindqvist B. Stem cells after nerve injury in rats. "
            "J Exp Neurosci. 2021;12(3):45-52.",
            doi="10.1000/jen.2021.045",
            pmid="31234567",
            origin="sources.yaml:2",
        ),
        Source(
            id="safety2022",
            summary=SAFETY_SUMMARY,
            citation=f"Ruiz M, et al. {SCRIPT} Tolerability review. =1+2 2022.",
            doi="",
            pmid="not-a-pmid",
            url="javascript:alert(1)",
            origin="sources.yaml:9",
        ),
        Source(
            id="clinic-data",
            summary=CLINIC_SUMMARY,
            citation="Clinic outcome sheet, 2023 (internal)",
            url="https://example.org/outcomes?year=2023&kind=recovery",
            kind="internal",
            origin="sources.yaml:15",
        ),
    ]


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return (start, start + len(needle))


def _evidence(source: Source, sentence: str, similarity: float) -> Evidence:
    start, end = _span(source.summary, sentence)
    return Evidence(source=source.id, text=sentence, similarity=similarity, start=start, end=end)


def _reason(rule, code, message, verdict, family, claim, claim_part=None,
            evidence=None, evidence_part=None, suggestion="") -> Reason:
    return Reason(
        rule=rule, code=code, message=message, verdict=verdict, family=family,
        claim_span=_span(claim, claim_part) if claim_part else None,
        evidence_span=_span(evidence.text, evidence_part) if evidence_part else None,
        evidence_source=evidence.source if evidence else "",
        suggestion=suggestion,
    )


def sample_result() -> AuditResult:
    """A fresh, fully populated audit result (safe to mutate in a test)."""
    page = Document(path="site/ms-care.html", text=PAGE_TEXT, raw=PAGE_TEXT, media_type="html")
    deck = Document(path="claims/deck.csv", text=DECK_TEXT, raw=DECK_TEXT, media_type="csv")
    rodent, safety, clinic = sources = _sources()

    e_inflammation = _evidence(
        rodent, "In rats with nerve injury, treated animals showed lower markers of inflammation "
        "than untreated controls, by 20-30% in some animals.", 0.71)
    e_repair = _evidence(rodent, "Nerve repair was observed in laboratory cell cultures.", 0.88)
    e_trials = _evidence(rodent, "The authors called for trials in people.", 0.31)
    e_tolerated = _evidence(
        safety, "Across small trials, the therapy was generally well tolerated; "
        "mild fever and headache were reported.", 0.64)
    e_not_approved = _evidence(safety, "No regulator has approved it for MS.", 0.77)
    e_script = _evidence(safety, f"Odd text: {SCRIPT}", 0.12)
    e_recovery = _evidence(
        clinic, "Internal outcome sheet: patients treated at the clinic spent on average 2 days "
        "in recovery after the procedure.", 0.69)

    findings: list[Finding] = []

    def add(doc: Document, claim: str, verdict: str, confidence: float, reasons=(),
            evidence=(), suggestion="", claim_type="efficacy", section="", suppressed=()):
        start, end = _span(doc.text, claim)
        line, column = doc.line_col(start)
        findings.append(Finding(
            id=f"{doc.path.split('/')[0]}-{start:04d}",
            document=doc.path, text=claim, start=start, end=end, line=line, column=column,
            verdict=verdict, confidence=confidence, claim_type=claim_type, section=section,
            reasons=list(reasons), evidence=list(evidence), suggestion=suggestion,
            suppressed=list(suppressed),
        ))

    claim = "Mesenchymal stem cells cut inflammation by up to 60% in every patient."
    add(page, claim, "overstated", 0.8234, [
        _reason("figures.inflated", "CA101", "60% is larger than the source's 20-30%.",
                "overstated", "figures", claim, "up to 60%", e_inflammation, "20-30%",
                "…by 20-30% in some animals."),
        _reason("scope.population", "CA301",
                "The evidence is from rats, the claim is about patients.", "overstated",
                "scope", claim, "every patient", e_inflammation, "In rats"),
    ], [e_inflammation, e_trials],
        "In rat studies, stem cells lowered inflammation markers by 20-30% in some animals.",
        section="Stem Cell Care for Multiple Sclerosis")

    claim = "A review in a leading journal proved that our treatment stops relapses."
    add(page, claim, "unsupported", 0.91, [
        _reason("establishment.missing_source", "CA601",
                "Attributed to a source that was not provided.", "unsupported", "establishment",
                claim, "A review in a leading journal"),
    ], [e_trials], "Remove the claim or add the review to the source pack.",
        claim_type="establishment", section="Stem Cell Care for Multiple Sclerosis")

    claim = "In rodent models, stem cells lowered markers of inflammation after nerve injury."
    add(page, claim, "supported", 0.87, [], [e_inflammation, e_repair],
        section="Stem Cell Care for Multiple Sclerosis")

    claim = "Treatment is completely safe with no side effects."
    add(page, claim, "overstated", 0.78, [
        _reason("safety.absolute", "CA401",
                "Absolute safety claim, but the source reports fever and headache.", "overstated",
                "safety", claim, "completely safe", e_tolerated, "mild fever and headache"),
    ], [e_tolerated], "Generally well tolerated in small trials; mild fever and headache occurred.",
        claim_type="safety", section="Stem Cell Care for Multiple Sclerosis",
        suppressed=[("certainty.boosted", "reviewed by legal, ticket 42")])

    claim = f"Patients say {SCRIPT} they feel reborn — “sehr gut” ✓ 改善 & more."
    add(page, claim, "unsupported", 0.55, [
        _reason("testimonials.anecdote", "CA1001", f"Testimonial {SCRIPT} used as evidence.",
                "unsupported", "testimonials", claim, SCRIPT, e_script, SCRIPT),
    ], [e_script], f"Drop the testimonial {SCRIPT}.", claim_type="testimonial",
        section="Stem Cell Care for Multiple Sclerosis")

    claim = f"{FORMULA} Our therapy doubles mobility."
    add(deck, claim, "unsupported", 0.83, [
        _reason("certainty.boosted", "CA201", "No source measures mobility.", "unsupported", "",
                claim, "doubles"),
    ], [e_repair], FORMULA)

    claim = "+1+1 more patients walk unaided after treatment."
    add(deck, claim, "overstated", 0.6, [
        _reason("scope.population", "CA301", "+1+1 evidence is from cell cultures.", "overstated",
                "scope", claim, "patients walk", e_repair, "laboratory cell cultures"),
    ], [e_repair, e_inflammation], "-2 In cell cultures, nerve repair was observed.")

    claim = "-2 days of recovery time on average at our clinic."
    add(deck, claim, "supported", 0.74, [], [e_recovery], claim_type="business")

    claim = "@SUM(A1) clinically proven results."
    add(deck, claim, "unsupported", 0.9, [
        _reason("establishment.missing_source", "CA601", "@SUM(A1) no clinical trial in the pack.",
                "unsupported", "establishment", claim, "clinically proven"),
        _reason("business.internal", "CA901", "Needs internal substantiation.", "unsupported",
                "business", claim, "results"),
    ], [], "@SUM(A1)")

    claim = "\tSupports nerve repair in laboratory cells."
    add(deck, claim, "supported", 0.93, [], [e_repair, e_trials])

    claim = "\rApproved by regulators for MS."
    add(deck, claim, "unsupported", 0.97, [
        _reason("regulatory.approval", "CA501", "A source says no regulator has approved it.",
                "unsupported", "regulatory", claim, "Approved by regulators", e_not_approved,
                "No regulator has approved it"),
    ], [e_not_approved], "\rRemove the approval claim.", claim_type="regulatory")

    # Shuffled on purpose: renderers must order findings themselves.
    findings.reverse()
    return AuditResult(
        documents=[page, deck], sources=sources, findings=findings, rules=_rules(),
        tool_version="0.1.0", warnings=[f"rules: {SCRIPT} had no examples"],
    )
