/* Patrol plan view: pick a stored plan of the region and a day; each team's route is drawn in its own
 * colour with numbered stops and arrival times. Talks only to our own server:
 *   GET {api}/regions/{id}/patrol-plans, {api}/patrol-plans/{id}/schedules?day=N
 *   POST {api}/regions/{id}/patrol-plans (plan:write: teams, shift, days; a job with progress and cancel),
 *   GET {api}/patrol-plans/{id}, {api}/patrol-plans/{id}/export
 * Teams are numbered ("Team 1"), never named people. Each team can be shown or hidden (a checkbox per team in the
 * sidebar, which is the routes' legend); selecting a site highlights its visits (stops ringed on the map, the
 * teams' lines in the sidebar) and the site panel lists them (which teams, at what times). The plan, the day and
 * the hidden teams are part of the page's link (links.js). */
import { domIcon, getAllItems, getJSON, h, readSettings, tip } from "./util.js";
import { can, field, readNumber, setFieldError, submitForm } from "./forms.js";
import { runJobResult } from "./jobs.js";
import { lang, siteName, t } from "./i18n.js";

/* global L */

/* the printable plan's colours too: one list in Python (patrol/enums.py TEAM_COLOURS), served by /api/v1/meta */
export const TEAM_COLOURS = readSettings().team_colours || ["#1f77b4"];
export const teamColour = (team) => TEAM_COLOURS[(team - 1) % TEAM_COLOURS.length];

/**
 * Wire the patrol section of the sidebar to the map.
 * @param {{map: any, api: string, onError: (msg: string) => void}} opts
 */
