"""Open Badges 2.0 documents (hosted verification): the issuer's Profile, a BadgeClass and
an Assertion, as JSON-LD dictionaries. The URLs come from the caller (the views build
them), so these stay plain functions of their inputs.

Recipients are identified by a URL they hold (a person's or a household's progress page,
a unit's entry on the public board), hashed with the award's own salt: ``sha256$`` and
the hex SHA-256 of the URL followed by the salt, as the specification describes.
"""
import hashlib
from datetime import datetime, timezone

CONTEXT = "https://w3id.org/openbadges/v2"


def hash_identity(identity: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


def issuer_document(*, id: str, name: str, url: str, email: str) -> dict:
    return {"@context": CONTEXT, "type": "Issuer", "id": id, "name": name, "url": url, "email": email}


def badge_class_document(*, id: str, name: str, description: str, image: str, criteria_url: str,
                         criteria: str, issuer: str, tags: list[str]) -> dict:
    return {"@context": CONTEXT, "type": "BadgeClass", "id": id, "name": name, "description": description,
            "image": image, "criteria": {"id": criteria_url, "narrative": criteria}, "issuer": issuer, "tags": tags}


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def assertion_document(*, id: str, badge: str, image: str, identity: str, salt: str, issued_at: datetime,
                       narrative: str, revoked_reason: str | None = None) -> dict:
    """The assertion; a revoked one says so (``revoked``, ``revocationReason``)."""
    doc = {
        "@context": CONTEXT, "type": "Assertion", "id": id,
        "recipient": {"type": "url", "hashed": True, "salt": salt, "identity": hash_identity(identity, salt)},
        "badge": badge, "verification": {"type": "hosted"}, "issuedOn": _iso(issued_at), "image": image,
        # Who and since when, as the badge's image shows it (issuedOn is when this
        # assertion was made, the day it was earned may be earlier).
        "narrative": narrative,
    }
    if revoked_reason is not None:
        doc.update(revoked=True, revocationReason=revoked_reason)
    return doc
