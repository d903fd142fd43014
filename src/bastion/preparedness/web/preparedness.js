/* Plans & exercises: a sidebar section with the plan editor (readiness, versions, draft from data, save,
 * approve, printable plan), the exercise calendar (gaps, conflicts, proposals) and an exercise's injects and
 * after-action items. DOM built with textContent only (strict CSP); talks only to our own server:
 *   GET  {api}/sites/{id}/readiness, {api}/sites/{id}/emergency-plans, {api}/regions/{id}/exercise-calendar
 *   POST {api}/sites/{id}/emergency-plans[/draft], {api}/emergency-plans/{id}/approve, {api}/exercises/{id}/msel
 *   GET/PUT {api}/sites/{id}/spaces (protected spaces and lockable zones: their lines go into the sections)
 *   GET/POST {api}/exercises/{id}/clock (conduct: start, pause, resume, speed; polled each second while running)
 * Every exercise record is marked EXERCISE. Roles are positions, never names. */
import { csrfToken, getAllItems } from "./util.js";

const THREATS = ["marauding_attack", "vehicle_as_weapon", "ied", "fire_as_weapon", "cbr", "cyber"];

export function register({ api, t, h, getJSON, postJSON, onStatus }) {
  // calSeq: only the newest calendar answer is drawn; an answer asked for before a write (the injects) is stale
  const st = { region: null, site: null, readiness: null, plans: [], calendar: null, exercise: null, calSeq: 0,
    calBusy: false, spaces: [], clock: null, clockTimer: null };
  const el = {};
  const fail = (err) => onStatus(t("status.error", { message: err.message || String(err) }), true);

  function threatSelect(id) {
    return h("select", { id }, THREATS.map((x) => h("option", { value: x }, t(`eplan.threat.${x}`))));
  }

  function build() {
    el.heading = h("h2", { id: "prep-heading" });
    el.siteLabel = h("span");
    el.siteInput = h("input", { id: "prep-site", type: "number", min: "1", inputmode: "numeric" });
    el.load = h("button", { type: "button", id: "prep-load", onclick: () => loadSite().catch(fail) });
    el.readiness = h("p", { id: "prep-readiness", class: "prep-info", role: "status", "aria-live": "polite" });
    el.plans = h("ul", { id: "prep-plans", class: "prep-list" });
    el.threat = threatSelect("prep-threat");
    el.draft = h("button", { type: "button", id: "prep-draft", onclick: () => draft().catch(fail) });
    el.sectionsLabel = h("span");
    el.sections = h("textarea", { id: "prep-sections", rows: "4", spellcheck: "false" });
    el.save = h("button", { type: "button", id: "prep-save", onclick: () => save().catch(fail) });
    el.spacesHeading = h("h3", { id: "prep-spaces-heading" });
    el.spaces = h("div", { id: "prep-spaces", class: "prep-spaces" });
    el.spaceAdd = h("button", { type: "button", id: "prep-space-add", class: "link-button",
      onclick: () => { st.spaces.push({ kind: "protected_space", label: "", area_m2: null, capacity: null }); renderSpaces(); } });
    el.spacesSave = h("button", { type: "button", id: "prep-spaces-save", onclick: () => saveSpaces().catch(fail) });
    el.invacuation = h("p", { id: "prep-invacuation", class: "prep-info" });
    el.calHeading = h("h3", { id: "prep-cal-heading" });
    el.year = h("input", { id: "prep-year", type: "number", min: "2000", max: "2200",
      value: String(new Date().getUTCFullYear()) });
    el.yearLabel = h("span");
    el.calendar = h("p", { id: "prep-calendar", class: "prep-info" });
    el.exercises = h("select", { id: "prep-exercise", onchange: () => pickExercise() });
    el.msel = h("button", { type: "button", id: "prep-msel", onclick: () => injects().catch(fail) });
    el.injects = h("ol", { id: "prep-injects", class: "prep-list" });
    el.aar = h("ul", { id: "prep-aar", class: "prep-list" });
    el.clock = h("p", { id: "prep-clock", class: "prep-info", role: "status", "aria-live": "off" });
    el.clockStart = h("button", { type: "button", id: "prep-clock-start", onclick: () => clockAct("start").catch(fail) });
    el.clockPause = h("button", { type: "button", id: "prep-clock-pause", onclick: () => clockAct("pause").catch(fail) });
    el.clockResume = h("button", { type: "button", id: "prep-clock-resume", onclick: () => clockAct("resume").catch(fail) });
    el.clockSpeed = h("select", { id: "prep-clock-speed" },
      [1, 2, 5, 10, 30, 60].map((x) => h("option", { value: String(x) }, `×${x}`)));
    el.clockSpeed.addEventListener("change", () => {
      if (st.clock && st.clock.state !== "stopped") clockAct("speed").catch(fail);
    });
    el.year.addEventListener("change", () => loadCalendar().catch(fail));
    const section = h("section", { class: "prep patrol", "aria-labelledby": "prep-heading" },
      el.heading,
      h("label", { class: "field" }, el.siteLabel, el.siteInput), el.load, el.readiness, el.plans,
      h("div", { class: "field" }, el.threat, el.draft),
      h("label", { class: "field" }, el.sectionsLabel, el.sections), el.save,
      el.spacesHeading, el.spaces, el.spaceAdd, el.spacesSave, el.invacuation,
      el.calHeading, h("label", { class: "field" }, el.yearLabel, el.year), el.calendar,
      h("label", { class: "field" }, el.exercises), el.msel,
      h("div", { class: "field prep-clock-controls" }, el.clockStart, el.clockPause, el.clockResume, el.clockSpeed),
      el.clock, el.injects, el.aar);
    const results = document.querySelector(".sidebar .results");
    (results?.parentNode || document.body).insertBefore(section, results || null);
    text();
  }

  function text() {
    el.heading.textContent = t("prep.tab");
    el.siteLabel.textContent = t("prep.site_id");
    el.load.textContent = t("prep.load");
    el.draft.textContent = t("prep.draft");
    el.sectionsLabel.textContent = t("prep.sections_json");
    el.save.textContent = t("prep.save");
    el.spacesHeading.textContent = t("prep.spaces");
    el.spaceAdd.textContent = t("prep.space_add");
    el.spacesSave.textContent = t("prep.spaces_save");
    el.calHeading.textContent = t("prep.calendar");
    el.yearLabel.textContent = t("prep.year");
    el.msel.textContent = t("prep.msel");
    el.clockStart.textContent = t("prep.clock_start");
    el.clockPause.textContent = t("prep.clock_pause");
    el.clockResume.textContent = t("prep.clock_resume");
    el.clockSpeed.setAttribute("aria-label", t("prep.clock_speed"));
    el.threat.setAttribute("aria-label", t("prep.threat_label"));
    el.exercises.setAttribute("aria-label", t("prep.exercise_label"));
    for (const o of el.threat.options) o.textContent = t(`eplan.threat.${o.value}`);
    renderSite();
    renderSpaces();
    renderCalendar();
    renderExercise();
  }

  function renderSpaces() {
    el.spacesSave.disabled = !st.site;
    el.spaceAdd.disabled = !st.site;
    el.spaces.replaceChildren(...st.spaces.map((sp, i) => {
      const num = (key, attrs) => {
        const input = h("input", { type: "number", class: `prep-space-${key}`, min: "0", ...attrs,
          value: sp[key] == null ? "" : String(sp[key]) });
        input.addEventListener("input", () => { sp[key] = input.value === "" ? null : Number(input.value); });
        return input;
      };
      const kind = h("select", { class: "prep-space-kind", "aria-label": t("prep.space_kind.protected_space") },
        ["protected_space", "lockable_zone"].map((k) => h("option", { value: k }, t(`prep.space_kind.${k}`))));
      kind.value = sp.kind;
      kind.addEventListener("change", () => { sp.kind = kind.value; });
      const label = h("input", { type: "text", class: "prep-space-label", maxlength: "100", value: sp.label || "",
        "aria-label": t("prep.space_label"), placeholder: t("prep.space_label") });
      label.addEventListener("input", () => { sp.label = label.value; });
      return h("div", { class: "field prep-space", "data-index": String(i) }, kind, label,
        num("area_m2", { step: "any", "aria-label": t("prep.space_area"), placeholder: t("prep.space_area") }),
        num("capacity", { step: "1", "aria-label": t("prep.space_capacity"), placeholder: t("prep.space_capacity") }),
        h("button", { type: "button", class: "link-button prep-space-remove",
          onclick: () => { st.spaces.splice(i, 1); renderSpaces(); } }, t("prep.space_remove")));
    }));
    const inv = st.readiness && st.readiness.invacuation;
    el.invacuation.textContent = !inv ? "" : (inv.enough === null
      ? t("prep.invacuation_none", { people: inv.people })
      : t("prep.invacuation", { cap: inv.capacity, people: inv.people }));
    el.invacuation.classList.toggle("flag", !!inv && inv.enough !== true);
  }

  async function loadSpaces(id) {
    const v = await getJSON(`${api}/sites/${id}/spaces`);
    if (st.site !== id) return;
    st.spaces = v.spaces.filter((x) => x.source === "user").map(({ kind, label, area_m2, capacity }) =>
      ({ kind, label, area_m2, capacity }));
    renderSpaces();
  }

  async function saveSpaces() {
    if (!st.site) return;
    const v = await send("PUT", `${api}/sites/${st.site}/spaces`, { spaces: st.spaces });
    // the plan being edited takes the spaces' lines (the draft's placeholders go); Save stores it as a version
    let sections = {};
    try { sections = JSON.parse(el.sections.value || "{}"); } catch (err) { sections = {}; }
    sections.invacuation = { ...(sections.invacuation || {}), protected_spaces: v.protected_spaces };
    sections.lockdown = { ...(sections.lockdown || {}), lockable_zones: v.lockable_zones };
    el.sections.value = JSON.stringify(sections);
    onStatus(t("prep.saved"), false);
    await loadSite();
  }

  function renderSite() {
    const r = st.readiness;
    el.readiness.textContent = !r ? t("prep.select_site") : [
      t("prep.level", { x: r.level ? t(`prep.level.${r.level}`, null, r.level) : "—" }),
      r.missing_scenarios.length ? t("prep.missing_plans", { x: r.missing_scenarios.map((x) => t(`eplan.threat.${x}`)).join(", ") }) : "",
      t("prep.training", { t: r.trained, e: r.expected }),
    ].filter(Boolean).join(" · ");
    el.plans.replaceChildren(...(st.plans.length ? st.plans : [null]).map((p) => {
      if (!p) return h("li", { class: "muted" }, st.site ? t("prep.no_plans") : "");
      const flags = (r && r.plans[p.threat]) || [];
      const approve = p.status === "draft" ? h("button", { type: "button", class: "link-button prep-approve",
        onclick: () => approve_(p.id).catch(fail) }, t("prep.approve")) : null;
      return h("li", { class: "prep-plan", "data-plan": String(p.id) },
        h("strong", null, t(`eplan.threat.${p.threat}`)), " ", t("eplan.version", { v: p.version }), " · ",
        t(`eplan.status.${p.status}`), " ",
        h("a", { href: `${api}/emergency-plans/${p.id}/print?lang=${encodeURIComponent(document.documentElement.lang || "en")}`,
          target: "_blank", rel: "noopener", class: "prep-print" }, t("prep.print")), " ", approve,
        flags.length ? h("div", { class: "prep-flags muted" }, flags.map((f) => {
          const [name, x] = f.split(":");
          return t(`eplan.flag.${name}`, { x: x ? flagPart(x) : "" });
        }).join("; ")) : null);
    }));
  }

  // a flag's detail, "lockdown" or "evacuation.exits", in words: "Lockdown", "Evacuation: Exits (clear width)"
  function flagPart(x) {
    const [proc, fieldName] = x.split(".");
    const procText = t(`eplan.proc.${proc}`, null, proc);
    return fieldName ? `${procText}: ${t(`eplan.field.${fieldName}`, null, fieldName)}` : procText;
  }

  async function loadSite() {
    const id = Number(el.siteInput.value);
    if (!id) return;
    st.site = id;
    const [r, plans] = await Promise.all([getJSON(`${api}/sites/${id}/readiness`),
      getAllItems(`${api}/sites/${id}/emergency-plans`)]);
    if (st.site !== id) return;
    st.readiness = r;
    // the newest version per threat first
    st.plans = plans.filter((p, i, a) => a.findIndex((q) => q.threat === p.threat) === i);
    if (st.plans[0] && !el.sections.value) el.sections.value = JSON.stringify(st.plans[0].sections);
    renderSite();
    await loadSpaces(id);
  }

  async function send(method, url, body) {
    const res = method === "POST" ? await postJSON(url, body) : await fetch(url, { method,
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body ?? {}) });
    if (!res.ok) {
      const err = await res.json().catch(() => ({}));
      throw new Error((err.error && err.error.message) || `HTTP ${res.status}`);
    }
    return res.json();
  }

  async function draft() {
    if (!st.site) return;
    await send("POST", `${api}/sites/${st.site}/emergency-plans/draft`, { threat: el.threat.value });
    onStatus(t("prep.saved"), false);
    await loadSite();
  }

  async function save() {
    if (!st.site) return;
    let sections;
    try { sections = JSON.parse(el.sections.value || "{}"); } catch (err) { throw new Error(`sections: ${err.message}`); }
    await send("POST", `${api}/sites/${st.site}/emergency-plans`, { threat: el.threat.value, sections });
    onStatus(t("prep.saved"), false);
    await loadSite();
  }

  async function approve_(id) {
    await send("POST", `${api}/emergency-plans/${id}/approve`, {});
    await loadSite();
  }

  function renderCalendar() {
    const c = st.calendar;
    el.calendar.textContent = !c ? "" : [t("prep.exercises") + `: ${c.exercises.length}`,
      t("prep.gaps", { n: c.gaps.length }), t("prep.conflicts", { n: c.conflicts.length }),
      t("prep.proposals", { n: c.proposals.length })].join(" · ");
    const current = el.exercises.value;
    el.exercises.replaceChildren(h("option", { value: "" }, t("prep.exercises")),
      ...(c ? c.exercises : []).map((e) => h("option", { value: String(e.id) },
        `[${t("prep.exercise_mode")}] ${e.start.slice(0, 10)} ${e.name} (${t(`prep.exercise_type.${e.type}`, null, e.type)})`)));
    el.exercises.value = current;
  }

  async function loadCalendar() {
    if (!st.region) return;
    const year = Number(el.year.value) || new Date().getUTCFullYear();
    const region = st.region;
    const seq = ++st.calSeq;
    st.calBusy = true;
    let c;
    try {
      c = await getJSON(`${api}/regions/${region}/exercise-calendar?first_year=${year}&years=1`);
    } finally {
      if (seq === st.calSeq) st.calBusy = false;
    }
    if (st.region !== region || seq !== st.calSeq) return;
    st.calendar = c;
    renderCalendar();
    pickExercise();
  }

  function pickExercise() {
    const id = Number(el.exercises.value);
    const before = st.exercise && st.exercise.id;
    st.exercise = (st.calendar && st.calendar.exercises.find((e) => e.id === id)) || null;
    if (before !== id) {
      clearTimeout(st.clockTimer);
      st.clock = null;
      if (st.exercise) pollClock().catch(fail);
    }
    renderExercise();
  }

  function renderExercise() {
    const e = st.exercise;
    el.msel.disabled = !e || e.status === "finalised";
    el.injects.replaceChildren(...(e ? e.msel : []).map((i) => h("li", {
      class: i.released_at ? "prep-inject released" : "prep-inject", "data-no": String(i.no) },
      h("span", { class: "patrol-time" }, `T+${i.offset_s} s`), " ", injectText(i), " → ",
      t(`eplan.position.${i.to}`),
      i.released_at ? h("span", { class: "prep-released" }, " ✓ " + t("prep.released_at",
        { at: i.released_at.slice(11, 19) })) : null)));
    renderClock();
    const items = e && e.aar && e.aar.improvements ? e.aar.improvements : [];
    const arrivals = e && e.evaluation && e.evaluation.arrivals ? e.evaluation.arrivals.filter((a) => a.late) : [];
    const lang = encodeURIComponent(document.documentElement.lang || "en");
    el.aar.replaceChildren(
      ...(e ? [h("li", null, h("a", { href: `${api}/exercises/${e.id}/aar/print?lang=${lang}`, target: "_blank",
        rel: "noopener", class: "prep-aar-print" }, t("prep.aar_print")), " · ",
      h("a", { href: `${api}/exercises/${e.id}/msel.csv`, class: "prep-msel-csv" }, "MSEL CSV"), " · ",
      h("a", { href: `${api}/exercises/${e.id}/msel.xlsx`, class: "prep-msel-xlsx" }, "MSEL XLSX"))] : []),
      ...arrivals.map((a) => h("li", { class: "flag" }, `${a.unit}: ${t("prep.late")}`)),
      ...items.map((i) => h("li", null, `${t("prep.aar")}: ${t(`prep.capability.${i.capability}`, null, i.capability)}: ${i.corrective_action} (${i.owner_agency}, ${i.due})`)));
  }

  function clockTime(s) {
    const v = Math.floor(s || 0);
    const hh = Math.floor(v / 3600);
    const mm = String(Math.floor((v % 3600) / 60)).padStart(2, "0");
    return `T+${hh}:${mm}:${String(v % 60).padStart(2, "0")}`;
  }

  function renderClock() {
    const e = st.exercise;
    const c = st.clock && e && st.clock.exercise_id === e.id ? st.clock : null;
    const state = c ? c.state : "stopped";
    const open = !!e && e.status !== "finalised" && e.msel.length > 0;
    el.clockStart.disabled = !open || state !== "stopped";
    el.clockPause.disabled = !open || state !== "running";
    el.clockResume.disabled = !open || state !== "paused";
    // a speed-up is for discussion-based exercises; drills and field exercises run in real time
    el.clockSpeed.disabled = !open || !["seminar", "workshop", "tabletop", "game"].includes(e && e.type);
    // the menu shows the speed the clock runs at (after a reload too), not the default
    if (c && state !== "stopped" && c.speed && document.activeElement !== el.clockSpeed) {
      el.clockSpeed.value = String(c.speed);
    }
    el.clock.textContent = !e ? "" : t("prep.clock", { time: clockTime(c ? c.exercise_s : 0),
      state: t(`prep.clock_state.${state}`), speed: c ? c.speed : 1,
      n: c ? c.released.length : 0, total: e.msel.length });
  }

  function applyClock(c) {
    st.clock = c;
    const e = st.exercise;
    if (e && c.exercise_id === e.id) {
      const at = new Map(c.released.map((r) => [r.no, r.released_at]));
      e.msel = e.msel.map((i) => (at.has(i.no) ? { ...i, released_at: at.get(i.no) } : i));
    }
    renderExercise();
    clearTimeout(st.clockTimer);
    if (c.state === "running" && e && c.exercise_id === e.id) {
      st.clockTimer = setTimeout(() => pollClock().catch(fail), 1000);
    }
  }

  async function pollClock() {
    const e = st.exercise;
    if (!e) return;
    const c = await getJSON(`${api}/exercises/${e.id}/clock`);
    if (st.exercise && st.exercise.id === c.exercise_id) applyClock(c);
  }

  async function clockAct(action) {
    const e = st.exercise;
    if (!e) return;
    const body = { action };
    if (action === "start" || action === "speed") body.speed = Number(el.clockSpeed.value) || 1;
    applyClock(await send("POST", `${api}/exercises/${e.id}/clock`, body));
  }

  function injectText(i) {
    if (!i.key) return i.synopsis;
    const args = { ...(i.args || {}) };
    if (args.threat) args.threat = t(`eplan.threat.${args.threat}`);
    return t(i.key, args);
  }

  async function injects() {
    if (!st.exercise) return;
    const e = await send("POST", `${api}/exercises/${st.exercise.id}/msel`, {});
    // a calendar still on its way (e.g. asked by the year box's change on blur when this button took the focus)
    // may predate the injects: drop it and ask again, so it cannot wipe the injects just drawn
    const stale = st.calBusy;
    st.calSeq += 1;
    st.calBusy = false;
    st.exercise = e;
    if (st.calendar) st.calendar.exercises = st.calendar.exercises.map((x) => (x.id === e.id ? e : x));
    renderExercise();
    if (stale) await loadCalendar();
  }

  build();
  return {
    async setRegion(region) {
      st.region = region.id;
      st.calendar = null;
      st.exercise = null;
      renderCalendar();
      renderExercise();
      await loadCalendar().catch(fail);
    },
    refreshText: text,
  };
}
