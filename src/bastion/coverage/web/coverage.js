/* 'Response coverage' layer: units as markers, 1/3/5-minute rings (isochrones), uncovered crowded places
 * highlighted, and a what-if control ('suggest N more units': proposed locations and the coverage change).
 *   GET {api}/regions/{id}/units, {api}/regions/{id}/isochrones.geojson, {api}/regions/{id}/coverage?standard=S
 *   POST {api}/regions/{id}/coverage/placement (a job, through jobs.js; nothing is stored: apply=false)
 * The standards (1/3/5 minutes) and the default one come from the server (units/enums.py, via /api/v1/meta). */
import { getAllItems, getJSON, h, readSettings, tip } from "./util.js";
import { runJob } from "./jobs.js";
import { fmtNumber, t } from "./i18n.js";

/* global L */

const settings = readSettings();
const STANDARDS_S = settings.response_standards_s || [];
const STANDARD_S = settings.default_standard_s || STANDARDS_S[Math.floor(STANDARDS_S.length / 2)];
const RING_COLOURS = ["#1a9850", "#fdae61", "#d73027"]; // shortest ring first
const ringColour = (limitS) => RING_COLOURS[STANDARDS_S.indexOf(limitS)] || "#3388ff";
const ctx = { map: null, api: "", region: null, group: null, on: false, seq: 0 };
const ui = {};

function pct(x) { return `${(100 * x).toFixed(1)}%`; }

export function initCoverage(map, api, mount) {
  ctx.map = map;
  ctx.api = api;
  ui.toggle = h("input", { type: "checkbox", id: "cov-toggle" });
  ui.n = h("input", { type: "number", id: "cov-n", min: "1", max: "20", value: "3" });
  ui.suggest = h("button", { type: "button", id: "cov-suggest", disabled: "" }, "");
  ui.summary = h("p", { id: "cov-summary", class: "muted", role: "status", "aria-live": "polite" });
  ui.label = h("span", {}, "");
  ui.nLabel = h("label", { for: "cov-n" }, "");
  ui.box = h("fieldset", { class: "coverage", id: "coverage" },
    h("label", {}, ui.toggle, " ", ui.label), h("div", { class: "cov-whatif" }, ui.nLabel, " ", ui.n, " ", ui.suggest),
    ui.summary);
  mount.prepend(ui.box); // top of the sidebar, above the site filters
  ui.toggle.addEventListener("change", () => setOn(ui.toggle.checked));
  ui.suggest.addEventListener("click", () => suggest());
  renderCoverageText();
}

export function renderCoverageText() {
  if (!ui.label) return;
  ui.label.textContent = t("coverage.layer");
  ui.nLabel.textContent = t("coverage.suggest_n");
  ui.suggest.textContent = t("coverage.suggest");
}

export function coverageRegionChanged(region) {
  ctx.region = region;
  if (ctx.on) draw();
}

function clear() {
  if (ctx.group) ctx.map.removeLayer(ctx.group);
  ctx.group = null;
}

function setOn(on) {
  ctx.on = on;
  ui.suggest.toggleAttribute("disabled", !on);
  if (on) draw(); else { clear(); ui.summary.textContent = ""; }
}

function summaryText(c) {
  return c.by_standard.map((b) => t("coverage.ring_share", {
    minutes: fmtNumber(b.standard_s / 60), sites: pct(b.share_sites), people: pct(b.share_weight),
  })).join(" · ");
}

async function draw() {
  if (!ctx.region) return;
  const seq = ++ctx.seq;
  const id = ctx.region.id;
  ui.summary.textContent = t("status.loading");
  const [units, rings, cov] = await Promise.all([
    getAllItems(`${ctx.api}/regions/${id}/units`),
    getJSON(`${ctx.api}/regions/${id}/isochrones.geojson?limits=${STANDARDS_S.join(",")}`),
    getJSON(`${ctx.api}/regions/${id}/coverage?standard=${STANDARD_S}`),
  ]);
  if (seq !== ctx.seq || !ctx.on) return;
  clear();
  const layers = [];
  for (const f of [...rings.features].reverse()) {
    if (!f.geometry) continue;
    const c = ringColour(f.properties.limit_s);
    layers.push(L.geoJSON(f, { interactive: false, style: { color: c, weight: 1, fillColor: c, fillOpacity: 0.18 },
      className: `cov-ring cov-ring-${f.properties.limit_s}` }));
  }
  const uncovered = new Set(cov.by_standard.find((b) => b.standard_s === STANDARD_S).uncovered);
  for (const s of cov.sites) {
    if (!uncovered.has(s.site_id)) continue;
    layers.push(L.circleMarker([s.lat, s.lon], { radius: 9, color: "#b2182b", weight: 3, fill: false,
      className: "cov-uncovered" }).bindTooltip(tip(t("coverage.uncovered", { name: s.name || String(s.site_id) }))));
  }
  for (const u of units) {
    layers.push(L.circleMarker([u.lat, u.lon], { radius: 6, color: "#08306b", weight: 2, fillColor: "#2171b5",
      fillOpacity: 1, className: "cov-unit" }).bindTooltip(tip(u.name)));
  }
  ctx.group = L.layerGroup(layers).addTo(ctx.map);
  ui.summary.textContent = summaryText(cov);
}

async function suggest() {
  if (!ctx.region) return;
  const n = Math.max(1, Math.min(20, parseInt(ui.n.value, 10) || 1));
  ui.summary.textContent = t("status.loading");
  let job;
  try {  // a job (202): jobs.js shows its progress and resolves with the finished job
    job = await runJob(`${ctx.api}/regions/${ctx.region.id}/coverage/placement`,
      { add: n, standard_s: STANDARD_S, model: "mclp" });
  } catch (err) { ui.summary.textContent = err.message; return; }
  if (job.state !== "succeeded") { ui.summary.textContent = (job.error && job.error.message) || job.state; return; }
  const p = job.result;
  for (const x of p.proposed) {
    L.circleMarker([x.lat, x.lon], { radius: 8, color: "#54278f", weight: 2, fillColor: "#9e9ac8", fillOpacity: 1,
      className: "cov-proposed" }).bindTooltip(tip(t("coverage.proposed"))).addTo(ctx.group || ctx.map);
  }
  ui.summary.textContent = t("coverage.whatif_result", {
    n: fmtNumber(p.proposed.length), before: pct(p.before_weight / p.total_weight),
    after: pct(p.after_weight / p.total_weight), sites_before: fmtNumber(p.before_sites),
    sites_after: fmtNumber(p.after_sites), total: fmtNumber(p.n_sites),
  });
}
