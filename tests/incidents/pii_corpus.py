"""A labelled corpus for the free-text personal-data guard.

POSITIVE: sentences that carry a personal-data string (phone, e-mail, identity number, Chinese resident ID with a
valid check digit, passport-like, plate-like), in the formats of the countries Bastion is used in (UK, PT, FR, MC,
CN, US). Generated with a fixed seed from format templates, so the corpus is large and reproducible.
NEGATIVE: ordinary operational sentences as an incident log holds them (counts, times, dates, distances, grid
references, coordinates, road numbers, call signs, standards), hand-written plus templated with numbers.
"""

from __future__ import annotations

import random

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _cn_id(rng: random.Random) -> str:
    area = rng.choice(["110105", "310104", "440305", "510107", "330106", "320102"])
    y, m, d = rng.randint(1950, 2008), rng.randint(1, 12), rng.randint(1, 28)
    body = f"{area}{y:04d}{m:02d}{d:02d}{rng.randint(0, 999):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W, strict=True)) % 11]


def _d(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _L(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))


def _phones(rng: random.Random) -> list[str]:
    return [
        f"+44 20 {_d(rng, 4)} {_d(rng, 4)}", f"020 {_d(rng, 4)} {_d(rng, 4)}", f"07700 {_d(rng, 6)}",
        f"+44 7700 {_d(rng, 6)}", f"+351 91{_d(rng, 1)} {_d(rng, 3)} {_d(rng, 3)}",
        f"22{_d(rng, 1)} {_d(rng, 3)} {_d(rng, 3)}",
        f"+33 6 {_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)}",
        f"06.{_d(rng, 2)}.{_d(rng, 2)}.{_d(rng, 2)}.{_d(rng, 2)}",
        f"+377 93 {_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)}", f"1{rng.choice('3578')}{_d(rng, 9)}",
        f"1{rng.choice('3578')}{_d(rng, 1)}-{_d(rng, 4)}-{_d(rng, 4)}", f"+86 13{_d(rng, 1)} {_d(rng, 4)} {_d(rng, 4)}",
        f"(212) 555-{_d(rng, 4)}", f"555-{_d(rng, 4)}", f"+1-202-555-{_d(rng, 4)}", f"010-{_d(rng, 8)}",
        f"+49 30 {_d(rng, 8)}", f"0{_d(rng, 3)} {_d(rng, 3)} {_d(rng, 4)}",
    ]


def _emails(rng: random.Random) -> list[str]:
    user = rng.choice(["j.smith", "ana.silva", "wang.wei", "m-dupont", "caller99", "x_y"])
    dom = rng.choice(["example.com", "mail.pt", "qq.com", "163.com", "gmail.com", "police.uk"])
    return [f"{user}@{dom}", f"{user} @ {dom}", f"{user}(at){dom.replace('.', '(dot)')}", f"{user.upper()}@{dom}"]


def _ids(rng: random.Random) -> list[str]:
    return [_cn_id(rng), _cn_id(rng), f"{_d(rng, 3)}-{_d(rng, 2)}-{_d(rng, 4)}",
            f"{_L(rng, 2)} {_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)} {rng.choice('ABCD')}", f"{_d(rng, 9)}",
            f"{_d(rng, 4)} {_d(rng, 4)} {_d(rng, 4)} {_d(rng, 4)}", f"{_d(rng, 15)}"]


def _passports(rng: random.Random) -> list[str]:
    return [f"{rng.choice('EGDPS')}{_d(rng, 8)}", f"{_L(rng, 2)}{_d(rng, 7)}", f"{_L(rng, 1)}{_d(rng, 7)}",
            f"{_L(rng, 2)} {_d(rng, 6)}"]


def _plates(rng: random.Random) -> list[str]:
    return [f"{_L(rng, 2)}{_d(rng, 2)} {_L(rng, 3)}", f"{_L(rng, 2)}{_d(rng, 2)}{_L(rng, 3)}",
            f"{rng.choice('京沪粤川浙苏')}{_L(rng, 1)}{_d(rng, 2)}{_L(rng, 1)}{_d(rng, 2)}",
            f"{rng.choice('京沪粤')}{_L(rng, 1)}·{_L(rng, 1)}{_d(rng, 4)}",
            f"{_L(rng, 2)}-{_d(rng, 3)}-{_L(rng, 2)}", f"{_d(rng, 2)}-{_L(rng, 2)}-{_d(rng, 2)}",
            f"{_L(rng, 2)}-{_d(rng, 2)}-{_L(rng, 2)}", f"{_d(rng, 1)}{_L(rng, 3)}{_d(rng, 3)}"]


