"""Threat and response levels as data.

- ``uk``: five threat levels; response levels per ProtectUK: LOW/MODERATE -> NORMAL, SUBSTANTIAL/SEVERE ->
  HEIGHTENED, CRITICAL -> EXCEPTIONAL (https://protectuk.police.uk/threat-and-response-levels). No expiry.
- ``cn``: 常态 (normal) and the three heightened-protection levels 三级 / 二级 / 一级 (level_3 lowest).
- ``ntas``: US NTAS bulletin / elevated / imminent; alerts and bulletins carry a sunset (expiry required).

``rank`` (0..3) puts every scheme on one scale of response intensity for rules that are not scheme-specific.
"""

from __future__ import annotations

from dataclasses import dataclass

from bastion.kernel.errors import InvalidInput


@dataclass(frozen=True)
class Scheme:
    code: str
    levels: tuple[str, ...]  # lowest first
    ranks: tuple[int, ...]  # response rank of each level
    responses: tuple[str, ...]  # response level of each threat level
    expiry_required: tuple[bool, ...]
    labels_zh: tuple[str, ...]

    def index(self, level: str) -> int:
        if level not in self.levels:
            raise InvalidInput(f"level must be one of {list(self.levels)} for scheme {self.code}, got {level!r}",
                               field="level")
        return self.levels.index(level)

    def rank(self, level: str) -> int:
        return self.ranks[self.index(level)]

    def response(self, level: str) -> str:
        return self.responses[self.index(level)]


SCHEMES: dict[str, Scheme] = {
    "uk": Scheme("uk", ("LOW", "MODERATE", "SUBSTANTIAL", "SEVERE", "CRITICAL"), (0, 0, 1, 1, 2),
                 ("NORMAL", "NORMAL", "HEIGHTENED", "HEIGHTENED", "EXCEPTIONAL"), (False,) * 5,
                 ("低", "中等", "较高", "严重", "危急")),
    "cn": Scheme("cn", ("normal", "level_3", "level_2", "level_1"), (0, 1, 2, 3),
                 ("常态", "三级", "二级", "一级"), (False, False, False, False),
                 ("常态防范", "三级非常态防范", "二级非常态防范", "一级非常态防范")),
    "ntas": Scheme("ntas", ("none", "bulletin", "elevated", "imminent"), (0, 1, 2, 3),
                   ("NONE", "BULLETIN", "ELEVATED", "IMMINENT"), (False, True, True, True),
                   ("无", "公告", "升高警报", "紧迫警报")),
}
BASELINE = {"uk": "SUBSTANTIAL", "cn": "normal", "ntas": "none"}  # the level a region is at without a declaration


def scheme(code: str) -> Scheme:
    if code not in SCHEMES:
        raise InvalidInput(f"scheme must be one of {list(SCHEMES)}, got {code!r}", field="scheme")
    return SCHEMES[code]
