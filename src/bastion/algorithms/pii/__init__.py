"""Personal-data guard for free text: finds phone numbers, e-mail addresses, identity numbers (incl. the 18-digit
Chinese resident ID with its ISO 7064 MOD 11-2 check digit), passport-like and plate-like strings."""

from bastion.algorithms.pii.detect import Finding
from bastion.algorithms.pii.detect import cn_resident_id_valid
from bastion.algorithms.pii.detect import find_personal_data
from bastion.algorithms.pii.detect import refuse_personal_data

__all__ = ["Finding", "cn_resident_id_valid", "find_personal_data", "refuse_personal_data"]