_CARRIERS = [
    "Caller on {x} reports smoke from the east entrance.",
    "Witness contact {x}, call back later.",
    "Suspect vehicle {x} seen leaving northbound.",
    "Contact: {x}",
    "{x}",
    "Report received from {x} at the main gate.",
    "Steward gave number {x} for updates.",
    "Informant {x} says two casualties in the foyer.",
    "ID shown: {x}.",
    "Registered keeper of {x} to be traced.",
    "报警人电话 {x}，称东门有可疑物品。",
    "车辆 {x} 驶离现场。",
]


def positive(seed: int = 20261130) -> list[tuple[str, str]]:
    """(sentence, category) pairs, each sentence carrying one personal-data string."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for _ in range(12):
        for cat, gen in (("phone", _phones), ("email", _emails), ("identity", _ids), ("passport", _passports),
                         ("plate", _plates)):
            for x in gen(rng):
                out.append((rng.choice(_CARRIERS).format(x=x), cat))
    return out


_HAND = """\
Major incident declared at 14:05 by the police tactical commander.
Vehicle struck pedestrians on the promenade; 3 P1, 5 P2, 12 P3 casualties.
Cordon at 100 m around the suspicious item; evacuation to 400 m in progress.
ARV 21 and ARV 23 on scene, Trojan 621 en route, ETA 4 minutes.
Echo 3-1 reports access via the A316 blocked, use the M25 junction 12.
Fire service requests 2 pumps and an aerial ladder platform at the north stand.
Suspicious package reported near gate B, stewards holding the crowd back 50 m.
Rendezvous point at the car park entrance, marshalling area on Avenue de la Costa.
Stand-off distances from the NCTC bomb threat chart applied: 21 m mandatory, 366 m preferred.
HVM barriers at entry 4 rated IWA 14-1 V/7200[N3C]/48/90 held.
Situation report ICS-209 due at 18:00; next update in 30 minutes.
Hazards: smoke in the concourse, glass on the platform, power off in block C.
Grid reference TQ 30172 80527 for the forward control point.
Rendezvous at 43.7384, 7.4246 next to the stadium.
Site node/123456789 is the station concourse; way/987654321 is the car park.
Approximately 1500 people evacuated from the arena to the marina.
2 ambulances and 1 HART team requested, 4 units available in the zone.
CBRN: casualties reporting eye irritation; decontamination at the east gate.
Drone sighted over the stadium at 120 m altitude, heading south-west.
Hostage situation in the bank on Rua de Santa Catarina, negotiators requested.
Arson at the depot; fire contained at 16:20, no casualties.
Unit Alpha 2 out of service for fuel, back in 15 minutes.
Crowd density above 4 people per square metre at the exit.
Police at gates 1, 2 and 3; stewards at 4 to 7.
The 2026-11-30 exercise scenario follows the 2025 plan, version 3.2.
Press office to release the holding statement at 15:30.
PA announcement made in English, French and Portuguese.
Outer cordon on Boulevard Albert 1er and Avenue Princesse Grace.
Invacuation complete for the shopping centre, 6 stores locked down.
Bus 42 diverted; tram line B suspended between stops 3 and 9.
Platform 2 cleared, trains held at Campanhã.
Temperature 31 C, wind NW 15 km/h, visibility good.
Medical: 1 deceased, 2 immediate, 4 urgent, 9 delayed, 30 walking wounded.
Casualty clearing station at the sports hall, capacity 40.
Route 7 closed at km 12.5; diversion via N13.
Section 2.4 of the plan: evacuation via exits E1 to E6.
Channel 3 for command, channel 5 for fire liaison.
JESIP M/ETHANE message passed at 14:12, METHANE update at 14:40.
Risk assessment: secondary device possible, keep 400 m.
Two suspicious items, one cleared by EOD at 17:02.
Traffic light junction 14 jammed; approach from the west.
Stewards report 250 people sheltering in the museum basement.
Hotel Hermitage invacuated, 180 guests in the ballroom.
Gate C staff count 12 of 14 present.
EOD team Bravo 7 arrived; robot deployed at 15:48.
Shift change at 22:00, handover brief at 21:45.
Road closure on the A1 between junction 3 and 4 until 06:00.
Incident number CAD 2026/1130/0042 logged.
Second explosion reported 200 m north of the first.
Evacuation routes via Rue Grimaldi and Boulevard Rainier III.
Water supply to the hydrant at point H3 confirmed.
Firearms discharged, 3 shots heard inside the mall at 19:31.
Knife attack near the ticket office, suspect detained by police.
Helicopter landing site at the football pitch, 60 x 40 m.
1/3/5-minute coverage lost for 4 sites in the north district.
Crew count 4 on ARV 12, 2 on Bike 3.
Level 2 of the car park closed; levels 0 and 1 open.
Threat level SEVERE, response level HEIGHTENED at the venue.
Suspected PBIED, evacuation distance 46 m mandatory, 564 m preferred.
Van parked on the pavement at the entrance, engine running.
Reports of a white powder in the mailroom at floor 3.
Stand down of the armed units at 18:20; scene handed to CSI.
Overall, 7 agencies present: police, fire, ambulance, council, transport, army EOD, coastguard.
UPDATE 3: casualties now 2 P1, 6 P2, 15 P3.
Exits 5 and 6 blocked by debris; use 1 to 4.
Requesting 10 more stewards at the west concourse.
Power restored to blocks A-C at 16:45.
Casualty figures confirmed with the hospital at 17:10.
Alarm activated at 03:12, keyholder attending.
Perimeter fence breached at section 14-15.
Queue of about 800 people at the security search area.
Crowd moved back 150 m from the cordon line.
PM2.5 and CO2 readings normal in the shelter.
Building 7, floors 2 to 5 searched and clear.
2 x 4x4 vehicles needed for the beach access.
EN 1627 RC3 doors held at the control room.
ISO 22311 and PAS 68 references attached.
The stadium holds 18,523 spectators; 12,000 attended today.
第三名伤员已送往医院，现场封控半径 400 米。
东门发现可疑包裹，已疏散 200 人。
消防车 2 辆、救护车 3 辆到场。
14 时 20 分解除警戒，恢复通行。
Arrival of 3 fire engines at 14:35, 1 aerial at 14:41.
Road speed limited to 30 km/h around the scene.
Dog unit K9-2 search of the stands complete.
Bravo 7-1 and Bravo 7-2 at the inner cordon.
Access via gate 12, egress via gate 14.
The event started at 20:00 with 35,000 in attendance.
Staging area at the Port Hercule, 25 vehicles capacity.
Lockdown lifted at 21:15 after sweep of floors 1-4.
Mass casualty plan activated: level 3.
Two explosions at 09:47 and 09:52.
A1 and A28 closed southbound until further notice.
Temporary mortuary at the sports hall, annex 2.
Reception centre at the town hall for 300 evacuees.
Forward command post relocated 50 m west.
Aviation restriction 2 NM radius up to 2000 ft.
"""

_NUMERIC_TEMPLATES = [
    "{a} casualties at {h:02d}:{m:02d}, {b} units on scene.",
    "Cordon radius {r} m; outer cordon {r2} m.",
    "Unit {c} en route, ETA {a} min, {b} km away.",
    "Evacuated {n} people from {site}.",
    "{a} P1, {b} P2, {c2} P3 at the casualty clearing station.",
    "Road closed between km {a} and km {b}.",
    "Update {a} at {h:02d}:{m:02d}: {n} people sheltering.",
    "Gate {a} and gate {b} open, gate {c2} closed.",
    "Crowd of about {n} at {site}, density {a} per m2.",
    "{site}: {a} floors searched, {b} remaining.",
    "Rendezvous at {lat:.4f}, {lon:.4f}.",
    "Incident log entry {a}/{b}: police at {site}.",
    "Arrived {h:02d}:{m:02d}, departed {h2:02d}:{m:02d}.",
    "{n} spectators, {a} exits, {b} stewards per exit.",
    "Coverage: {a} of {b} sites within {c2} minutes.",
]
_SITES = ["the stadium", "the station", "the marina", "the shopping centre", "the cathedral", "gate C", "the arena",
          "the concourse", "the car park", "Praça da Liberdade"]
_CALLSIGNS = ["ARV 21", "Echo 3-1", "Bravo 7", "Trojan 621", "Alpha 2", "Bike 3", "K9-2", "Fire 12", "Medic 4"]


def negative(seed: int = 20261130) -> list[str]:
    """Ordinary operational sentences (no personal data)."""
    rng = random.Random(seed + 1)
    out = [line for line in _HAND.splitlines() if line.strip()]
    for _ in range(400):
        t = rng.choice(_NUMERIC_TEMPLATES)
        out.append(t.format(a=rng.randint(1, 60), b=rng.randint(1, 90), c2=rng.randint(1, 9), h=rng.randint(0, 23),
                            m=rng.randint(0, 59), h2=rng.randint(0, 23), r=rng.choice([50, 100, 200, 400]),
                            r2=rng.choice([400, 600, 1000]), n=rng.randint(10, 40000), site=rng.choice(_SITES),
                            c=rng.choice(_CALLSIGNS), lat=rng.uniform(38, 44), lon=rng.uniform(-9, 8)))
    return out
