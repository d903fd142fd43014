/* Bastion map page: the "Vehicle approaches" layer and the site panel's vehicle section.
 *   GET {api}/regions/{id}/vehicle.geojson?vehicle=..  approach paths (impact speed), entry points
 *       (required rating), barriers (satisfied or not)
 *   GET {api}/sites/{id}/vehicle                        a site's approaches and needs
 * Paths are coloured by impact speed in bins at the tested speeds of ISO 22343-1 / IWA 14-1 (km/h). */
import { domIcon, getJSON, h, readSettings, tip } from "./util.js";
import { fmtNumber, t } from "./i18n.js";

/* global L */

/* the tested speeds and the vehicle classes come from the server (vehicle/enums.py, via /api/v1/meta) */
const settings = readSettings();
export const SPEED_BINS_KPH = settings.speed_bins_kph || [];
/* one colour per bin below each tested speed, the last one above the highest */
const SPEED_COLOURS = ["#1a9850", "#66bd63", "#a6d96a", "#fee08b", "#fdae61", "#f46d43", "#d73027", "#67001f"];
export const VEHICLE_CLASSES = ((settings.vocabularies || {}).vehicle_classes || []).slice();

/** Colour of an impact speed (km/h): one per bin between tested speeds, dark red above 112 km/h. */
export function speedColour(kph) {
  let i = 0;
  while (i < SPEED_BINS_KPH.length && kph > SPEED_BINS_KPH[i]) i += 1;
  return SPEED_COLOURS[i];
}

/** "64" from "V/1500[M1]/64 penetration <= 1.0 m"; ">112" when no tested speed covers it. */
export function ratingSpeed(label) {
  const m = /\/(>?\d+)\s+penetration/.exec(String(label || ""));
  return m ? m[1] : "?";
}

const kph = (v) => t("vehicle.kph", { v: fmtNumber(Math.round(v)) });

/** A required rating in the page's language: the standard's code kept, "penetration <= 1.0 m" worded
 * (vehicle.wording.rating_label on the server). */
export const ratingLabel = (label) => String(label || "").replace(/ penetration <= ([\d.]+) m/,
  (_, m) => t("vehicle.penetration", { m }));

