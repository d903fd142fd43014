"""The incidents domain's long work as jobs: a scheduled situation report (queued by the periodic check). The kind
lives beside the reports it makes (``sitreps``), which queue it; this module lists it for the manifest."""

from __future__ import annotations

from bastion.incidents.sitreps import SITREP

KINDS = (SITREP,)
