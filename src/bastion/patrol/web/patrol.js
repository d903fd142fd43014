/* Patrol plan view: pick a stored plan of the region and a day; each team's route is drawn in its own
 * colour with numbered stops and arrival times. Talks only to our own server:
 *   GET {api}/regions/{id}/patrol-plans, {api}/patrol-plans/{id}/schedules?day=N
 *   POST {api}/regions/{id}/patrol-plans (plan:write: teams, shift, days; a job with progress and cancel),
 *   GET {api}/patrol-plans/{id}, {api}/patrol-plans/{id}/export
 * Teams are numbered ("Team 1"), never named people. */
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
export function createPatrolView({ map, api, onError }) {
  const $ = (id) => document.getElementById(id);
  const el = { plan: $("patrol-plan"), day: $("patrol-day"), teams: $("patrol-teams"), info: $("patrol-info") };
  map.createPane("patrol").style.zIndex = 450; // routes: above roads and footprints, below site markers
  map.createPane("patrolStops").style.zIndex = 650; // numbered stops: above site markers
  const layer = L.layerGroup().addTo(map);
  const state = { regionId: null, plans: [], plan: null, day: 1, schedules: [], seq: 0 };

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

  function draw() {
    layer.clearLayers();
    el.teams.replaceChildren();
    if (!state.plan) return;
    const bounds = L.latLngBounds([]);
    for (const s of state.schedules) {
      const colour = teamColour(s.team);
      for (const line of s.path) {
        const latlngs = line.map(([lon, lat]) => [lat, lon]);
        L.polyline(latlngs, { pane: "patrol", color: colour, weight: 4, opacity: 0.85, className: "patrol-route",
          interactive: false }).addTo(layer);
        latlngs.forEach((ll) => bounds.extend(ll));
      }
      for (const st of s.stops) {
        const icon = domIcon({ className: "patrol-stop", iconSize: [22, 22], iconAnchor: [11, 11] }, () => {
          const badge = h("span", null, String(Number(st.seq)));
          badge.style.borderColor = colour;
          return badge;
        });
        L.marker([st.lat, st.lon], { icon, pane: "patrolStops", keyboard: false, title: "" })
          .bindTooltip(tip(t("patrol.stop_tooltip", { team: s.team, seq: st.seq, arrival: st.arrival,
            departure: st.departure, site: siteName(st) })))
          .addTo(layer);
      }
      const items = s.stops.length
        ? s.stops.map((st) => h("li", null, h("span", { class: "patrol-time" }, st.arrival), " ", siteName(st)))
        : [h("li", { class: "patrol-reserve" }, t("patrol.reserve"))];
      el.teams.append(h("li", { class: "patrol-team", "data-team": String(s.team) },
        h("span", { class: "patrol-swatch", style: `background:${colour}`, "aria-hidden": "true" }),
        h("strong", null, t("patrol.team", { team: s.team })),
        " ", t("patrol.stop_count", { count: s.stops.length }),
        h("ol", { class: "patrol-stops" }, items)));
    }
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24] });
  }

  async function loadDay() {
    const seq = ++state.seq;
    layer.clearLayers();
    if (!state.plan) { draw(); return; }
    try {
      const items = await getAllItems(`${api}/patrol-plans/${state.plan.id}/schedules?day=${state.day}`);
      if (seq !== state.seq) return;
      state.schedules = items;
      draw();
    } catch (err) {
      if (seq === state.seq) onError(err.message);
    }
  }

  async function selectPlan(id) {
    state.plan = state.plans.find((p) => p.id === id) || null;
    state.day = 1;
    // the picker shows the plan at once, with its export links (not only once its first day's routes are in)
    el.plan.value = state.plan ? String(state.plan.id) : "";
    renderDayOptions();
    renderInfo();
    await loadDay();
  }

  async function setRegion(regionId) {
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

  el.plan.addEventListener("change", () => selectPlan(Number(el.plan.value) || null));
  el.day.addEventListener("change", () => { state.day = Number(el.day.value) || 1; loadDay(); });

  return {
    setRegion,
    /** Re-render text after a language switch. */
    rerender() { renderPlanOptions(); renderDayOptions(); renderInfo(); draw(); },
  };
}
