/* Patrol plan view: pick a stored plan of the region and a day; each team's route is drawn in its own
 * colour with numbered stops and arrival times. Talks only to our own server:
 *   GET {api}/regions/{id}/patrol-plans, {api}/patrol-plans/{id}/schedules?day=N
 * Teams are numbered ("Team 1"), never named people. */
import { domIcon, getAllItems, getJSON, h, readSettings, tip } from "./util.js";
import { siteName, t } from "./i18n.js";

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
    if (!state.plan) { el.info.textContent = ""; return; }
    el.info.textContent = t("patrol.summary", {
      gain: Math.round(state.plan.attacker_utility), status: state.plan.solver_status,
    });
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
