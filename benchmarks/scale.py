"""How claimaudit scales: a whole site against a large pack, on one machine and on Dask.

Issue 14's "Measured" section. On a generated site (realistic variety: most
claims distinct, drawn from large vocabularies in many sentence shapes, a
share of them made from a source of the pack, faithfully or overstated) and
on real text (the Check-COVID train and dev claims, one Markdown file per
claim, against all 347 abstracts of its corpus, read where they lie in
../shared/data and written only to a temporary folder):

- engine   claims/s of ``claimaudit.pipeline.audit_documents`` (documents and
           pack read before the clock starts, caches off), in a fresh process
           per run; targets >= 2,500 claims/s at 1,000 pages x 500 sources and
           >= 1,500 claims/s at 100 pages x 5,000 sources.
- audit    claims/s of the whole ``claimaudit audit SITE --sources PACK
           --format json --no-cache`` (process start to exit, default --jobs).
- pairs    raw all-pairs scoring: rapidfuzz ``cdist`` of the findings' texts
           against every pack sentence (lower-cased, token_set_ratio, every
           core); engine / all-pairs, and at 400 pages x 1,000 sources the
           whole audit / all-pairs (target < 0.8).
- growth   engine time over page counts and pack sizes, fitted by least
           squares to a*claims + b*pack sentences + c*claims*sentences.
- jobs     the whole audit with --jobs 1 and --jobs 2 (target >= 1.7x) and
           with --dask local; its overhead on a tiny site; whether the three
           audit.json files are byte-identical.
- memory   peak resident memory (ru_maxrss of the audit process and the
           processes it waited for: the largest single one, not their sum);
           --memory-pages N adds one audit of an N-page site (target: 10,000
           pages under 1 GB).
- covid    engine and whole-audit claims/s and the all-pairs ratio on Check-COVID.

Every measurement is repeated --rounds times, the rounds interleaved (every
measurement once, then again) because the machine's speed drifts; medians are
reported. Nothing here asserts a timing. Each engine run is a fresh process, and
each audit is started from a small launcher so that its peak memory is its own.
--quick (small sizes, one round) takes about 2 minutes; the defaults take
several minutes a round on a 2-core machine.

    python benchmarks/scale.py [--quick] [--rounds 3] [--only engine,audit,pairs,growth,jobs,dask,memory,covid]
                               [--sizes 1000x500,100x5000] [--pairs-size 400x1000] [--jobs-size 400x1000]
                               [--growth-pages 100,200,400,800] [--growth-sources 250,500,1000,2000,5000]
                               [--memory-pages 10000] [--covid-splits train,dev] [--seed 14] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = REPO.parent / "shared" / "data" / "dev"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "src"))

ENGINE_TARGETS = {(1000, 500): 2500.0, (100, 5000): 1500.0}
AUDIT_OVER_PAIRS_TARGET = 0.8
JOBS_TARGET = 1.7
MEMORY_TARGET_MB = 1024.0
PARTS = ("engine", "audit", "pairs", "growth", "jobs", "dask", "memory", "covid")

# --------------------------------------------------------------------------- vocabularies
# Written for this benchmark. Each intervention has the name research uses
# and the names marketing copy gives it; claims made from a source use either.

INTERVENTIONS: list[tuple[str, list[str]]] = [
    ("umbilical cord stem cells", ["Our stem cell infusion", "The CordaCell protocol", "Stem cell therapy"]),
    ("adipose-derived stromal cells", ["Our fat-derived cell treatment", "The AdipoRenew programme"]),
    ("platelet-rich plasma", ["PRP injections", "Our platelet therapy", "The PlasmaPrime treatment"]),
    ("exosome infusions", ["Exosome therapy", "Our ExoVital drip"]),
    ("omega-3 fatty acids", ["Omega-3 capsules", "Our fish oil formula", "MarineBalance softgels"]),
    ("curcumin extract", ["Turmeric extract", "CurcuGold tablets", "Our golden turmeric blend"]),
    ("collagen peptides", ["Collagen peptide drink", "DermaLift collagen", "Marine collagen powder"]),
    ("vitamin D3 supplementation", ["Vitamin D3 drops", "SunDrop D3", "High-strength vitamin D"]),
    ("magnesium glycinate", ["Magnesium glycinate", "NightEase magnesium", "Our calm mineral complex"]),
    ("probiotic lactobacilli", ["Our probiotic blend", "GutGuard capsules", "Daily live cultures"]),
    ("red light photobiomodulation", ["Red light therapy", "The LumaPanel", "Our photobiomodulation sessions"]),
    ("hyperbaric oxygen", ["Hyperbaric oxygen sessions", "Our oxygen chamber", "HBOT"]),
    ("whole-body cryotherapy", ["Cryotherapy", "Our cryo chamber", "Sub-zero recovery sessions"]),
    ("extracorporeal shockwave therapy", ["Shockwave therapy", "The WaveHeal treatment"]),
    ("intravenous NAD+", ["NAD+ drips", "Our cellular energy infusion", "VitaNAD"]),
    ("low-dose naltrexone", ["Low-dose naltrexone", "LDN"]),
    ("ashwagandha root extract", ["Ashwagandha", "CalmRoot capsules", "Our adaptogen blend"]),
    ("green tea catechins", ["Green tea extract", "EGCG capsules", "TeaShield"]),
    ("dietary nitrate from beetroot", ["Beetroot juice", "NitroBeet shots"]),
    ("creatine monohydrate", ["Creatine", "PowerCreat", "Our strength formula"]),
    ("infrared sauna bathing", ["Infrared sauna", "Our heat therapy suite"]),
    ("whole-body vibration training", ["Vibration training", "The VibroFit platform"]),
    ("mindfulness-based stress reduction",
     ["Mindfulness coaching", "The StillMind course", "Our meditation programme"]),
    ("acupuncture", ["Acupuncture", "Our needle therapy", "Traditional acupuncture"]),
    ("spinal manipulation", ["Chiropractic adjustment", "Spinal alignment sessions"]),
    ("ozone autohaemotherapy", ["Ozone therapy", "Our ozone infusion"]),
    ("transcranial magnetic stimulation", ["TMS", "The NeuroPulse treatment", "Magnetic brain stimulation"]),
    ("semaglutide injections", ["Our weight-loss injection", "The SlimPen programme"]),
    ("bioidentical oestradiol", ["Bioidentical hormones", "Our hormone balancing plan"]),
    ("melatonin", ["Melatonin gummies", "SleepWell melatonin"]),
    ("cold-water immersion", ["Cold plunges", "Our ice bath programme"]),
    ("resveratrol", ["Resveratrol", "YouthCell resveratrol"]),
    ("coenzyme Q10", ["CoQ10", "HeartSpark Q10"]),
    ("zinc lozenges", ["Zinc lozenges", "ColdStop zinc"]),
    ("hyaluronic acid injections", ["Knee gel injections", "The FlexiJoint injection"]),
    ("cognitive behavioural therapy delivered by app", ["The BrightMind app", "Our digital therapy"]),
    ("a ketogenic diet", ["The keto reset plan", "Our ketogenic programme"]),
    ("intermittent fasting", ["Intermittent fasting", "The 16:8 method"]),
    ("laser hair-growth combs", ["The HairHalo laser comb", "Laser hair therapy"]),
    ("biofeedback training", ["Biofeedback", "The FocusLoop headset"]),
]

# (condition, outcomes that fit it); an outcome is (noun phrase, True when less of it is better)
CONDITIONS: list[tuple[str, list[tuple[str, bool]]]] = [
    ("knee osteoarthritis", [("knee pain", True), ("joint stiffness", True), ("walking distance", False),
                             ("cartilage thickness", False)]),
    ("rheumatoid arthritis", [("joint swelling", True), ("morning stiffness", True), ("grip strength", False)]),
    ("multiple sclerosis", [("relapse rate", True), ("fatigue", True), ("walking speed", False)]),
    ("Parkinson's disease", [("tremor", True), ("gait speed", False), ("motor scores", False)]),
    ("type 2 diabetes", [("HbA1c", True), ("fasting glucose", True), ("insulin sensitivity", False)]),
    ("heart failure", [("exercise capacity", False), ("breathlessness", True), ("hospital admissions", True)]),
    ("chronic low back pain", [("back pain", True), ("disability scores", True), ("range of motion", False)]),
    ("migraine", [("migraine days", True), ("headache severity", True), ("painkiller use", True)]),
    ("insomnia", [("time to fall asleep", True), ("sleep quality", False), ("night waking", True)]),
    ("generalised anxiety", [("anxiety scores", True), ("worry", True), ("daily functioning", False)]),
    ("major depression", [("depression scores", True), ("remission rates", False), ("low mood", True)]),
    ("irritable bowel syndrome", [("bloating", True), ("abdominal pain", True), ("stool regularity", False)]),
    ("eczema", [("itch", True), ("skin redness", True), ("skin barrier function", False)]),
    ("psoriasis", [("plaque area", True), ("scaling", True)]),
    ("hair loss", [("hair density", False), ("shedding", True)]),
    ("obesity", [("body weight", True), ("waist circumference", True), ("appetite control", False)]),
    ("high blood pressure", [("systolic blood pressure", True), ("arterial stiffness", True)]),
    ("COPD", [("breathlessness", True), ("exacerbations", True), ("lung function", False)]),
    ("long COVID", [("fatigue", True), ("brain fog", True), ("exercise tolerance", False)]),
    ("fibromyalgia", [("widespread pain", True), ("tender points", True), ("sleep quality", False)]),
    ("tendinopathy", [("tendon pain", True), ("return-to-sport time", True), ("tendon strength", False)]),
    ("spinal cord injury", [("motor function", False), ("spasticity", True), ("bladder control", False)]),
    ("age-related muscle loss", [("muscle mass", False), ("leg strength", False), ("falls", True)]),
    ("menopause", [("hot flushes", True), ("night sweats", True), ("bone density", False)]),
    ("ADHD", [("attention scores", False), ("hyperactivity", True), ("homework completion", False)]),
    ("tinnitus", [("tinnitus loudness", True), ("distress scores", True)]),
    ("the common cold", [("cold duration", True), ("symptom severity", True)]),
    ("acne", [("lesion counts", True), ("skin oiliness", True)]),
    ("chronic fatigue syndrome", [("fatigue", True), ("activity levels", False), ("post-exertional malaise", True)]),
    ("Alzheimer's disease", [("memory scores", False), ("cognitive decline", True), ("amyloid load", True)]),
    ("asthma", [("asthma attacks", True), ("inhaler use", True), ("peak flow", False)]),
    ("erectile dysfunction", [("erectile function scores", False)]),
    ("plantar fasciitis", [("heel pain", True), ("first-step pain", True)]),
    ("stroke recovery", [("arm function", False), ("balance", False), ("independence in daily tasks", False)]),
    ("gout", [("flare frequency", True), ("uric acid levels", True)]),
    ("dry eye", [("eye dryness", True), ("tear production", False)]),
]

POPULATIONS_RESEARCH = [
    ("mice", "animal"), ("rats", "animal"), ("rabbits", "animal"), ("cultured human cells", "cells"),
    ("healthy volunteers", "humans"), ("adults", "humans"), ("older adults", "humans"), ("women", "humans"),
    ("men", "humans"), ("outpatients", "humans"), ("athletes", "humans"), ("postmenopausal women", "humans"),
    ("children aged 6 to 12", "humans"), ("nursing-home residents", "humans"), ("veterans", "humans"),
]
DESIGNS = ["randomized, placebo-controlled trial", "open-label pilot study", "prospective cohort study",
           "double-blind crossover trial", "retrospective case series", "single-arm feasibility study",
           "randomized trial with an active comparator", "laboratory study", "pragmatic randomized trial",
           "non-randomized controlled study"]
REVIEW_DESIGNS = ["systematic review", "meta-analysis", "Cochrane-style review", "umbrella review"]
COMPARATORS = ["placebo", "usual care", "a sham procedure", "waiting-list control", "standard physiotherapy",
               "ibuprofen", "corticosteroid injections", "no treatment", "a low-dose version", "paracetamol",
               "diet advice alone", "metformin", "standard medication"]
SOURCE_VERBS_LOWER = ["was reduced by", "fell by", "decreased by", "was lower by", "dropped by"]
SOURCE_VERBS_HIGHER = ["improved by", "rose by", "increased by", "was higher by", "went up by"]
SOURCE_NULL = ["did not differ significantly between groups", "showed no significant change",
               "was similar in both arms", "changed by less than the minimal important difference"]
SAFETY_SOURCE = [
    "No serious adverse events were recorded.",
    "Adverse events were mild and occurred in {k} of {n} participants.",
    "{k} participants withdrew because of nausea or dizziness.",
    "Injection-site soreness was the most common side effect, reported by {pct}% of the treated group.",
    "One serious adverse event, a transient rise in liver enzymes, was judged possibly related to treatment.",
    "Tolerability was comparable to {comparator}.",
]
LIMITATIONS = [
    "The authors note the small sample and the lack of blinding.",
    "Follow-up ended after {weeks} weeks, so durability is unknown.",
    "Because there was no control group, the change may reflect a placebo response.",
    "The effect on {other} was not statistically significant (p = 0.{p:02d}).",
    "The authors call for larger, longer trials before clinical use.",
    "Results were limited to {population} and may not generalise.",
    "The funder manufactured the product under study.",
    "Confidence intervals were wide ({low}% to {high}%).",
]
JOURNALS = ["J Regen Med Res", "Clin Nutr Rep", "Int J Pain Stud", "Neurotherapy Lett", "Ann Integr Health",
            "J Musculoskelet Trials", "Metab Clin Prog", "Sleep Sci Rev", "Dermatol Ther Insights",
            "Cardiopulm Rehabil J", "Eur J Complement Ther", "Geriatr Med Adv", "Gut Health Res",
            "Mind Body Trials", "Sports Recov Sci", "Endocr Pract Notes"]
SURNAMES = [
    "Okafor", "Lindqvist", "Brennan", "Moreau", "Sato", "Adeyemi", "Kowalczyk", "Hallberg", "Ferreira", "Nakamura",
    "Achterberg", "Delacroix", "Osei", "Petrovic", "Quintero", "Rasmussen", "Szabo", "Takahashi", "Underwood",
    "Varga", "Whitcombe", "Xiong", "Yilmaz", "Zanetti", "Abernethy", "Bjornsson", "Castellanos", "Dimitriou",
    "Eriksen", "Fonseca", "Gallagher", "Haddad", "Ibarra", "Jankowski", "Kaur", "Lombardi", "Mahlangu", "Nwosu",
    "O'Donnell", "Pellegrini", "Ramaswamy", "Sandoval", "Tiwari", "Uchenna", "Valdez", "Wojcik", "Yamamoto",
    "Zielinski", "Ashworth", "Brightwell", "Chaudhry", "Dunmore", "Ekwueme", "Fairbairn", "Grimaldi", "Holloway",
    "Iqbal", "Jovanovic", "Kimura", "Lachance", "Mbeki", "Nieminen", "Oyelaran", "Prendergast", "Ruiz-Tagle",
    "Soderberg", "Thorsen", "Vasquez", "Whitfield", "Abiodun", "Bellamy", "Cortazar", "Dragomir", "Esposito",
    "Fitzgerald", "Gundersen", "Hoffmann", "Ishikawa", "Jaramillo", "Kozak", "Lundgren", "Marchetti", "Novak",
    "Ostrowski", "Papadakis", "Reinholt", "Stavros", "Tanaka", "Uribe", "Vandermeer", "Wakefield", "Yoshida",
    "Zubiri", "Amundsen", "Barros", "Chen", "Duarte", "Engström", "Farouk", "Gonzaga", "Hussain", "Ivanova",
    "Jeong", "Kovacs", "Laine", "Mendoza", "Nakashima", "Oduya", "Park", "Rahman", "Sorensen", "Tremblay",
    "Ueda", "Vidal", "Weiss", "Young", "Zhou",
]
INITIALS = "ABCDEFGHJKLMNOPRSTVW"
FIRST_NAMES = ["Maria", "James", "Aisha", "Tom", "Priya", "Lukas", "Sofia", "Daniel", "Mei", "Kwame", "Elena",
               "Oscar", "Fatima", "Henrik", "Grace", "Mateo", "Ingrid", "Samuel", "Yara", "Patrick", "Noor", "Ben"]

VERBS_LOWER = ["reduces", "lowers", "cuts", "eases", "relieves", "slashes", "halves", "eliminates", "stops",
               "reverses", "calms", "takes away", "dramatically reduces", "can lower", "may reduce",
               "helps to reduce", "is proven to reduce", "significantly lowers", "naturally relieves"]
VERBS_HIGHER = ["improves", "boosts", "restores", "increases", "doubles", "strengthens", "enhances",
                "rebuilds", "regenerates", "transforms", "can improve", "may boost", "helps restore",
                "is clinically shown to improve", "significantly increases", "naturally supports"]
HEDGES = ["may", "might", "can", "could", "appears to", "is thought to", "has been reported to", "seems to"]
BOOSTERS = ["clinically proven to", "guaranteed to", "scientifically shown to", "proven to", "certain to",
            "known to", "shown time and again to"]
COPY_POPULATIONS = ["patients", "adults", "people", "everyone", "older people", "women", "men", "children",
                    "athletes", "busy professionals", "people over 50", "our clients", "most patients"]
DURATIONS = ["within {n} days", "in just {n} days", "after {n} weeks", "within {n} weeks", "over {n} months",
             "in as little as {n} weeks", "after a single session", "from the first treatment",
             "within {n} months", "for up to {n} years"]
SAFETY_COPY = [
    "{subject} is completely safe, with no side effects.",
    "{subject} is gentle enough for children and pregnant women.",
    "{subject} has no known side effects.",
    "{subject} is 100% natural and therefore risk-free.",
    "Unlike drugs, {lower} carries no risk of dependence.",
    "{subject} is safe to combine with any medication.",
    "Thousands of treatments and not a single complication: {lower} is the safe choice.",
    "{subject} is well tolerated by {pct}% of patients.",
    "Side effects of {lower} are rare and mild.",
    "{subject} is approved and safe for long-term daily use.",
]
MECHANISMS = ["switches off the inflammation behind {condition}", "repairs damaged cells at their source",
              "resets the nervous system", "rebalances the gut microbiome", "floods tissue with oxygen",
              "activates dormant stem cells", "restores mitochondrial energy", "clears toxins that drive {condition}",
              "rebuilds the protective myelin sheath", "re-trains the brain's pain signals",
              "targets the root cause of {condition}"]
NON_CLAIMS = [
    "Our {place} clinic is open {weekday} to {weekday2}, {hour}am to {hour2}pm.",
    "{n} free parking spaces are available behind the {place} building.", "Call {phone} to book an appointment.",
    "Dr {name} joined our {place} team in {year}.",
    "Read our privacy policy (updated {month} {year}) before you submit the form.",
    "We accept {insurer} and {insurer2} insurance at the {place} clinic.",
    "Appointments with Dr {name} last about {n} minutes.",
    "Please bring your current medicines and any letters from Dr {name} to your {nth} visit.",
    "Our {place} reception team speaks {language}, {language2} and English.",
    "Sign up to our newsletter for news from Dr {name} at the {place} clinic.",
    "Find us on the {nth} floor of {place} House, next to the {landmark}.",
    "Gift vouchers from {price} pounds are available at our {place} reception.",
    "Video consultations with Dr {name} run on {weekday}s from {hour}am to {hour2}pm.",
    "Wheelchair access to the {place} clinic is via the {side} entrance until {hour2}pm.",
    "Follow us for updates from Dr {name} and the {place} team.",
    "A first consultation with Dr {name} costs {price} pounds.",
    "Our {n} practitioners are registered with the national board.",
    "This page was last reviewed in {month} {year}.", "Bus routes {n} and {n2} stop outside the {landmark}.",
    "Dr {name} trained in {place} and has practised for {n} years.",
]
PLACES = ["Leeds", "Bristol", "Harbourside", "Riverside", "Northgate", "Kingsway", "Elm Park", "Westfield",
          "Oxford Road", "Canal Street", "Hillcrest", "Market Square", "Brookfield", "Seaview", "Greenbank", "Ashby"]
LANDMARKS = ["pharmacy", "library", "post office", "bakery", "train station", "town hall", "park gates", "gym",
             "supermarket", "dental surgery", "bank", "cinema"]
INSURERS = ["Allcare", "MediShield", "Northern Health", "PrimeCover", "Unity Health", "Vitalis", "CareFirst"]
LANGUAGES = ["Spanish", "Polish", "Urdu", "Portuguese", "Mandarin", "Arabic", "French", "Romanian", "Punjabi",
             "Italian", "Somali", "Turkish"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
MONTHS = ["January", "March", "April", "June", "September", "October", "November"]
LIST_ITEMS = ["Supports healthy {outcome}", "Reduces {outcome} in as little as {n} weeks", "{pct}% less {outcome}",
              "Helps with {condition} and {condition2}", "Drug-free relief from {condition} in {n} weeks",
              "Backed by {n} clinical studies on {condition}", "Trusted by over {big} patients with {condition}",
              "Visible change in {outcome} after {n} sessions of {n2} minutes",
              "No downtime and no side effects in {n2}-minute sessions for {condition}",
              "A treatment plan for your {outcome}, reviewed every {n} weeks",
              "A free follow-up call from Dr {name} after {n} weeks",
              "Works where {condition} medication failed", "Sessions of {n2} minutes, {outcome} checked each time"]
HEADINGS = ["{subject} for {condition}", "How {lower} works", "What the research says about {condition}",
            "Why patients choose {lower}", "Frequently asked questions about {condition}", "Is {lower} safe?",
            "Results you can expect from {lower}", "Living with {condition}", "Meet the {place} team",
            "Book your consultation in {place}",
            "The science behind {lower}", "{condition}: a new approach"]


@dataclass
class SourceRecord:
    """One generated study: what it says, so that copy can be made from it faithfully or overstated."""

    id: str
    surname: str
    year: int
    intervention: int
    condition: int
    outcome: int
    population: str
    population_kind: str
    design: str
    participants: int
    weeks: int
    figure: int
    significant: bool
    hedged: bool
    summary: str
    citation: str

    def as_pack_entry(self) -> dict[str, str]:
        return {"id": self.id, "citation": self.citation, "summary": self.summary}


@dataclass
class Pack:
    records: list[SourceRecord] = field(default_factory=list)

    def entries(self) -> list[dict[str, str]]:
        return [r.as_pack_entry() for r in self.records]


def _percent(rng: random.Random) -> int:
    return rng.choice([rng.randint(3, 40), rng.randint(10, 75), rng.randint(1, 95)])


def make_source(n: int, seed: int, taken_ids: dict[str, int]) -> SourceRecord:
    """Study ``n`` of the pack: a function of (seed, n) alone, so a smaller pack is a prefix of a larger one."""
    rng = random.Random(f"{seed}-source-{n}")
    intervention = rng.randrange(len(INTERVENTIONS))
    condition = rng.randrange(len(CONDITIONS))
    outcomes = CONDITIONS[condition][1]
    outcome = rng.randrange(len(outcomes))
    condition_name = CONDITIONS[condition][0]
    outcome_name, less_is_better = outcomes[outcome]
    research = INTERVENTIONS[intervention][0]
    review = rng.random() < 0.12
    population, kind = rng.choice(POPULATIONS_RESEARCH)
    participants = rng.choice([rng.randint(8, 40), rng.randint(30, 200), rng.randint(100, 1200)])
    if kind != "humans":
        participants = rng.randint(6, 60)
    weeks = rng.choice([2, 4, 6, 8, 10, 12, 16, 24, 26, 52])
    figure = _percent(rng)
    significant = rng.random() < 0.7
    hedged = rng.random() < 0.5
    comparator = rng.choice(COMPARATORS)
    surname = rng.choice(SURNAMES)
    year = rng.randint(2004, 2025)
    slug = "".join(ch for ch in surname.lower() if ch.isalpha())
    base = f"{slug}{year}"
    count = taken_ids.get(base, 0)
    taken_ids[base] = count + 1
    source_id = base + ("" if count == 0 else _letters(count))

    if review:
        trials = rng.randint(4, 38)
        design = rng.choice(REVIEW_DESIGNS)
        opening = (f"This {design} pooled {trials} trials of {research} in {condition_name}, "
                   f"{participants * 3} participants in all.")
    else:
        design = rng.choice(DESIGNS)
        in_whom = f"{participants} {population} with {condition_name}" if kind == "humans" else \
            f"{population} in a model of {condition_name}"
        opening = (f"In this {design}, {in_whom} received {research} or {comparator} "
                   f"for {weeks} weeks.")
    verb = rng.choice(SOURCE_VERBS_LOWER if less_is_better else SOURCE_VERBS_HIGHER)
    if significant:
        result = f"{outcome_name[0].upper()}{outcome_name[1:]} {verb} {figure}% compared with {comparator}"
        result += rng.choice([".", f" (p = 0.0{rng.randint(1, 4)}).", f" at {weeks} weeks.",
                              f", from a mean of {rng.randint(20, 80)} to {rng.randint(10, 60)} points."])
    else:
        result = f"{outcome_name[0].upper()}{outcome_name[1:]} {rng.choice(SOURCE_NULL)}."
    if hedged:
        result = rng.choice(["The authors suggest that ", "These findings indicate that ",
                             "The data are consistent with the idea that "]) + \
            f"{research} may {'reduce' if less_is_better else 'improve'} {outcome_name} in " \
            f"{population if kind == 'humans' else 'this model'}. " + result
    sentences = [opening, result]
    extra = rng.sample(["safety", "limitation", "second"], k=rng.randint(0, 2))
    other_name = rng.choice([o for o, _ in outcomes if o != outcome_name] or ["quality of life"])
    for what in extra:
        if what == "safety":
            k = rng.randint(1, max(1, participants // 4))
            sentences.append(rng.choice(SAFETY_SOURCE).format(k=k, n=participants, pct=rng.randint(2, 30),
                                                              comparator=comparator))
        elif what == "limitation":
            low = rng.randint(-5, 15)
            sentences.append(rng.choice(LIMITATIONS).format(weeks=weeks, other=other_name, p=rng.randint(6, 60),
                                                            population=population, low=low,
                                                            high=low + rng.randint(10, 60)))
        else:
            sentences.append(f"{other_name[0].upper()}{other_name[1:]} changed by {rng.randint(1, 30)}% "
                             f"in the treated group and {rng.randint(0, 15)}% with {comparator}.")
    co_authors = ", ".join(f"{rng.choice(SURNAMES)} {rng.choice(INITIALS)}" for _ in range(rng.randint(1, 3)))
    title = f"{_cap(research)} for {outcome_name} in {condition_name}: {_article(design)}"
    citation = (f"{surname} {rng.choice(INITIALS)}{rng.choice(['', rng.choice(INITIALS)])}, {co_authors}, et al. "
                f"{title}. {rng.choice(JOURNALS)}. {year};{rng.randint(1, 40)}({rng.randint(1, 12)}):"
                f"{rng.randint(1, 400)}-{rng.randint(401, 900)}.")
    return SourceRecord(source_id, surname, year, intervention, condition, outcome, population, kind, design,
                        participants, weeks, figure, significant, hedged, " ".join(sentences), citation)


def _letters(count: int) -> str:
    letters = ""
    while count > 0:
        count, digit = divmod(count - 1, 26)
        letters = chr(ord("a") + digit) + letters
    return letters


def make_pack(count: int, seed: int) -> Pack:
    taken: dict[str, int] = {}
    return Pack([make_source(n, seed, taken) for n in range(count)])


# --------------------------------------------------------------------------- the copy

def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _article(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


ADVERBS = {"dramatically", "significantly", "naturally", "clinically", "scientifically", "rapidly"}
MODALS = {"can", "may", "might", "could", "will"}


def _plural(subject: str) -> bool:
    last = subject.split()[-1].lower()
    return last.endswith("s") and not last.endswith(("ss", "sis", "us", "ics"))


def says(subject: str, predicate: str) -> str:
    """Subject and predicate with the verb agreeing: "capsules reduce", "the drink reduces"."""
    if not _plural(subject):
        return f"{subject} {predicate}"
    words = predicate.split(" ")
    for n, word in enumerate(words):
        if word in ADVERBS:
            continue
        if word in MODALS:
            break
        words[n] = {"is": "are", "has": "have", "was": "were"}.get(word) or (
            word[:-2] if word.endswith(("shes", "ches", "sses", "xes")) else
            word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") else word)
        break
    return f"{subject} {' '.join(words)}"


def _cite(record: SourceRecord, rng: random.Random) -> str:
    return rng.choice([f" ({record.surname} et al., {record.year})", f" ({record.surname} et al. {record.year})",
                       f" [{record.surname}, {record.year}]", ""])


def claim_from_source(record: SourceRecord, rng: random.Random) -> str:
    """A claim made from one study of the pack: faithful, or overstated in one of the usual ways."""
    research, names = INTERVENTIONS[record.intervention]
    condition, outcomes = CONDITIONS[record.condition]
    outcome, less_is_better = outcomes[record.outcome]
    subject = rng.choice([_cap(research), rng.choice(names)])
    figure = record.figure
    who = record.population if record.population_kind == "humans" else rng.choice(["patients", "people"])
    how = rng.choice(["faithful", "inflated", "unhedged", "species", "general", "durable"])
    if how == "faithful":
        verb = rng.choice(["was linked to", "was associated with"]) + (" lower " if less_is_better else " better ")
        where = f"in {record.population}" if record.population_kind == "humans" else f"in {record.population}"
        text = (f"In {_article(record.design)}, {research} {verb}{outcome} ({figure}%) {where} with {condition} "
                f"after {record.weeks} weeks")
    elif how == "inflated":
        figure = min(99, figure + rng.randint(5, 40))
        verb = rng.choice(VERBS_LOWER if less_is_better else VERBS_HIGHER)
        text = says(subject, f"{verb} {outcome} by {figure}% in {who} with {condition}")
    elif how == "unhedged":
        booster = rng.choice(BOOSTERS)
        text = says(subject, f"is {booster} {'reduce' if less_is_better else 'improve'} {outcome} in {condition}")
    elif how == "species":
        verb = rng.choice(VERBS_LOWER if less_is_better else VERBS_HIGHER)
        text = says(subject, f"{verb} {outcome} by {figure}% in people with {condition}")
    elif how == "general":
        text = says(subject, f"{rng.choice(['works for', 'helps', 'is effective for'])} "
                             f"{rng.choice(['everyone', 'all patients', 'anyone'])} with {condition}")
    else:
        gain = "relief from" if less_is_better else "gains in"
        text = says(subject, f"gives {rng.choice(['lasting', 'permanent', 'lifelong'])} {gain} {outcome} "
                f"{rng.choice(DURATIONS).format(n=rng.randint(1, 6))}")
    return text + _cite(record, rng) + "."


def free_claim(rng: random.Random) -> str:
    """A claim composed from the vocabularies, tied to no study of the pack."""
    research, names = rng.choice(INTERVENTIONS)
    subject = rng.choice(names + [_cap(research)])
    lower = subject if subject.isupper() or subject[:2].isupper() else subject[0].lower() + subject[1:]
    condition, outcomes = rng.choice(CONDITIONS)
    outcome, less_is_better = rng.choice(outcomes)
    verbs = VERBS_LOWER if less_is_better else VERBS_HIGHER
    n = rng.randint(2, 12)
    shape = rng.randrange(11)
    if shape == 0:
        return says(subject, f"{rng.choice(verbs)} {outcome} by {_percent(rng)}% "
                             f"{rng.choice(DURATIONS).format(n=n)}.")
    if shape == 1:
        modal = rng.choice(HEDGES + ["is " + b for b in BOOSTERS])
        base = "reduce" if less_is_better else "improve"
        return says(subject, f"{modal} {base} {outcome} in {rng.choice(COPY_POPULATIONS)} with {condition}.")
    if shape == 2:
        line = rng.choice(SAFETY_COPY)
        if line.startswith("{subject} "):
            return says(subject, line[len("{subject} "):].format(pct=rng.randint(90, 100)))
        return line.format(lower=lower, pct=rng.randint(90, 100))
    if shape == 3:
        comparator = rng.choice(COMPARATORS[3:] + ["surgery", "steroids", "painkillers", "physiotherapy alone"])
        return rng.choice([
            says(subject, f"works {rng.randint(2, 10)} times faster than {comparator}."),
            says(subject, f"is more effective than {comparator} for {condition}."),
            f"Unlike {comparator}, {lower} {rng.choice(MECHANISMS).format(condition=condition)}.",
            f"Patients on {lower} needed {_percent(rng)}% less {comparator} than before.",
        ])
    if shape == 4:
        return (f"{_percent(rng)}% of our {rng.choice(['patients', 'clients', 'customers'])} report "
                f"{'less' if less_is_better else 'better'} {outcome} {rng.choice(DURATIONS).format(n=n)}.")
    if shape == 5:
        return says(subject, f"{rng.choice(MECHANISMS).format(condition=condition)}.")
    if shape == 6:
        return (f"Studies show that {lower} {rng.choice(verbs)} {outcome} in {rng.choice(COPY_POPULATIONS)} "
                f"living with {condition}.")
    if shape == 7:
        return (f"{rng.randint(3, 19)} out of 20 {rng.choice(['patients', 'users', 'clients'])} saw "
                f"{'a drop in' if less_is_better else 'an improvement in'} {outcome} "
                f"{rng.choice(DURATIONS).format(n=n)}.")
    if shape == 8:
        return says(subject, f"{rng.choice(['cures', 'reverses', 'heals', 'ends', 'beats'])} {condition}.")
    if shape == 9:
        return (f"With {lower}, {outcome} {rng.choice(['fell', 'dropped', 'improved', 'changed'])} by "
                f"{rng.randint(1, 9)}.{rng.randint(0, 9)} points on average {rng.choice(DURATIONS).format(n=n)}.")
    return (f"Over {rng.randint(2, 90) * 100:,} {rng.choice(['patients', 'people'])} with {condition} have "
            f"{rng.choice(['found relief', 'got their life back', 'seen results'])} with {lower}.")


def testimonial(rng: random.Random) -> str:
    _, names = rng.choice(INTERVENTIONS)
    product = rng.choice(names)
    product = product if product[:2].isupper() else product[0].lower() + product[1:]
    condition, outcomes = rng.choice(CONDITIONS)
    outcome, less_is_better = rng.choice(outcomes)
    duration = rng.choice(["two weeks", "a month", "three sessions", "six weeks", "ten days", "a year",
                           f"{rng.randint(2, 9)} treatments"])
    change = rng.choice(["was gone", "was half what it was", "had all but disappeared", "is under control"]) \
        if less_is_better else rng.choice(["came back", "was better than in years", "doubled"])
    quote = rng.choice([f"After {duration} of {product}, my {outcome} {change}.",
                        f"I had {condition} for {rng.randint(2, 30)} years; after {duration} my {outcome} {change}.",
                        f"Nothing else worked for my {condition} in {rng.randint(2, 30)} years, but {product} did."])
    return f"“{quote}” — {rng.choice(FIRST_NAMES)}, {rng.randint(24, 82)}"


def non_claim(rng: random.Random) -> str:
    weekday, weekday2 = sorted(rng.sample(range(len(WEEKDAYS)), 2))
    language, language2 = rng.sample(LANGUAGES, 2)
    insurer, insurer2 = rng.sample(INSURERS, 2)
    return rng.choice(NON_CLAIMS).format(
        phone=f"0{rng.randint(100, 999)} {rng.randint(100000, 999999)}", name=rng.choice(SURNAMES),
        year=rng.randint(2008, 2025), n=rng.randint(3, 90), n2=rng.randint(3, 90), month=rng.choice(MONTHS),
        place=rng.choice(PLACES), weekday=WEEKDAYS[weekday], weekday2=WEEKDAYS[weekday2], hour=rng.randint(7, 10),
        hour2=rng.randint(4, 8), insurer=insurer, insurer2=insurer2, nth=rng.choice(["first", "second", "third"]),
        language=language, language2=language2, landmark=rng.choice(LANDMARKS), price=rng.randint(4, 30) * 5,
        side=rng.choice(["side", "rear", "north", "car park"]))


def heading(rng: random.Random) -> str:
    research, names = rng.choice(INTERVENTIONS)
    subject = rng.choice(names)
    return _cap(rng.choice(HEADINGS).format(subject=subject, lower=subject if subject[:2].isupper()
                                            else subject[0].lower() + subject[1:],
                                            condition=rng.choice(CONDITIONS)[0], place=rng.choice(PLACES)))


def list_item(rng: random.Random) -> str:
    condition, outcomes = rng.choice(CONDITIONS)
    return rng.choice(LIST_ITEMS).format(outcome=rng.choice(outcomes)[0], n=rng.randint(2, 12),
                                         n2=rng.randint(10, 90), pct=rng.randint(10, 90), condition=condition,
                                         condition2=rng.choice(CONDITIONS)[0], name=rng.choice(SURNAMES),
                                         big=f"{rng.randint(1, 500) * 100:,}")


def make_page(n: int, seed: int, pack: Pack) -> str:
    """Page ``n`` of the site: a function of (seed, n, pack)."""
    rng = random.Random(f"{seed}-page-{n}")

    def claim() -> str:
        if pack.records and rng.random() < 0.4:
            return claim_from_source(rng.choice(pack.records), rng)
        return free_claim(rng)

    parts = [f"<h1>{escape(heading(rng))}</h1>",
             f"<p>{escape(claim())} {escape(non_claim(rng))}</p>"]
    for _ in range(rng.randint(3, 4)):
        parts.append(f"<h2>{escape(heading(rng))}</h2>")
        sentences = [claim() for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.5:
            sentences.insert(rng.randrange(len(sentences) + 1), non_claim(rng))
        parts.append(f"<p>{escape(' '.join(sentences))}</p>")
        roll = rng.random()
        if roll < 0.3:
            items = "".join(f"<li>{escape(list_item(rng))}</li>" for _ in range(rng.randint(3, 5)))
            parts.append(f"<ul>{items}</ul>")
        elif roll < 0.5:
            parts.append(f"<blockquote><p>{escape(testimonial(rng))}</p></blockquote>")
    parts.append(f"<footer><p>{escape(non_claim(rng))} {escape(non_claim(rng))}</p></footer>")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page {n}</title></head>"
            f"<body><main>{''.join(parts)}</main></body></html>\n")


def write_site(folder: Path, pages: int, sources: int, seed: int) -> tuple[Path, Path]:
    """The site's pages and its JSON pack, written under ``folder``; (site folder, pack file)."""
    pack = make_pack(sources, seed)
    site = folder / f"site-{pages}x{sources}"
    site.mkdir(parents=True, exist_ok=True)
    for n in range(pages):
        (site / f"page-{n:05d}.html").write_text(make_page(n, seed, pack), encoding="utf-8")
    pack_file = folder / f"pack-{sources}.json"
    if not pack_file.exists():
        pack_file.write_text(json.dumps({"sources": pack.entries()}, ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")
    return site, pack_file


def write_covid(folder: Path, splits: list[str]) -> tuple[Path, Path, int]:
    """Check-COVID's claims as one Markdown file each, and its abstracts as a JSON pack (in a temporary folder)."""
    from accuracy import covid_claims, covid_corpus

    data = DATA / "check_covid"
    claims = [c["claim"] for split in splits for c in covid_claims(data, split)]
    site = folder / "covid-claims"
    site.mkdir(parents=True, exist_ok=True)
    for n, text in enumerate(claims):
        (site / f"claim-{n:05d}.md").write_text(text.strip() + "\n", encoding="utf-8")
    corpus = covid_corpus(data)
    pack = [{"id": f"cord-{cord_id}", "citation": doc.get("title") or cord_id, "summary": " ".join(doc["abstract"])}
            for cord_id, doc in corpus.items()]
    pack_file = folder / "covid-pack.json"
    pack_file.write_text(json.dumps({"sources": pack}, ensure_ascii=False) + "\n", encoding="utf-8")
    return site, pack_file, len(claims)


# --------------------------------------------------------------------------- measurements in child processes

def engine_worker(site: str, pack: str, pairs: bool) -> dict[str, Any]:
    """Run in a fresh process: time the engine (and all-pairs cdist) on documents and a pack read beforehand."""
    from rapidfuzz import fuzz, process

    from claimaudit.api import read_copy, read_sources
    from claimaudit.cache import disabled
    from claimaudit.evidence.index import SourceIndex
    from claimaudit.pipeline import audit_documents
    from claimaudit.rule_cache import load_rule_set, select_rules

    with disabled():
        started = time.perf_counter()
        documents = read_copy([site])
        read_copy_s = time.perf_counter() - started
        started = time.perf_counter()
        sources = read_sources([pack], documents)
        read_pack_s = time.perf_counter() - started
        rules = select_rules(load_rule_set([]))
        started = time.perf_counter()
        result = audit_documents(documents, sources, rules)
        engine_s = time.perf_counter() - started
        texts = [f.text for f in result.findings]
        row: dict[str, Any] = {"documents": len(documents), "sources": len(sources), "claims": len(texts),
                               "distinct_claims": len(set(texts)), "read_copy_s": read_copy_s,
                               "read_pack_s": read_pack_s, "engine_s": engine_s}
        choices = [t.lower() for t in SourceIndex.build(sources).texts()]
        row["sentences"] = len(choices)
        if pairs:
            queries = [t.lower() for t in texts]
            started = time.perf_counter()
            process.cdist(queries, choices, scorer=fuzz.token_set_ratio, workers=-1)
            row["pairs_s"] = time.perf_counter() - started
    return row


def _environment(cache: str) -> dict[str, str]:
    env = dict(os.environ)
    env["CLAIMAUDIT_CACHE_DIR"] = cache
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# Started from a small process of its own: a child's peak RSS counts the memory of the process it was
# forked from (Linux records the pre-exec size), so forked from this one it would carry our packs' size.
LAUNCHER = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{time.perf_counter() - started} {os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def run_timed(command: list[str], cwd: Path, env: dict[str, str],
              timeout: float = 7200) -> tuple[float, int, float, str]:
    """(wall seconds, exit code, peak RSS in MB of the largest of the process and those it waited for, stderr)."""
    with tempfile.TemporaryDirectory(prefix="claimaudit-run-") as scratch:
        figures, errors_path = Path(scratch) / "figures", Path(scratch) / "stderr"
        with errors_path.open("wb") as errors:
            launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(figures), *command], cwd=cwd, env=env,
                                        stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
            try:
                launcher.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, 9)
                launcher.wait()
        message = errors_path.read_text(encoding="utf-8", errors="replace")
        if not figures.exists():
            return 0.0, 124, 0.0, message + f"\nno result within {timeout:.0f} s"
        wall, code, peak_kb = figures.read_text().split()
    return float(wall), int(code), int(peak_kb) / 1024, message


@dataclass
class Workspace:
    folder: Path
    seed: int
    cache: str
    sites: dict[tuple[int, int], tuple[Path, Path]] = field(default_factory=dict)
    covid: tuple[Path, Path, int] | None = None

    def site(self, pages: int, sources: int) -> tuple[Path, Path]:
        if (pages, sources) not in self.sites:
            self.sites[pages, sources] = write_site(self.folder, pages, sources, self.seed)
        return self.sites[pages, sources]


class RunFailed(Exception):
    """A measured run that did not finish (the checkout is being edited as we measure): noted, not fatal."""


def measure_engine(site: Path, pack: Path, pairs: bool, workspace: Workspace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "_engine", str(site), str(pack)]
    if pairs:
        command.append("--pairs")
    completed = subprocess.run(command, capture_output=True, env=_environment(workspace.cache),
                               cwd=workspace.folder, timeout=7200)
    if completed.returncode != 0:
        lines = completed.stderr.decode(errors="replace").strip().splitlines()
        raise RunFailed(f"engine exit {completed.returncode}: {lines[-1] if lines else ''}")
    return json.loads(completed.stdout.decode().strip().splitlines()[-1])


def measure_audit(site: Path, pack: Path, extra: list[str], workspace: Workspace, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "claimaudit", "audit", str(site), "--sources", str(pack), "--format", "json",
               "--no-cache", "--out", str(out), *extra]
    wall, code, peak_mb, message = run_timed(command, workspace.folder, _environment(workspace.cache))
    if code not in (0, 1):
        raise RunFailed(f"exit {code}: {message.strip().splitlines()[-1] if message.strip() else ''}")
    report = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    return {"wall_s": wall, "peak_mb": peak_mb, "claims": _claims_in(report), "exit_code": code}


def _claims_in(report: dict) -> int:
    summary = report.get("summary") or {}
    if isinstance(summary.get("claims"), int):
        return summary["claims"]
    return len(report.get("findings", []))


def cli_flags() -> set[str]:
    completed = subprocess.run([sys.executable, "-m", "claimaudit", "audit", "--help"], capture_output=True,
                               env=_environment(tempfile.gettempdir()), cwd=REPO)
    text = completed.stdout.decode(errors="replace")
    return {flag for flag in ("--jobs", "--dask") if flag in text}


# --------------------------------------------------------------------------- the plan

@dataclass
class Measurement:
    key: str
    run: Callable[[], dict[str, Any]]
    rounds: list[dict[str, Any]] = field(default_factory=list)
    once: bool = False  # too long to repeat (a 10,000-page site): one round only
    failures: list[str] = field(default_factory=list)

    def median(self, name: str) -> float | None:
        values = [r[name] for r in self.rounds if r.get(name) is not None]
        return statistics.median(values) if values else None

    def required(self, name: str) -> float:
        """The median of a figure every successful run reports."""
        return statistics.median(r[name] for r in self.rounds)


def parse_size(text: str) -> tuple[int, int]:
    pages, _, sources = text.lower().partition("x")
    return int(pages), int(sources)


def parse_ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


QUICK = {"sizes": "60x100,10x600", "pairs_size": "30x200", "jobs_size": "60x200", "tiny_size": "2x10",
         "growth_pages": "20,40,80", "growth_sources": "50,100,200,400", "growth_site": 20, "growth_pack": 100,
         "covid_splits": "dev", "rounds": 1}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_engine"]:
        print(json.dumps(engine_worker(argv[1], argv[2], "--pairs" in argv)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, one round: checks the benchmark works")
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ",".join(PARTS))
    parser.add_argument("--rounds", type=int, help="interleaved rounds; medians are reported (default 3)")
    parser.add_argument("--sizes", help="PAGESxSOURCES sites for engine, audit and memory (default 1000x500,100x5000)")
    parser.add_argument("--pairs-size", help="site whose whole audit is held against all-pairs (default 400x1000)")
    parser.add_argument("--jobs-size", help="site for --jobs 1/2 and --dask local (default 400x1000)")
    parser.add_argument("--tiny-size", help="site on which --dask local's start-up dominates (default 3x20)")
    parser.add_argument("--growth-pages", help="page counts at --growth-pack sources (default 100,200,400,800)")
    parser.add_argument("--growth-sources", help="pack sizes at --growth-site pages (default 250,500,1000,2000,5000)")
    parser.add_argument("--growth-site", type=int, help="pages while the pack grows (default 100)")
    parser.add_argument("--growth-pack", type=int, help="sources while the pages grow (default 500)")
    parser.add_argument("--memory-pages", type=int, default=0,
                        help="also audit a site of N pages against 500 sources once, for peak memory")
    parser.add_argument("--covid-splits", help="Check-COVID claim splits (default train,dev)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    defaults = {"sizes": "1000x500,100x5000", "pairs_size": "400x1000", "jobs_size": "400x1000", "tiny_size": "3x20",
                "growth_pages": "100,200,400,800", "growth_sources": "250,500,1000,2000,5000", "growth_site": 100,
                "growth_pack": 500, "covid_splits": "train,dev", "rounds": 3}
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, QUICK[name] if args.quick else value)
    wanted = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = wanted - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")

    with tempfile.TemporaryDirectory(prefix="claimaudit-scale-") as folder:
        workspace = Workspace(Path(folder), args.seed, str(Path(folder) / "cache"))
        figures = run_plan(args, wanted, workspace)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


def run_plan(args: argparse.Namespace, wanted: set[str], workspace: Workspace) -> dict[str, Any]:
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    pairs_size, jobs_size = parse_size(args.pairs_size), parse_size(args.jobs_size)
    tiny_size = parse_size(args.tiny_size)
    flags = cli_flags() if wanted & {"jobs", "dask"} else set()
    notes: list[str] = []
    engine: dict[tuple[int, int], Measurement] = {}
    audits: dict[str, Measurement] = {}
    outputs = workspace.folder / "out"

    def engine_at(pages: int, sources: int, pairs: bool) -> None:
        key = (pages, sources)
        previous = engine.get(key)
        pairs = pairs or bool(previous and previous.key.endswith("+pairs"))
        label = f"engine {pages}x{sources}" + ("+pairs" if pairs else "")

        def run() -> dict[str, Any]:
            site, pack = workspace.site(pages, sources)
            return measure_engine(site, pack, pairs, workspace)
        engine[key] = Measurement(label, run)

    def audit_at(name: str, pages: int, sources: int, extra: list[str], once: bool = False) -> None:
        def run() -> dict[str, Any]:
            site, pack = workspace.site(pages, sources)
            return measure_audit(site, pack, extra, workspace, outputs / name.replace(" ", "_"))
        audits[name] = Measurement(name, run, once=once)

    if "engine" in wanted or "pairs" in wanted:
        for pages, sources in sizes:
            engine_at(pages, sources, "pairs" in wanted)
    if "audit" in wanted or "memory" in wanted:
        for pages, sources in sizes:
            audit_at(f"audit {pages}x{sources}", pages, sources, [])
    if "pairs" in wanted:
        engine_at(*pairs_size, True)
        audit_at(f"audit {pairs_size[0]}x{pairs_size[1]}", *pairs_size, [])
    if "growth" in wanted:
        for pages in parse_ints(args.growth_pages):
            if (pages, args.growth_pack) not in engine:
                engine_at(pages, args.growth_pack, False)
        for sources in parse_ints(args.growth_sources):
            if (args.growth_site, sources) not in engine:
                engine_at(args.growth_site, sources, False)
    if "jobs" in wanted or "dask" in wanted:
        label = f"{jobs_size[0]}x{jobs_size[1]}"
        if "--jobs" in flags:
            audit_at(f"audit {label} --jobs 1", *jobs_size, ["--jobs", "1"])
            if "jobs" in wanted:
                audit_at(f"audit {label} --jobs 2", *jobs_size, ["--jobs", "2"])
        else:
            notes.append("--jobs: `claimaudit audit --help` does not show it yet; not measured")
        if "dask" in wanted:
            if "--dask" in flags:
                audit_at(f"audit {label} --dask local", *jobs_size, ["--dask", "local"])
                tiny = f"{tiny_size[0]}x{tiny_size[1]}"
                audit_at(f"audit {tiny} tiny", *tiny_size, ["--jobs", "1"] if "--jobs" in flags else [])
                audit_at(f"audit {tiny} tiny --dask local", *tiny_size, ["--dask", "local"])
            else:
                notes.append("--dask: `claimaudit audit --help` does not show it yet; not measured")
    if "memory" in wanted and args.memory_pages:
        audit_at(f"audit {args.memory_pages}x500 memory", args.memory_pages, 500, [], once=True)
    covid: dict[str, Measurement] = {}
    if "covid" in wanted:
        if (DATA / "check_covid" / "corpus.json").exists():
            splits = [s.strip() for s in args.covid_splits.split(",") if s.strip()]

            def covid_files() -> tuple[Path, Path, int]:
                if workspace.covid is None:
                    workspace.covid = write_covid(workspace.folder, splits)
                return workspace.covid

            covid["engine"] = Measurement("covid engine+pairs", lambda: {
                **measure_engine(*covid_files()[:2], True, workspace), "input_claims": covid_files()[2]})
            covid["audit"] = Measurement("covid audit", lambda: measure_audit(
                *covid_files()[:2], [], workspace, outputs / "covid"))
        else:
            notes.append(f"covid: {DATA / 'check_covid'} not found; not measured")

    plan = list(engine.values()) + list(audits.values()) + list(covid.values())
    started = time.perf_counter()
    identical: dict[str, Any] = {}
    for round_number in range(args.rounds):
        for measurement in plan:
            if measurement.once and measurement.rounds:
                continue
            try:
                row = measurement.run()
            except RunFailed as failure:
                measurement.failures.append(str(failure))
                print(f"[round {round_number + 1}/{args.rounds}] {measurement.key}: FAILED {failure}",
                      file=sys.stderr, flush=True)
                continue
            measurement.rounds.append(row)
            seconds = row.get("engine_s", row.get("wall_s"))
            print(f"[round {round_number + 1}/{args.rounds}] {measurement.key}: {seconds:.2f} s, "
                  f"{row['claims']} claims", file=sys.stderr, flush=True)
        if round_number + 1 == args.rounds and wanted & {"jobs", "dask"}:
            identical = compare_outputs(outputs, audits)
    print(f"all measurements took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    for measurement in plan:
        if measurement.failures:
            notes.append(f"{measurement.key}: {len(measurement.failures)} of {args.rounds} run(s) failed "
                         f"({measurement.failures[-1]})")
    engine = {key: m for key, m in engine.items() if m.rounds}
    audits = {key: m for key, m in audits.items() if m.rounds}
    covid = covid if all(m.rounds for m in covid.values()) else {}
    return report(args, wanted, engine, audits, covid, identical, notes, sizes, pairs_size,
                  jobs_size, tiny_size)


def compare_outputs(outputs: Path, audits: dict[str, Measurement]) -> dict[str, Any]:
    """Whether the last round's audit.json of --jobs 1, --jobs 2 and --dask local are byte-identical."""
    runs = {name: outputs / name.replace(" ", "_") / "audit.json" for name in audits
            if ("--jobs" in name or "--dask" in name) and "tiny" not in name}
    present = {name: path.read_bytes() for name, path in runs.items() if path.exists()}
    if len(present) < 2:
        return {}
    first_name, first = next(iter(present.items()))
    differing = [name for name, data in present.items() if data != first]
    return {"compared": list(present), "identical": not differing, "differing_from_first": differing,
            "first": first_name}


# --------------------------------------------------------------------------- the report

def _rate(claims: float | None, seconds: float | None) -> float | None:
    return round(claims / seconds, 1) if claims and seconds else None


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def fit_growth(points: list[tuple[int, int, float]]) -> dict[str, Any] | None:
    """time = a*claims + b*sentences + c*claims*sentences, by least squares."""
    if len(points) < 3:
        return None
    import numpy as np

    design = np.array([[c, s, c * s] for c, s, _ in points], dtype=float)
    times = np.array([t for _, _, t in points], dtype=float)
    (a, b, c), *_ = np.linalg.lstsq(design, times, rcond=None)
    fitted = design @ np.array([a, b, c])
    worst = float(np.max(np.abs(fitted - times) / times))
    return {"ms_per_claim": round(1000 * a, 3), "ms_per_sentence": round(1000 * b, 4),
            "us_per_pair": round(1e6 * c, 4), "worst_relative_error": round(worst, 3), "points": len(points)}


def report(args: argparse.Namespace, wanted: set[str], engine: dict[tuple[int, int], Measurement],
           audits: dict[str, Measurement], covid: dict[str, Measurement], identical: dict[str, Any],
           notes: list[str], sizes: list[tuple[int, int]], pairs_size: tuple[int, int], jobs_size: tuple[int, int],
           tiny_size: tuple[int, int]) -> dict[str, Any]:
    figures: dict[str, Any] = {"settings": {k: v for k, v in vars(args).items() if k != "json"}, "notes": notes}
    table: list[tuple[str, str, str]] = []

    def raw(measurement: Measurement) -> list[dict[str, Any]]:
        return [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in measurement.rounds]

    figures["engine"] = {}
    for (pages, sources), m in engine.items():
        claims, seconds = m.required("claims"), m.required("engine_s")
        row: dict[str, Any] = {"pages": pages, "sources": sources, "claims": claims,
                               "sentences": m.required("sentences"),
               "distinct_claims": m.required("distinct_claims"),
               "distinct_share": round(m.required("distinct_claims") / claims, 3) if claims else None,
               "engine_s": seconds, "claims_per_s": _rate(claims, seconds), "read_pack_s": m.median("read_pack_s"),
               "pairs_s": m.median("pairs_s"), "rounds": raw(m)}
        if row["pairs_s"]:
            row["engine_over_pairs"] = round(seconds / row["pairs_s"], 2)
        figures["engine"][f"{pages}x{sources}"] = row
    figures["audit"] = {}
    for name, m in audits.items():
        claims, seconds = m.required("claims"), m.required("wall_s")
        figures["audit"][name] = {"claims": claims, "wall_s": seconds, "claims_per_s": _rate(claims, seconds),
                                  "peak_mb": m.required("peak_mb"), "rounds": raw(m)}

    print()
    print(f"Generated site (seed {args.seed}); medians of {args.rounds} interleaved round(s)")
    if "engine" in wanted or "pairs" in wanted or "growth" in wanted:
        print(f"{'engine':<26} {'claims':>7} {'distinct':>8} {'sentences':>9} {'time s':>8} {'claims/s':>9} "
              f"{'target':>8} {'cdist s':>8} {'eng/cdist':>9}")
        for label, row in figures["engine"].items():
            target = ENGINE_TARGETS.get((row["pages"], row["sources"]))
            print(f"{label:<26} {row['claims']:>7.0f} {row['distinct_share']:>8.1%} {row['sentences']:>9.0f} "
                  f"{row['engine_s']:>8.2f} {_fmt(row['claims_per_s']):>9} "
                  f"{('>= ' + format(target, ',.0f')) if target else '':>8} {_fmt(row['pairs_s'], 2):>8} "
                  f"{_fmt(row.get('engine_over_pairs'), 2):>9}")
            if (row["pages"], row["sources"]) in sizes:
                table.append((f"engine claims/s {label}", _fmt(row["claims_per_s"]),
                              f">= {target:,.0f}" if target else ""))
            if row.get("engine_over_pairs") and (row["pages"], row["sources"]) in sizes:
                table.append((f"engine / all-pairs {label}", f"{row['engine_over_pairs']:.2f}x", ""))
        shares = [r["distinct_share"] for r in figures["engine"].values() if r["distinct_share"]]
        if shares:
            table.append(("distinct claim texts (generated sites)", f"{min(shares):.1%} - {max(shares):.1%}", ""))
    if figures["audit"]:
        print()
        print(f"{'whole audit (process start to exit)':<44} {'claims':>7} {'wall s':>8} {'claims/s':>9} {'peak MB':>8}")
        for name, row in figures["audit"].items():
            print(f"{name:<44} {row['claims']:>7.0f} {row['wall_s']:>8.2f} {_fmt(row['claims_per_s']):>9} "
                  f"{row['peak_mb']:>8.0f}")
            if "audit" in wanted and any(name == f"audit {p}x{s}" for p, s in sizes):
                table.append((f"whole audit claims/s {name[6:]}", _fmt(row["claims_per_s"]), ""))
            if "memory" in wanted and ("memory" in name or any(name == f"audit {p}x{s}" for p, s in sizes)):
                memory_goal = f"< {MEMORY_TARGET_MB:.0f} at 10,000 pages" if "memory" in name else ""
                table.append((f"peak memory MB, {name[6:]}", f"{row['peak_mb']:.0f}", memory_goal))

    if "pairs" in wanted:
        label = f"{pairs_size[0]}x{pairs_size[1]}"
        whole = figures["audit"].get(f"audit {label}")
        pairs = figures["engine"].get(label)
        if whole and pairs and pairs.get("pairs_s"):
            ratio = round(whole["wall_s"] / pairs["pairs_s"], 2)
            figures["audit_over_pairs"] = {"site": label, "audit_s": whole["wall_s"], "pairs_s": pairs["pairs_s"],
                                           "ratio": ratio}
            print(f"\nwhole audit {label} / all-pairs cdist: {whole['wall_s']:.2f} s / {pairs['pairs_s']:.2f} s = "
                  f"{ratio:.2f}x (target < {AUDIT_OVER_PAIRS_TARGET})")
            table.append((f"whole audit / all-pairs {label}", f"{ratio:.2f}x", f"< {AUDIT_OVER_PAIRS_TARGET}"))

    if "growth" in wanted:
        points = []
        for pages in parse_ints(args.growth_pages):
            row = figures["engine"].get(f"{pages}x{args.growth_pack}")
            if row:
                points.append((row["claims"], row["sentences"], row["engine_s"]))
        for sources in parse_ints(args.growth_sources):
            row = figures["engine"].get(f"{args.growth_site}x{sources}")
            if row and (row["claims"], row["sentences"], row["engine_s"]) not in points:
                points.append((row["claims"], row["sentences"], row["engine_s"]))
        fit = fit_growth(points)
        figures["growth_fit"] = fit
        if fit:
            print(f"\ngrowth fit over {fit['points']} sites: time = {fit['ms_per_claim']} ms/claim + "
                  f"{fit['ms_per_sentence']} ms/pack sentence + {fit['us_per_pair']} µs/claim x sentence pair "
                  f"(worst misfit {fit['worst_relative_error']:.0%})")
            if min(fit["ms_per_claim"], fit["ms_per_sentence"], fit["us_per_pair"]) < 0:
                print("  a negative term is within the noise: that cost does not measurably grow")
            table.append(("cost per claim / pack sentence / pair",
                          f"{fit['ms_per_claim']} ms / {fit['ms_per_sentence']} ms / {fit['us_per_pair']} µs", ""))

    if wanted & {"jobs", "dask"}:
        label = f"{jobs_size[0]}x{jobs_size[1]}"
        one = figures["audit"].get(f"audit {label} --jobs 1")
        two = figures["audit"].get(f"audit {label} --jobs 2")
        dask = figures["audit"].get(f"audit {label} --dask local")
        tiny_label = f"{tiny_size[0]}x{tiny_size[1]}"
        tiny = figures["audit"].get(f"audit {tiny_label} tiny")
        tiny_dask = figures["audit"].get(f"audit {tiny_label} tiny --dask local")
        print()
        if one and two:
            speedup = round(one["wall_s"] / two["wall_s"], 2)
            figures["jobs_speedup"] = speedup
            print(f"--jobs 2 speed-up on {label}: {one['wall_s']:.2f} s / {two['wall_s']:.2f} s = {speedup:.2f}x "
                  f"(target >= {JOBS_TARGET})")
            table.append((f"--jobs 2 speed-up {label}", f"{speedup:.2f}x", f">= {JOBS_TARGET}"))
        if one and dask:
            speedup = round(one["wall_s"] / dask["wall_s"], 2)
            figures["dask_speedup"] = speedup
            print(f"--dask local speed-up on {label}: {one['wall_s']:.2f} s / {dask['wall_s']:.2f} s = {speedup:.2f}x")
            table.append((f"--dask local speed-up {label}", f"{speedup:.2f}x", ""))
        if tiny and tiny_dask:
            overhead = round(tiny_dask["wall_s"] - tiny["wall_s"], 2)
            figures["dask_overhead_s"] = overhead
            print(f"--dask local overhead on {tiny_label}: {tiny_dask['wall_s']:.2f} s - {tiny['wall_s']:.2f} s = "
                  f"{overhead:.2f} s")
            table.append((f"--dask local overhead ({tiny_label} site)", f"{overhead:.2f} s", ""))
        if identical:
            figures["outputs_identical"] = identical
            verdict = "byte-identical" if identical["identical"] else \
                f"DIFFERENT ({', '.join(identical['differing_from_first'])} differ from {identical['first']})"
            print(f"audit.json of {', '.join(n[len('audit ' + label) + 1:] for n in identical['compared'])}: {verdict}")
            compared = " / ".join(n[len("audit " + label) + 1:] for n in identical["compared"])
            table.append((f"audit.json {compared}", verdict, "byte-identical"))

    if covid:
        e, a = covid["engine"], covid["audit"]
        claims, seconds, pairs_s = e.required("claims"), e.required("engine_s"), e.median("pairs_s")
        covid_row: dict[str, Any] = {
            "input_claims": e.median("input_claims"), "claims": claims, "sentences": e.required("sentences"),
            "distinct_claims": e.required("distinct_claims"), "engine_s": seconds,
            "claims_per_s": _rate(claims, seconds), "pairs_s": pairs_s,
            "engine_over_pairs": round(seconds / pairs_s, 2) if pairs_s else None,
            "audit_wall_s": a.required("wall_s"),
            "audit_claims_per_s": _rate(a.required("claims"), a.required("wall_s")),
            "audit_peak_mb": a.required("peak_mb"), "rounds": raw(e), "audit_rounds": raw(a)}
        figures["covid"] = covid_row
        print(f"\nCheck-COVID {args.covid_splits}: {covid_row['input_claims']:.0f} claims in, {claims:.0f} audited, "
              f"against {covid_row['sentences']:.0f} sentences of 347 abstracts: engine {seconds:.2f} s = "
              f"{_fmt(covid_row['claims_per_s'])} claims/s; all-pairs {_fmt(pairs_s, 2)} s (engine / all-pairs "
              f"{covid_row['engine_over_pairs']}x); whole audit {covid_row['audit_wall_s']:.2f} s = "
              f"{_fmt(covid_row['audit_claims_per_s'])} claims/s")
        table.append(("Check-COVID engine claims/s", _fmt(covid_row["claims_per_s"]), ""))
        table.append(("Check-COVID engine / all-pairs", f"{covid_row['engine_over_pairs']}x", ""))
        table.append(("Check-COVID whole audit claims/s", _fmt(covid_row["audit_claims_per_s"]), ""))

    for note in notes:
        print(f"note: {note}")
    if table:
        width = max(len(m) for m, _, _ in table)
        value_width = max(len(v) for _, v, _ in table)
        print("\n" + "measure".ljust(width) + "  " + "figure".ljust(value_width) + "  target")
        for measure, value, goal in table:
            print(f"{measure.ljust(width)}  {value.ljust(value_width)}  {goal}")
    figures["table"] = [{"measure": m, "figure": v, "target": t} for m, v, t in table]
    return figures


if __name__ == "__main__":
    sys.exit(main())