export function createPatrolView({ map, api, onError, onChange = () => {} }) {
  const $ = (id) => document.getElementById(id);
  const el = { plan: $("patrol-plan"), day: $("patrol-day"), teams: $("patrol-teams"), info: $("patrol-info") };
  map.createPane("patrol").style.zIndex = 450; // routes: above roads and footprints, below site markers
  map.createPane("patrolStops").style.zIndex = 650; // numbered stops: above site markers
  const layer = L.layerGroup().addTo(map);
  const state = {
    regionId: null, plans: [], plan: null, day: 1, schedules: [], seq: 0,
    hidden: new Set(), // team numbers not drawn
    siteId: null, // the selected site (its visits are highlighted)
    loaded: Promise.resolve(), // the current region's plans
  };
  const panelBoxes = new Set(); // the site panel's "patrol visits" sections (re-rendered when the plan changes)

  function planLabel(p) {
    return t("patrol.plan_option", { id: p.id, teams: p.teams, shift: p.shift, days: p.days });
  }

  function renderPlanOptions() {
    el.plan.replaceChildren(
      h("option", { value: "" }, state.plans.length ? t("patrol.none_selected") : t("patrol.no_plans")),
      ...state.plans.map((p) => h("option", { value: String(p.id) }, planLabel(p))),
    );
    el.plan.disabled = !state.plans.length;
    el.plan.value = state.plan ? String(state.plan.id) : "";
  }

  function renderDayOptions() {
    const n = state.plan ? state.plan.days : 0;
    el.day.replaceChildren(...Array.from({ length: n }, (_, i) => h("option", { value: String(i + 1) },
      t("patrol.day_option", { day: i + 1 }))));
    el.day.disabled = !n;
    if (n) el.day.value = String(state.day);
  }

  function renderInfo() {
    renderTools();
    if (!state.plan) { el.info.textContent = ""; return; }
    el.info.textContent = t("patrol.summary", {
      gain: Math.round(state.plan.attacker_utility), status: t(`dash.solver.${state.plan.solver_status}`, null, state.plan.solver_status),
    });
  }

  /* export (CSV, JSON), print (the printable HTML plan) and, with plan:write, a new plan */
  const tools = h("div", { class: "patrol-tools", id: "patrol-tools" });
  el.info.after(tools);
  function renderTools() {
    const parts = [];
    if (state.plan) {
      const base = `${api}/patrol-plans/${state.plan.id}/export`;
      parts.push(h("p", { class: "patrol-exports" },
        h("a", { href: `${base}?lang=${encodeURIComponent(lang())}&format=html`, target: "_blank", rel: "noopener", id: "patrol-print" }, t("patrol.print")), " · ",
        h("a", { href: `${base}?format=csv`, download: "", id: "patrol-csv" }, "CSV"), " · ",
        h("a", { href: `${base}?format=json`, download: "", id: "patrol-json" }, "JSON")));
    }
    if (can("plan:write") && state.regionId !== null) parts.push(newPlanForm());
    tools.replaceChildren(...parts);
  }

  function newPlanForm() {
    const teams = h("input", { type: "number", min: "1", max: "200", step: "1", value: "3", inputmode: "numeric" });
    const start = h("input", { type: "time", value: "08:00", required: true });
    const end = h("input", { type: "time", value: "16:00", required: true });
    const days = h("input", { type: "number", min: "1", max: "366", step: "1", value: "7", inputmode: "numeric" });
    const form = h("form", { class: "patrol-new", id: "patrol-new", novalidate: true },
      field("teams", t("patrol.new_teams"), teams),
      h("div", { class: "form-field", "data-field": "shift" },
        h("span", { class: "field-label" }, t("patrol.new_shift")),
        h("div", { class: "shift-inputs" },
          h("label", {}, t("patrol.shift_from"), " ", start), h("label", {}, t("patrol.shift_to"), " ", end)),
        h("p", { class: "field-error", hidden: true })),
      field("days", t("patrol.new_days"), days),
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, t("patrol.create"))));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const nTeams = readNumber(teams), nDays = readNumber(days);
      let bad = false;
      if (nTeams.error || nTeams.value === null) { setFieldError(form, "teams", nTeams.error || t("form.range_whole", { min: 1, max: 200 })); bad = true; }
      if (nDays.error || nDays.value === null) { setFieldError(form, "days", nDays.error || t("form.range_whole", { min: 1, max: 366 })); bad = true; }
      if (bad) return;
      const regionId = state.regionId;
      submitForm(form, async () => {
        el.info.textContent = t("patrol.creating");
        const result = await runJobResult(`${api}/regions/${regionId}/patrol-plans`,
          { teams: nTeams.value, shift: `${start.value}-${end.value}`, days: nDays.value });
        const plan = await getJSON(`${api}/patrol-plans/${result.plan_id}`);
        if (state.regionId !== regionId) return;
        state.plans = [plan, ...state.plans.filter((p) => p.id !== plan.id)];
        renderPlanOptions();
        await selectPlan(plan.id);
      });
    });
    return h("details", { class: "patrol-new-box" }, h("summary", {}, t("patrol.new_plan")), form);
  }

  /** The selected site's visits in the plan's day: [{team, arrival, departure, seq}] by time. */
  function visitsOf(siteId) {
    if (!state.plan || siteId === null) return [];
    return state.schedules.flatMap((s) => s.stops.filter((st) => st.site_id === siteId)
      .map((st) => ({ team: s.team, seq: st.seq, arrival: st.arrival, departure: st.departure, at: st.arrival_s })))
      .sort((a, b) => a.at - b.at || a.team - b.team);
  }

  function renderPanelBoxes() {
    for (const box of [...panelBoxes]) {
      if (!box.isConnected) { panelBoxes.delete(box); continue; }
      fillPanelBox(box);
    }
  }

  function fillPanelBox(box) {
    const siteId = Number(box.dataset.siteId);
    box.hidden = !state.plan;
    if (!state.plan) { box.replaceChildren(); return; }
    const visits = visitsOf(siteId);
    const shown = visits.filter((v) => !state.hidden.has(v.team));
    box.replaceChildren(
      h("h3", {}, t("patrol.visits_heading")),
      h("p", { class: "muted" }, t("patrol.visits_of", { plan: state.plan.id, day: state.day })),
      visits.length
        ? h("ul", { class: "patrol-visits" }, visits.map((v) => h("li", {
          class: state.hidden.has(v.team) ? "is-hidden-team" : null, "data-team": String(v.team),
        },
        h("span", { class: "patrol-swatch", style: `background:${teamColour(v.team)}`, "aria-hidden": "true" }),
        t("patrol.visit_line", { team: v.team, arrival: v.arrival, departure: v.departure }),
        state.hidden.has(v.team) ? h("span", { class: "muted" }, ` ${t("patrol.team_hidden")}`) : null)))
        : h("p", { class: "patrol-no-visit" }, t("patrol.no_visit", { day: state.day })),
      // replaceChildren writes null (or 0) as text: only nodes go in
      ...(visits.length && !shown.length ? [h("p", { class: "muted" }, t("patrol.visits_all_hidden"))] : []),
    );
  }

  function toggleTeam(team, show) {
    if (show) state.hidden.delete(team); else state.hidden.add(team);
    draw({ fit: false });
    onChange();
  }

  function draw({ fit = true } = {}) {
    layer.clearLayers();
    el.teams.replaceChildren();
    renderPanelBoxes();
    if (!state.plan) return;
    const bounds = L.latLngBounds([]);
    for (const s of state.schedules) {
      const colour = teamColour(s.team);
      const shown = !state.hidden.has(s.team);
      const visitsHere = s.stops.filter((st) => st.site_id === state.siteId);
      const box = h("input", { type: "checkbox", checked: shown, class: "patrol-team-toggle",
        "data-team": String(s.team),
        "aria-label": t("patrol.show_team", { team: s.team }), onchange: (ev) => toggleTeam(s.team, ev.target.checked) });
      const head = h("label", { class: "patrol-team-head" }, box,
        h("span", { class: "patrol-swatch", style: `background:${colour}`, "aria-hidden": "true" }),
        h("strong", null, t("patrol.team", { team: s.team })),
        " ", t("patrol.stop_count", { count: s.stops.length }));
      if (!shown) {
        el.teams.append(h("li", { class: "patrol-team is-hidden-team", "data-team": String(s.team) }, head));
        continue;
      }
      for (const line of s.path) {
        const latlngs = line.map(([lon, lat]) => [lat, lon]);
        L.polyline(latlngs, { pane: "patrol", color: colour, weight: 4, opacity: 0.85, className: "patrol-route",
          interactive: false }).addTo(layer);
        latlngs.forEach((ll) => bounds.extend(ll));
      }
      for (const st of s.stops) {
        const here = st.site_id === state.siteId;
        const icon = domIcon({ className: `patrol-stop${here ? " is-visit-here" : ""}`, iconSize: here ? [28, 28] : [22, 22],
          iconAnchor: here ? [14, 14] : [11, 11] }, () => {
          const badge = h("span", null, String(Number(st.seq)));
          badge.style.borderColor = colour;
          return badge;
        });
        L.marker([st.lat, st.lon], { icon, pane: "patrolStops", keyboard: false, title: "", zIndexOffset: here ? 1000 : 0 })
          .bindTooltip(tip(t("patrol.stop_tooltip", { team: s.team, seq: st.seq, arrival: st.arrival,
            departure: st.departure, site: siteName(st) })))
          .addTo(layer);
      }
      const items = s.stops.length
        ? s.stops.map((st) => h("li", { class: st.site_id === state.siteId ? "is-visit-here" : null },
          h("span", { class: "patrol-time" }, st.arrival), " ", siteName(st)))
        : [h("li", { class: "patrol-reserve" }, t("patrol.reserve"))];
      el.teams.append(h("li", {
        class: `patrol-team${visitsHere.length ? " visits-selected" : ""}`, "data-team": String(s.team),
      }, head, h("ol", { class: "patrol-stops" }, items)));
    }
    if (fit && bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24] });
  }

  async function loadDay({ fit = true } = {}) {
    const seq = ++state.seq;
    layer.clearLayers();
    state.schedules = [];
    if (!state.plan) { draw(); return; }
    renderPanelBoxes();
    try {
      const items = await getAllItems(`${api}/patrol-plans/${state.plan.id}/schedules?day=${state.day}`);
      if (seq !== state.seq) return;
      state.schedules = items;
      draw({ fit });
      document.body.dataset.patrolDay = `${state.plan.id}:${state.day}`;
    } catch (err) {
      if (seq === state.seq) onError(err.message);
    }
  }

  async function selectPlan(id, { day = 1, hidden = [], fit = true, record = true } = {}) {
    state.plan = state.plans.find((p) => p.id === id) || null;
    state.day = state.plan && day >= 1 && day <= state.plan.days ? day : 1;
    state.hidden = new Set(state.plan ? hidden.filter((team) => team >= 1 && team <= state.plan.teams) : []);
    // the picker shows the plan at once, with its export links (not only once its first day's routes are in)
    el.plan.value = state.plan ? String(state.plan.id) : "";
    renderDayOptions();
    renderInfo();
    if (record) onChange();
    await loadDay({ fit });
  }

  async function loadRegion(regionId) {
    state.regionId = regionId;
    state.plan = null;
    state.schedules = [];
    layer.clearLayers();
    try {
      const items = await getAllItems(`${api}/regions/${regionId}/patrol-plans`);
      if (state.regionId !== regionId) return;
      state.plans = items;
    } catch (err) {
      state.plans = [];
      onError(err.message);
    }
    renderPlanOptions();
    renderDayOptions();
    renderInfo();
    draw();
  }

  function setRegion(regionId) {
    state.loaded = loadRegion(regionId);
    return state.loaded;
  }

  /** A link's patrol part: {plan, day, hidden: [team]} (plan null: no plan shown). */
  async function applyLink({ plan, day, hidden }) {
    await state.loaded;
    const same = (state.plan ? state.plan.id : null) === plan && (!state.plan || state.day === day);
    if (same) {
      const want = new Set(state.plan ? hidden : []);
      if (want.size !== state.hidden.size || [...want].some((x) => !state.hidden.has(x))) {
        state.hidden = want;
        draw({ fit: false });
      }
      return;
    }
    if (plan !== null && !state.plans.some((p) => p.id === plan)) return; // not a plan of this region
    await selectPlan(plan, { day: day || 1, hidden: hidden || [], fit: false, record: false });
  }

  el.plan.addEventListener("change", () => selectPlan(Number(el.plan.value) || null));
  el.day.addEventListener("change", () => {
    state.day = Number(el.day.value) || 1;
    onChange();
    loadDay();
  });

  return {
    setRegion,
    applyLink,
    /** The link's patrol part (links.js): the plan shown, its day and the hidden teams. */
    link() {
      return { plan: state.plan ? state.plan.id : null, day: state.plan ? state.day : null,
        hidden: state.plan ? [...state.hidden].sort((a, b) => a - b) : [] };
    },
    /** A site was selected (null: none): ring its visits on the map and in the sidebar. */
    siteSelected(id) {
      state.siteId = id;
      if (state.plan) draw({ fit: false });
    },
    /** The site panel's section: the site's visits in the plan and day shown (kept current as they change). */
    panelSection(site) {
      const box = h("section", { class: "panel-section patrol-visits-section", "data-site-id": String(site.id),
        "aria-live": "polite" });
      panelBoxes.add(box);
      fillPanelBox(box);
      return box;
    },
    /** Re-render text after a language switch. */
    rerender() { renderPlanOptions(); renderDayOptions(); renderInfo(); draw({ fit: false }); },
  };
}
