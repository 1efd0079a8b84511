"""Short invented subjects and bodies, so the mbox reads like real mail.

weakties reads headers only; bodies are here to make the file honest. A few
sentences start with "From " so that the mbox writer has lines to escape.
"""

from __future__ import annotations

import random

TOPICS = (
    "the Q3 roadmap",
    "the pricing page",
    "onboarding flow",
    "the ledger migration",
    "API rate limits",
    "the renewal",
    "hiring plan",
    "the offsite",
    "incident review",
    "checkout latency",
    "the data retention policy",
    "SSO rollout",
    "the board deck",
    "customer interviews",
    "the mobile release",
    "invoice reconciliation",
    "the pilot",
    "capacity planning",
    "the launch checklist",
    "partner integration",
    "the budget",
)
_WORK_SUBJECTS = (
    "Quick question on {topic}",
    "{topic}: next steps",
    "Notes on {topic}",
    "Draft for {topic}",
    "Can we talk about {topic}?",
    "Update on {topic}",
    "Feedback on {topic}",
    "Heads-up: {topic}",
    "{topic} numbers",
)
_NAMED_SUBJECTS = (
    "1:1 {a} / {b}",
    "Catch-up with {a}",
    "Intro: {a} <> {b}",
    "Coffee with {a} next week?",
)
_PERSONAL_SUBJECTS = (
    "Dinner on Saturday?",
    "Photos from the trip",
    "Happy birthday!",
    "Running club",
    "Book recommendation",
    "Moving day",
    "Concert tickets",
)
_SENTENCES = (
    "I had a look at {topic} and left a few comments.",
    "Could you take a look at {topic} before Thursday?",
    "Let's pick this up in our next sync.",
    "The numbers for {topic} look better than last month.",
    "I think we should loop in legal before we commit to anything.",
    "Happy to go with your proposal on {topic}.",
    "No rush on this, next week is fine.",
    "Thanks for pulling this together so quickly.",
    "I'm out on Friday, so Monday would work best for me.",
    "We are still waiting on the final figures for {topic}.",
    "Sharing the doc here so everyone has the same version.",
    "From what I heard, the customer is keen to move ahead with {topic}.",
    "From my side this looks good to go.",
)
_GREETINGS = ("Hi {name},", "Hello {name},", "{name},", "Hey {name},")
_SIGN_OFFS = ("Thanks,", "Best,", "Cheers,", "Regards,", "")


def work_subject(rng: random.Random, a: str = "", b: str = "") -> str:
    """A work subject; with names ``a`` and ``b``, sometimes one that names them."""
    if a and b and rng.random() < 0.2:
        return rng.choice(_NAMED_SUBJECTS).format(a=a, b=b)
    return _capital(rng.choice(_WORK_SUBJECTS).format(topic=rng.choice(TOPICS)))


def personal_subject(rng: random.Random) -> str:
    """A subject between friends."""
    return rng.choice(_PERSONAL_SUBJECTS)


def body(rng: random.Random, to_first: str, from_first: str) -> str:
    """A greeting, one or two sentences and a sign-off, ending in a newline."""
    count = rng.choice((1, 1, 2))
    sentences = [rng.choice(_SENTENCES).format(topic=rng.choice(TOPICS)) for _ in range(count)]
    greeting = rng.choice(_GREETINGS).format(name=to_first)
    sign_off = rng.choice(_SIGN_OFFS)
    closing = f"{sign_off}\n{from_first}" if sign_off else from_first
    return f"{greeting}\n\n" + "\n".join(sentences) + f"\n\n{closing}\n"


def blast_body(rng: random.Random, from_first: str) -> str:
    """The text of a mass mailing."""
    pitch = rng.choice(
        (
            "Seats are limited, so register today.",
            "Join thousands of leaders who already signed up.",
            "Reply STOP to unsubscribe from future invitations.",
        )
    )
    return f"Dear colleague,\n\n{pitch}\n\n{from_first}\n"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
