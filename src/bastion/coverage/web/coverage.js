/* 'Response coverage' layer: units as markers, 1/3/5-minute rings (isochrones), uncovered crowded places
 * highlighted, a legend, and a what-if control ('suggest N more units': proposed locations, each with the coverage
 * it adds; a new request replaces the previous proposals). With plan:write the units can be added (click on the
 * map), moved (drag) and removed (the list under the layer).
 *   GET {api}/regions/{id}/units, {api}/regions/{id}/isochrones.geojson, {api}/regions/{id}/coverage?standard=S
 *   POST {api}/regions/{id}/coverage/placement (a job, through jobs.js: progress and cancel in the jobs tray;
 *   nothing is stored: apply=false)
 *   POST {api}/regions/{id}/units, PATCH/DELETE {api}/units/{id}
 * The standards (1/3/5 minutes) and the default one come from the server (units/enums.py, via /api/v1/meta). */
import { domIcon, getAllItems, getJSON, h, readSettings, sendJSON, tip } from "./util.js";
import { can, clearErrors, field, isStale, readNumber, setFieldError, submitForm } from "./forms.js";
import { runJobResult } from "./jobs.js";
import { unitEditForm } from "./unit_form.js";
import { fmtNumber, t } from "./i18n.js";

/* global L */

const settings = readSettings();
const STANDARDS_S = settings.response_standards_s || [];
const STANDARD_S = settings.default_standard_s || STANDARDS_S[Math.floor(STANDARDS_S.length / 2)];
const UNIT_TYPES = (settings.vocabularies || {}).unit_types || ["patrol_car"];
const ADD_MAX = 200; // coverage/schemas.py PlacementRequest.add le=
const RING_COLOURS = ["#1a9850", "#fdae61", "#d73027"]; // shortest ring first
const UNIT_COLOUR = "#2171b5";
const UNCOVERED_COLOUR = "#b2182b";
const PROPOSED_COLOUR = "#54278f";
const ringColour = (limitS) => RING_COLOURS[STANDARDS_S.indexOf(limitS)] || "#3388ff";
const ctx = { map: null, api: "", region: null, group: null, proposed: null, legend: null, on: false, seq: 0,
  units: [], cov: null, adding: false, siteId: null, link: null, onSelectSite: null };
const ui = {};

function pct(x) { return `${(100 * x).toFixed(1)}%`; }
const minutes = (s) => fmtNumber(s / 60);

export function initCoverage(map, api, mount, { onSelectSite } = {}) {
  ctx.map = map;
  ctx.api = api;
  ctx.onSelectSite = onSelectSite;
  ui.toggle = h("input", { type: "checkbox", id: "cov-toggle" });
  ui.n = h("input", { type: "number", id: "cov-n", min: "1", max: String(ADD_MAX), step: "1", value: "3",
    inputmode: "numeric" });
  ui.suggest = h("button", { type: "submit", id: "cov-suggest", disabled: "" }, "");
  ui.summary = h("p", { id: "cov-summary", class: "muted", role: "status", "aria-live": "polite" });
  ui.gains = h("ol", { id: "cov-gains", class: "cov-gains" });
  ui.label = h("span", {}, "");
  ui.nField = field("add", "", ui.n);
  ui.form = h("form", { class: "cov-whatif", novalidate: true }, ui.nField, ui.suggest);
  ui.addUnit = h("button", { type: "button", id: "cov-add-unit", hidden: true }, "");
  ui.unitList = h("ul", { class: "cov-units", id: "cov-units" });
  ui.units = h("details", { class: "cov-units-box", hidden: true }, h("summary", {}, ""), ui.addUnit, ui.unitList);
  ui.box = h("fieldset", { class: "coverage", id: "coverage" },
    h("label", {}, ui.toggle, " ", ui.label), ui.form, ui.summary, ui.gains,
    ui.site = h("p", { id: "cov-site", class: "cov-site", role: "status", hidden: true }),
    ui.uncovered = h("details", { class: "cov-uncovered-box", id: "cov-uncovered-box", hidden: true },
      h("summary", {}, ""), h("ul", { class: "cov-uncovered-list" })), ui.units);
  mount.prepend(ui.box); // top of the sidebar, above the site filters
  ui.toggle.addEventListener("change", () => setOn(ui.toggle.checked));
  ui.form.addEventListener("submit", (ev) => { ev.preventDefault(); suggest(); });
  ui.addUnit.addEventListener("click", () => startAdding());
  map.on("click", (ev) => { if (ctx.adding) addUnitAt(ev.latlng); });
  renderCoverageText();
}