export function createVehicleLayer(map, { api, onStatus }) {
  map.createPane("vehicle").style.zIndex = 420;
  const state = { paths: [], highlight: null, regionId: null, regionName: "", enabled: false, vehicle: settings.default_vehicle || VEHICLE_CLASSES[0], group: null, legend: null, seq: 0, count: 0 };

  function clear() {
    if (state.group) map.removeLayer(state.group);
    state.group = null;
    state.count = 0;
    state.paths = [];
    if (state.legend) state.legend.remove();
    state.legend = null;
  }

  function renderLegend() {
    if (state.legend) state.legend.remove();
    state.legend = L.control({ position: "bottomleft" });
    state.legend.onAdd = () => {
      const labels = SPEED_COLOURS.map((c, i) => {
        const lo = i === 0 ? 0 : SPEED_BINS_KPH[i - 1];
        const text = i === SPEED_BINS_KPH.length ? t("vehicle.legend_above", { v: lo })
          : t("vehicle.legend_range", { lo, hi: SPEED_BINS_KPH[i] });
        return h("li", {}, h("span", { class: "speed-swatch", style: `background:${c}`, "aria-hidden": "true" }), text);
      });
      const box = h("div", { class: "vehicle-legend", role: "group", "aria-label": t("vehicle.legend_title") },
        h("strong", {}, t("vehicle.legend_title")),
        h("ul", { class: "legend-list" }, labels,
          h("li", {}, h("span", { class: "entry-badge", "aria-hidden": "true" }, "64"), t("vehicle.legend_entry")),
          h("li", {}, h("span", { class: "barrier-swatch is-unsatisfied", "aria-hidden": "true" }), t("vehicle.legend_barrier_gap")),
          h("li", {}, h("span", { class: "barrier-swatch is-satisfied", "aria-hidden": "true" }), t("vehicle.legend_barrier_ok")),
          h("li", {}, h("span", { class: "barrier-swatch", "aria-hidden": "true" }), t("vehicle.legend_barrier_idle"))));
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    state.legend.addTo(map);
  }

  /** The selected site's approaches stand out (thicker, on top); the others fade while a site is selected. */
  function applyHighlight() {
    for (const line of state.paths) {
      const on = state.highlight !== null && line.siteId === state.highlight;
      const dim = state.highlight !== null && !on;
      line.setStyle({ weight: on ? 7 : 4, opacity: dim ? 0.25 : 0.9 });
      line.eachLayer((l) => l.getElement?.()?.classList.toggle("is-highlighted", on));
      if (on) line.bringToFront();
    }
  }

  function draw(fc) {
    state.paths = [];
    const feats = Array.isArray(fc.features) ? fc.features : [];
    const paths = feats.filter((f) => f.properties.feature === "approach")
      .sort((a, b) => a.properties.impact_speed_kph - b.properties.impact_speed_kph); // fastest on top
    const layers = [];
    for (const f of paths) {
      const p = f.properties;
      const line = L.geoJSON(f, {
        pane: "vehicle",
        style: { color: speedColour(p.impact_speed_kph), weight: 4, opacity: 0.9, className: "vehicle-approach" },
      });
      line.siteId = p.site_id;
      state.paths.push(line);
      line.bindTooltip(tip(t("vehicle.path_tooltip", { site: p.site_name || p.site_id, speed: kph(p.impact_speed_kph),
        run_up: fmtNumber(Math.round(p.run_up_m)) })), { sticky: true });
      layers.push(line);
    }
    for (const f of feats.filter((x) => x.properties.feature === "entry")) {
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      const title = t("vehicle.entry_tooltip", { speed: kph(p.impact_speed_kph), rating: p.required_rating ? ratingLabel(p.required_rating) : "?" });
      layers.push(L.marker([lat, lon], {
        pane: "vehicle", keyboard: false, title,
        icon: domIcon({ className: `vehicle-entry status-${p.status}`, iconSize: null }, () => {
          const badge = h("span", null, ratingSpeed(p.required_rating));
          badge.style.borderColor = speedColour(p.impact_speed_kph);
          return badge;
        }),
      }));
    }
    for (const f of feats.filter((x) => x.properties.feature === "barrier")) {
      const p = f.properties;
      const cls = p.satisfied === true ? "is-satisfied" : p.satisfied === false ? "is-unsatisfied" : "is-idle";
      const label = t(p.rated ? "vehicle.barrier_rated" : "vehicle.barrier_unrated",
        { kind: t(`vehicle.barrier_kind.${p.barrier_kind}`, null, p.barrier_kind), rating: p.rating || "" });
      const style = { pane: "vehicle", radius: 4, weight: 2, className: `vehicle-barrier ${cls}`,
        color: cls === "is-satisfied" ? "#15803d" : cls === "is-unsatisfied" ? "#b42318" : "#6b7280",
        fillColor: "#fff", fillOpacity: 1 };
      const layer = f.geometry.type === "Point"
        ? L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], style)
        : L.geoJSON(f, { pane: "vehicle", style: { ...style, weight: 3 } });
      layer.bindTooltip(tip(label));
      layers.push(layer);
    }
    state.group = L.layerGroup(layers).addTo(map);
    state.count = paths.length;
    applyHighlight();
    renderLegend();
    onStatus(paths.length ? "" : t("vehicle.not_assessed_region", { region: state.regionName }));
  }

  async function reload() {
    const seq = ++state.seq;
    clear();
    if (!state.enabled || state.regionId === null) { onStatus(""); return; }
    onStatus(t("status.loading"));
    try {
      const fc = await getJSON(`${api}/regions/${encodeURIComponent(state.regionId)}/vehicle.geojson?vehicle=${encodeURIComponent(state.vehicle)}`);
      if (seq !== state.seq) return;
      draw(fc);
    } catch (err) {
      if (seq === state.seq) onStatus(t("status.error", { message: err.message }), true);
    }
  }

  return {
    setRegion(id, name = "") { state.regionId = id; state.regionName = name; return reload(); },
    setEnabled(on) { state.enabled = on; return reload(); },
    highlightSite(id) { state.highlight = id ?? null; applyHighlight(); },
    setVehicle(v) { state.vehicle = v; return reload(); },
    refreshText() { return state.enabled ? reload() : null; },
    get pathCount() { return state.count; },
  };
}

