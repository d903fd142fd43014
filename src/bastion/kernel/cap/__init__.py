"""OASIS Common Alerting Protocol 1.2: the schema every outgoing CAP message is validated against.

``CAP-v1.2.xsd`` is the OASIS schema, vendored unmodified (NOTICE.md next to it); its sha256 is checked on load so a
changed copy is refused. Used by the incidents domain (public warnings) and the warning domain (early-warning alerts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from bastion.kernel.errors import DataIntegrityError

NS = "urn:oasis:names:tc:emergency:cap:1.2"
XSD = Path(__file__).with_name("CAP-v1.2.xsd")
XSD_SHA256 = "b7798ef25868b068c97b268bda02d067c7d4ba9373adc5638bf37105804ee723"


@cache
def schema() -> Any:
    """The parsed CAP 1.2 schema (xmlschema.XMLSchema), loaded once."""
    import xmlschema

    data = XSD.read_bytes()
    if hashlib.sha256(data).hexdigest() != XSD_SHA256:
        raise DataIntegrityError(f"{XSD} does not match its recorded sha256: reinstall Bastion")
    return xmlschema.XMLSchema(str(XSD))


def schema_errors(xml: str) -> list[str]:
    """Schema errors of a CAP document (empty: valid)."""
    return [str(e.reason or e) for e in schema().iter_errors(xml)]


def cap_time(t: dt.datetime) -> str:
    """A CAP dateTime: UTC, whole seconds, explicit +00:00 offset (CAP forbids the "Z" form)."""
    return t.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S+00:00")