export function renderCoverageText() {
  if (!ui.label) return;
  ui.label.textContent = t("coverage.layer");
  ui.nField.querySelector("label").textContent = t("coverage.suggest_n");
  ui.suggest.textContent = t("coverage.suggest");
  ui.addUnit.textContent = ctx.adding ? t("coverage.add_unit_click") : t("coverage.add_unit");
  if (ctx.on) { renderLegend(); renderUnitList(); if (ctx.cov) ui.summary.textContent = summaryText(ctx.cov); }
}

export function coverageRegionChanged(region) {
  ctx.region = region;
  clearProposals();
  if (ctx.on) draw();
}

function clear() {
  if (ctx.group) ctx.map.removeLayer(ctx.group);
  ctx.group = null;
}

function clearProposals() {
  if (ctx.proposed) ctx.map.removeLayer(ctx.proposed);
  ctx.proposed = null;
  if (ui.gains) ui.gains.replaceChildren();
}

/* ------------------------------------------------------------ linked to the selected site */

/** The site selected on the map: the unit that reaches it first, joined to it with its response time. */
export function coverageSiteSelected(id) {
  ctx.siteId = id;
  drawLink();
}

function drawLink() {
  if (ctx.link) ctx.map.removeLayer(ctx.link);
  ctx.link = null;
  ui.site.hidden = true;
  if (!ctx.on || !ctx.cov || ctx.siteId === null) return;
  const s = ctx.cov.sites.find((x) => x.site_id === ctx.siteId);
  if (!s) return;
  const u = ctx.units.find((x) => x.id === s.unit_id);
  ui.site.hidden = false;
  if (!u || s.time_s === null || s.time_s === undefined) {
    ui.site.textContent = t("coverage.site_unreached", { name: s.name || String(s.site_id) });
    return;
  }
  const text = t("coverage.site_reached", { name: s.name || String(s.site_id), unit: u.name,
    minutes: fmtNumber(s.time_s / 60, { maximumFractionDigits: 1 }) });
  ui.site.textContent = text;
  ctx.link = L.polyline([[u.lat, u.lon], [s.lat, s.lon]], { color: "#08306b", weight: 3, dashArray: "6 6",
    interactive: true, className: "cov-link" }).bindTooltip(tip(text), { permanent: false }).addTo(ctx.map);
}

function renderUncovered() {
  const std = ctx.cov && ctx.cov.by_standard.find((b) => b.standard_s === STANDARD_S);
  ui.uncovered.hidden = !ctx.on || !std;
  if (!std) return;
  const ids = new Set(std.uncovered);
  const sites = ctx.cov.sites.filter((x) => ids.has(x.site_id));
  ui.uncovered.querySelector("summary").textContent = t("coverage.uncovered_list", { n: fmtNumber(sites.length), minutes: minutes(STANDARD_S) });
  ui.uncovered.querySelector("ul").replaceChildren(...sites.map((x) => h("li", {},
    h("button", { type: "button", class: "link-button", "data-site-id": String(x.site_id),
      onclick: () => ctx.onSelectSite?.(x.site_id) }, x.name || String(x.site_id)))));
}

function setOn(on) {
  ctx.on = on;
  ui.suggest.toggleAttribute("disabled", !on);
  ui.units.hidden = !on;
  if (on) { draw(); renderLegend(); } else {
    clear(); clearProposals(); stopAdding(); drawLink(); renderUncovered();
    ui.summary.textContent = "";
    if (ctx.legend) ctx.legend.remove();
    ctx.legend = null;
  }
}