const siteCache = new Map();

export function clearVehicleCache() { siteCache.clear(); }

/** The panel's vehicle section for a site: filled in when GET /sites/{id}/vehicle answers. */
export function vehicleSection(siteId, api) {
  const box = h("section", { class: "vehicle-section", "aria-label": t("vehicle.section") },
    h("h3", {}, t("vehicle.section")), h("p", { class: "muted" }, t("status.loading")));
  const fill = (d) => box.replaceChildren(h("h3", {}, t("vehicle.section")), ...sectionBody(d));
  const cached = siteCache.get(siteId);
  if (cached) fill(cached);
  else {
    getJSON(`${api}/sites/${encodeURIComponent(siteId)}/vehicle`).then((d) => { siteCache.set(siteId, d); fill(d); })
      .catch((err) => box.replaceChildren(h("h3", {}, t("vehicle.section")),
        h("p", { class: "error", role: "alert" }, t("status.error", { message: err.message }))));
  }
  return box;
}

function sectionBody(d) {
  if (!d.assessed) return [h("p", { class: "muted" }, t("vehicle.not_assessed_site"))];
  const out = [];
  for (const a of d.assessments) {
    const vname = t(`vehicle.class.${a.vehicle}`, null, a.vehicle);
    if (!a.approaches.length) {
      out.push(h("p", { class: "vehicle-summary" }, t("vehicle.no_access", { vehicle: vname })));
      continue;
    }
    out.push(h("p", { class: "vehicle-summary" }, t(a.wrong_way ? "vehicle.summary_wrong_way" : "vehicle.summary", {
      vehicle: vname, speed: kph(a.worst_speed_kph), n: fmtNumber(a.entry_points), gaps: fmtNumber(a.gaps) })));
    out.push(h("table", { class: "vehicle-table" },
      h("thead", {}, h("tr", {}, h("th", {}, t("vehicle.col_speed")), h("th", {}, t("vehicle.col_energy")),
        h("th", {}, t("vehicle.col_run_up")), h("th", {}, t("vehicle.col_need")), h("th", {}, t("vehicle.col_status")))),
      h("tbody", {}, a.approaches.map((ap) => h("tr", { class: `status-${ap.status}` },
        h("td", {}, h("span", { class: "speed-swatch", style: `background:${speedColour(ap.impact_speed_kph)}` }),
          kph(ap.impact_speed_kph),
          h("div", { class: "sub muted" }, t("vehicle.band", { lo: fmtNumber(Math.round(ap.impact_speed_band_kph.low)),
            hi: fmtNumber(Math.round(ap.impact_speed_band_kph.high)) }))),
        h("td", {}, t("vehicle.kj", { v: fmtNumber(Math.round(ap.kinetic_energy_kj)) })),
        h("td", {}, t("vehicle.m", { v: fmtNumber(Math.round(ap.run_up_m)) })),
        h("td", { class: "vehicle-need" }, ap.needs.length ? ratingLabel(ap.needs[0].label) : "—",
          ap.barriers.length ? h("div", { class: "sub muted" }, t("vehicle.barriers_here", { n: ap.barriers.length,
            note: ap.barriers.some((b) => b.rated) ? "" : t("vehicle.unrated") })) : null),
        h("td", {}, h("span", { class: `tag vehicle-status status-${ap.status}` }, t(`vehicle.status.${ap.status}`))))))));
  }
  out.push(h("p", { class: "note" }, t("vehicle.note")));
  return out;
}