function renderLegend() {
  if (ctx.legend) ctx.legend.remove();
  ctx.legend = L.control({ position: "bottomleft" });
  ctx.legend.onAdd = () => {
    const swatch = (colour, cls) => {
      const s = h("span", { class: `swatch ${cls || ""}`, "aria-hidden": "true" });
      s.style.background = colour;
      return s;
    };
    const ring = (colour) => { const s = h("span", { class: "ring-swatch", "aria-hidden": "true" }); s.style.borderColor = colour; return s; };
    const box = h("div", { class: "coverage-legend", id: "coverage-legend", role: "group", "aria-label": t("coverage.legend") },
      h("strong", {}, t("coverage.legend")),
      h("ul", { class: "legend-list" },
        STANDARDS_S.map((s) => h("li", {}, swatch(ringColour(s)), t("coverage.legend_ring", { minutes: minutes(s) }))),
        h("li", {}, swatch(UNIT_COLOUR, "dot"), t("coverage.legend_unit")),
        h("li", {}, ring(UNCOVERED_COLOUR), t("coverage.legend_uncovered", { minutes: minutes(STANDARD_S) })),
        h("li", {}, swatch(PROPOSED_COLOUR, "dot"), t("coverage.legend_proposed"))));
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  ctx.legend.addTo(ctx.map);
}

function summaryText(c) {
  return c.by_standard.map((b) => t("coverage.ring_share", {
    minutes: minutes(b.standard_s), sites: pct(b.share_sites), people: pct(b.share_weight),
  })).join(" · ");
}

const unitIcon = (editable) => domIcon({ className: `cov-unit-marker${editable ? " is-draggable" : ""}`, iconSize: [14, 14] },
  () => h("span", { class: "cov-unit-dot" }));

async function draw() {
  if (!ctx.region) return;
  const seq = ++ctx.seq;
  const id = ctx.region.id;
  ui.summary.textContent = t("status.loading");
  let units, rings, cov;
  try {
    [units, rings, cov] = await Promise.all([
      getAllItems(`${ctx.api}/regions/${id}/units`),
      getJSON(`${ctx.api}/regions/${id}/isochrones.geojson?limits=${STANDARDS_S.join(",")}`),
      getJSON(`${ctx.api}/regions/${id}/coverage?standard=${STANDARD_S}`),
    ]);
  } catch (err) {
    if (seq === ctx.seq) ui.summary.textContent = t("status.error", { message: err.message });
    return;
  }
  if (seq !== ctx.seq || !ctx.on) return;
  clear();
  ctx.units = units;
  ctx.cov = cov;
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
    layers.push(L.circleMarker([s.lat, s.lon], { radius: 9, color: UNCOVERED_COLOUR, weight: 3, fill: false,
      className: "cov-uncovered" }).bindTooltip(tip(t("coverage.uncovered", { name: s.name || String(s.site_id) }))));
  }
  const editable = can("plan:write");
  for (const u of units) {
    layers.push(L.circleMarker([u.lat, u.lon], { radius: 6, color: "#08306b", weight: 2, fillColor: UNIT_COLOUR,
      fillOpacity: 1, className: "cov-unit", interactive: !editable }).bindTooltip(tip(u.name)));
    if (editable) {
      const handle = L.marker([u.lat, u.lon], { icon: unitIcon(true), draggable: true, keyboard: true,
        title: t("coverage.drag_unit", { name: u.name }), alt: u.name, riseOnHover: true });
      handle.options.unitId = u.id;
      handle.on("dragend", () => moveUnit(u, handle.getLatLng()));
      layers.push(handle);
    }
  }
  ctx.group = L.layerGroup(layers).addTo(ctx.map);
  ui.summary.textContent = summaryText(cov);
  renderUnitList();
  renderUncovered();
  drawLink();
}

/* ------------------------------------------------------------ units: add, move, remove (plan:write) */

function renderUnitList() {
  const editable = can("plan:write");
  ui.units.querySelector("summary").textContent = t("coverage.units", { n: fmtNumber(ctx.units.length) });
  ui.addUnit.hidden = !editable;
  ui.unitList.replaceChildren(...ctx.units.map((u) => h("li", { "data-unit-id": String(u.id) },
    h("span", { class: "unit-name" }, u.name), " ",
    h("span", { class: "muted unit-meta" }, `${t(`vocab.unit_types.${u.unit_type}`, null, u.unit_type)} · ${
      t("coverage.minutes", { minutes: minutes(u.standard_s) })}`),
    editable ? h("button", { type: "button", class: "link-button unit-edit-open", "aria-expanded": "false",
      "aria-label": t("coverage.edit_unit", { name: u.name }), onclick: (ev) => editUnit(u, ev.currentTarget) },
    t("coverage.edit")) : null, " ",
    editable ? h("button", { type: "button", class: "link-button unit-remove",
      "aria-label": t("coverage.remove_unit", { name: u.name }), onclick: () => removeUnit(u) }, t("coverage.remove")) : null)));
}

/** The edit form under the unit's list row (one open at a time); a save redraws the layer (a new profile or
 * standard changes the rings). */
function editUnit(u, button) {
  const li = button.closest("li");
  const open = li.querySelector("form.unit-edit");
  ui.unitList.querySelectorAll("form.unit-edit").forEach((f) => f.remove());
  ui.unitList.querySelectorAll(".unit-edit-open").forEach((b) => b.setAttribute("aria-expanded", "false"));
  if (open) return;
  const close = () => { li.querySelector("form.unit-edit")?.remove(); button.setAttribute("aria-expanded", "false"); button.focus(); };
  const form = unitEditForm(ctx.api, u, {
    onCancel: close,
    onSaved: async () => { clearProposals(); await draw(); },
  });
  li.append(form);
  button.setAttribute("aria-expanded", "true");
  form.querySelector("input")?.focus();
}

function startAdding() {
  ctx.adding = !ctx.adding;
  ctx.map.getContainer().classList.toggle("is-placing", ctx.adding);
  ui.addUnit.setAttribute("aria-pressed", String(ctx.adding));
  renderCoverageText();
}

function stopAdding() { if (ctx.adding) startAdding(); }

function addUnitAt(latlng) {
  stopAdding();
  const name = h("input", { type: "text", maxlength: "200", required: true, value: t("coverage.new_unit_name") });
  const type = h("select", {}, UNIT_TYPES.map((x) => h("option", { value: x, selected: x === "patrol_car" || null },
    t(`unit_type.${x}`, null, x))));
  const form = h("form", { class: "cov-new-unit", id: "cov-new-unit", novalidate: true },
    h("p", { class: "muted" }, `${latlng.lat.toFixed(5)}, ${latlng.lng.toFixed(5)}`),
    field("name", t("coverage.unit_name"), name), field("unit_type", t("coverage.unit_type"), type),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, t("form.save")),
      h("button", { type: "button", onclick: () => form.remove() }, t("form.cancel"))));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submitForm(form, async () => {
      await sendJSON("POST", `${ctx.api}/regions/${ctx.region.id}/units`,
        { name: name.value, unit_type: type.value, lon: latlng.lng, lat: latlng.lat });
      form.remove();
      clearProposals();
      await draw();
    });
  });
  ui.units.open = true;
  ui.units.querySelector("#cov-new-unit")?.remove();
  ui.unitList.before(form);
  name.focus();
  name.select();
}

async function moveUnit(u, latlng) {
  ui.summary.textContent = t("status.loading");
  try {
    await sendJSON("PATCH", `${ctx.api}/units/${u.id}`, { lon: latlng.lng, lat: latlng.lat }, { etag: u.version });
  } catch (err) {
    ui.summary.textContent = isStale(err) ? t("form.conflict") : t("status.error", { message: err.message });
    await draw(); // the marker goes back where the stored unit is
    return;
  }
  clearProposals();
  await draw();
}

async function removeUnit(u) {
  if (!window.confirm(t("coverage.remove_confirm", { name: u.name }))) return;
  try {
    await sendJSON("DELETE", `${ctx.api}/units/${u.id}`, undefined, { etag: u.version });
  } catch (err) {
    ui.summary.textContent = t("status.error", { message: err.message });
    return;
  }
  clearProposals();
  await draw();
}

/* ------------------------------------------------------------ what-if: suggest N more units */

async function suggest() {
  if (!ctx.region || ui.form.getAttribute("aria-busy")) return;
  clearErrors(ui.form);
  const n = readNumber(ui.n);
  if (n.error || n.value === null) { setFieldError(ui.form, "add", n.error || t("form.range_whole", { min: 1, max: ADD_MAX })); return; }
  const std = ctx.cov && ctx.cov.by_standard.find((b) => b.standard_s === STANDARD_S);
  if (std && std.uncovered.length === 0) {
    clearProposals();
    ui.summary.textContent = t("coverage.fully_covered", { minutes: minutes(STANDARD_S) });
    return;
  }
  ui.summary.textContent = t("status.loading");
  const regionId = ctx.region.id;
  const p = await submitForm(ui.form, () => runJobResult(`${ctx.api}/regions/${regionId}/coverage/placement`,
    { add: n.value, standard_s: STANDARD_S, model: "mclp" }));
  if (!ctx.region || ctx.region.id !== regionId) return; // the user moved to another region meanwhile
  clearProposals(); // a new answer replaces the previous proposals
  if (!p) { ui.summary.textContent = ctx.cov ? summaryText(ctx.cov) : ""; return; }
  if (p.before_sites >= p.n_sites) {
    ui.summary.textContent = t("coverage.fully_covered", { minutes: minutes(p.standard_s) });
    return;
  }
  const useful = p.proposed.filter((x) => x.gain_sites > 0 || x.gain_weight > 0);
  const markers = useful.map((x, i) => L.marker([x.lat, x.lon], {
    icon: domIcon({ className: "cov-proposed-marker", iconSize: [22, 22] }, () => h("span", { class: "cov-proposed" }, String(i + 1))),
    title: t("coverage.gain", { i: i + 1, sites: fmtNumber(x.gain_sites), people: fmtNumber(Math.round(x.gain_weight)) }),
  }));
  ctx.proposed = L.layerGroup(markers).addTo(ctx.map);
  ui.gains.replaceChildren(...useful.map((x, i) => h("li", { "data-gain-sites": String(x.gain_sites) },
    t("coverage.gain", { i: i + 1, sites: fmtNumber(x.gain_sites), people: fmtNumber(Math.round(x.gain_weight)) }))));
  ui.summary.textContent = t("coverage.whatif_result", {
    n: fmtNumber(useful.length), before: pct(p.before_weight / p.total_weight),
    after: pct(p.after_weight / p.total_weight), sites_before: fmtNumber(p.before_sites),
    sites_after: fmtNumber(p.after_sites), total: fmtNumber(p.n_sites),
  });
  if (useful.length < p.proposed.length) {
    ui.summary.textContent += ` ${t("coverage.no_more_gain", { n: fmtNumber(p.proposed.length - useful.length) })}`;
  }
}
