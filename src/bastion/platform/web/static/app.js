/* Bastion map page (ES module, no build step). Needs Leaflet and leaflet.markercluster as globals
 * (classic scripts from /static/vendor, see frontend/copy-vendor.mjs). Talks only to our own server:
 *   GET {api}/meta, {api}/regions, {api}/regions/{id}/roads, {api}/regions/{id}/boundary,
 *   GET {api}/sites?region_id=..&format=geojson&limit=..&offset=.., {api}/sites/{id}
 *   GET {i18n}/{lang}.json
 *   vehicle layer and panel section: see vehicle.js
 *   GET {api}/auth/me; POST {api}/auth/login (mode=cookie) and {api}/auth/logout — the map's data needs a
 *   signed-in session: without one the page shows the sign-in form first.
 * Every visible string goes through t(); category and kind names are "category.<id>", "kind.<id>". */
import {
  colourOf, csrfToken, domIcon, getAllItems, getJSON, h, HttpError, normalise, pageMaxLimit, postJSON, readSettings,
  sendJSON, setUnauthorizedHandler,
} from "./util.js";
import { can, setPermissions } from "./forms.js";
import { currentLayers, LAYER_INPUTS, linkFromUrl, writeLink } from "./links.js";
import {
  applyStaticTranslations, categoryName, fmtNumber, kindName, lang, LANGS, LS_LANG, loadLanguage,
  pickInitialLanguage, siteName, t,
} from "./i18n.js";
import { panelContent } from "./panel.js";
import { clearVehicleCache, createVehicleLayer, vehicleSection } from "./vehicle.js";
import { loadRegionRisk, riskColour, riskLegend, riskSection, riskState, riskToggle } from "./risk.js";
import { coverageRegionChanged, coverageSiteSelected, initCoverage, renderCoverageText } from "./coverage.js";
import { createPatrolView } from "./patrol.js";
import { createRoadLayer } from "./roads.js";
import { createSiteLabels } from "./labels.js";

/* global L */

const LS_REGION = "bastion.region";
const PAGE_SIZE = pageMaxLimit(); // the API's maximum limit (GET /api/v1/meta page.max_limit)
const RESULTS_SHOWN = 200; // longest result list drawn in the sidebar

/* Road styles for the no-tiles map: [casing width, fill width, fill colour]. */
const ROAD_CLASSES = {
  motorway: [6, 4, "#f3b27a"], trunk: [6, 4, "#f3b27a"],
  primary: [5.5, 3.5, "#fcd68a"], secondary: [5, 3, "#fdf0b5"],
  tertiary: [4.5, 2.5, "#ffffff"],
};
const ROAD_DEFAULT = [3, 1.6, "#ffffff"];
const roadStyle = (hw) => ROAD_CLASSES[String(hw || "").replace(/_link$/, "")] || ROAD_DEFAULT;

const settings = readSettings();
// Map layers of domains registered after these four plug in without editing this file: the page imports every
// script a domain's manifest lists (/api/v1/meta "web_modules") and calls its `register(ctx)`; the returned
// object's `setRegion(region)` and `refreshText()` are called when the region or the language changes.
const BUILT_IN_MODULES = new Set(["coverage.js", "patrol.js", "vehicle.js", "risk.js"]);
const pluginLayers = [];
const API = (settings.api_base || "/api/v1").replace(/\/$/, "");
const I18N = (settings.i18n_base || "/i18n").replace(/\/$/, "");

const state = {
  meta: null,
  me: null, // GET /auth/me: {user, permissions}
  categories: [], // [{id, kinds}]
  regions: [],
  region: null,
  features: [], // GeoJSON features of the region's sites
  markers: new Map(), // site id → L.Marker
  enabled: new Set(),
  query: "",
  selectedId: null,
  detail: null,
  details: new Map(), // site id → detail JSON cache
  loadSeq: 0,
};

const $ = (id) => document.getElementById(id);
const el = {
  regionSelect: $("region-select"),
  langSelect: $("lang-select"),
  search: $("search"),
  categoryList: $("category-list"),
  catAll: $("cat-all"),
  catNone: $("cat-none"),
  resultsCount: $("results-count"),
  resultsList: $("results-list"),
  status: $("map-status"),
  panel: $("panel"),
  panelTitle: $("panel-title"),
  panelSwatch: $("panel-swatch"),
  panelBody: $("panel-body"),
  panelClose: $("panel-close"),
  sidebar: $("sidebar"),
  filtersToggle: $("filters-toggle"),
  layerVehicle: $("layer-vehicle"),
  layerVehicleClass: $("layer-vehicle-class"),
  version: $("version"),
  login: $("login"),
  loginForm: $("login-form"),
  loginName: $("login-name"),
  loginPassword: $("login-password"),
  loginError: $("login-error"),
  loginSubmit: $("login-submit"),
  userName: $("user-name"),
  logout: $("logout"),
};

/* ---------------------------------------------------------------- i18n */

/** Load a language's translations and reflect it in the language picker. */
async function useLanguage(code) {
  await loadLanguage(code, I18N);
  el.langSelect.value = code;
}

async function switchLanguage(code) {
  try {
    await useLanguage(code);
  } catch (err) {
    showStatus(t("status.error", { message: err.message }), true);
    return;
  }
  try { localStorage.setItem(LS_LANG, code); } catch (_) { /* storage disabled */ }
  renderAllText();
}

function renderAllText() {
  renderCoverageText();
  applyStaticTranslations();
  renderUser();
  updateMapControls();
  renderRegionOptions();
  renderCategoryList();
  renderRiskToggle();
  renderLegend();
  rebuildMarkers();
  applyFilters({ refit: false });
  labelsLayer?.redraw?.();
  vehicleLayer.refreshText();
  if (state.detail) renderPanel(state.detail);
  if (el.version.dataset.version) el.version.textContent = t("app.version", { version: el.version.dataset.version });
  patrol.rerender();
  for (const layer of pluginLayers) layer.refreshText?.();
}

/* ---------------------------------------------------------------- map */

const map = L.map("map", { zoomControl: false, minZoom: 2, maxZoom: 19, zoomSnap: 0.5, worldCopyJump: true });
map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
map.setView([20, 0], 2);
L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);
map.createPane("roads").style.zIndex = 350;
map.createPane("footprint").style.zIndex = 450;
map.createPane("labels").style.zIndex = 420; // a labels tile overlay: above the base tiles and roads
map.getPane("labels").style.pointerEvents = "none";
map.createPane("siteLabels").style.zIndex = 590; // site names (no tiles): just under the markers (600)
map.getPane("siteLabels").style.pointerEvents = "none";
const patrol = createPatrolView({
  map, api: API, onError: (m) => showStatus(t("status.error", { message: m }), true),
  onChange: () => recordLink(true), // a plan, day or team shown/hidden is a step the back button returns to
});
let zoomControl = null;
let roadsAttribution = null;
let tileLayer = null;
let labelsLayer = null; // the labels: a tile overlay (BASTION_TILE_LABELS_URL) or the site names (labels.js)
let roadsLayer = null;
let boundaryLayer = null;
let footprintLayer = null;
let legendControl = null;

const vehicleLayer = createVehicleLayer(map, { api: API, onStatus: (text, isError) => showStatus(text, isError) });

const cluster = L.markerClusterGroup({
  chunkedLoading: true,
  showCoverageOnHover: false,
  maxClusterRadius: 48,
  spiderfyOnMaxZoom: true,
  disableClusteringAtZoom: 19,
  iconCreateFunction: clusterIcon,
});
map.addLayer(cluster);
// Leaflet.markercluster's zoomToShowLayer leaves a "moveend" handler that asks map.hasLayer(marker.__parent); a
// filter change that takes the marker out of the cluster before the move ends leaves __parent undefined, and
// Leaflet's hasLayer throws on undefined (a page error seen in CI). Nothing undefined is on the map.
const mapHasLayer = map.hasLayer.bind(map);
map.hasLayer = (layer) => (layer ? mapHasLayer(layer) : false);

/** Cluster icon: the count, on a ring showing the categories' share (conic gradient). */
function clusterIcon(group) {
  const children = group.getAllChildMarkers();
  const counts = new Map();
  const colourKey = (o) => markerColour(o.category, o.siteId);
  for (const m of children) counts.set(colourKey(m.options), (counts.get(colourKey(m.options)) || 0) + 1);
  const n = children.length;
  let start = 0;
  const stops = [];
  for (const [colour, c] of [...counts.entries()].sort((a, b) => b[1] - a[1])) {
    const end = start + (c / n) * 100;
    stops.push(`${colour} ${start.toFixed(2)}% ${end.toFixed(2)}%`);
    start = end;
  }
  const size = n < 10 ? 34 : n < 100 ? 40 : 48;
  const label = t("map.cluster_label", { count: n });
  return domIcon({ className: "site-cluster", iconSize: L.point(size, size) }, () => {
    const ring = h("div", { class: "site-cluster-ring", title: label }, h("span", null, String(n)));
    ring.style.background = `conic-gradient(${stops.join(",")})`;
    return ring;
  });
}

const iconCache = new Map();
/** A marker's colour: its category's, or its risk rating's when "colour by risk" is on. */
const markerColour = (cat, siteId) => (riskState.on ? riskColour(siteId) : colourOf(cat));

function siteIcon(cat, selected, siteId) {
  const colour = markerColour(cat, siteId);
  const key = `${colour}|${selected}`;
  if (!iconCache.has(key)) {
    const size = selected ? 22 : 16;
    iconCache.set(key, domIcon({ className: `site-marker${selected ? " is-selected" : ""}`, iconSize: [size, size] },
      () => {
        const dot = h("span", { class: "site-dot" });
        dot.style.background = colour;
        return dot;
      }));
  }
  return iconCache.get(key);
}

function updateMapControls() {
  if (zoomControl) zoomControl.remove();
  zoomControl = L.control.zoom({
    position: "topleft", zoomInTitle: t("map.zoom_in"), zoomOutTitle: t("map.zoom_out"),
  }).addTo(map);
  if (roadsAttribution) map.attributionControl.removeAttribution(roadsAttribution);
  roadsAttribution = null;
  if (!tileLayer && state.region) {
    roadsAttribution = t("map.roads_attribution");
    map.attributionControl.addAttribution(roadsAttribution);
  }
}

function renderLegend() {
  if (legendControl) legendControl.remove();
  if (riskState.on && state.features.length) {
    legendControl = L.control({ position: "topright" });
    legendControl.onAdd = () => {
      const box = h("details", { class: "legend risk-legend", open: true },
        h("summary", {}, t("risk.legend")),
        h("ul", { class: "legend-list" }, riskLegend().map(([colour, text]) => h("li", {},
          h("span", { class: "swatch", style: `background:${colour}`, "aria-hidden": "true" }), text))));
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    legendControl.addTo(map);
    return;
  }
  const present = new Set(state.features.map((f) => f.properties.category));
  const cats = state.categories.map((c) => c.id).filter((c) => present.has(c));
  if (!cats.length) return;
  legendControl = L.control({ position: "topright" });
  legendControl.onAdd = () => {
    const box = h("details", { class: "legend" },
      h("summary", {}, t("map.legend")),
      h("ul", { class: "legend-list" }, cats.map((c) => h("li", {},
        h("span", { class: "swatch", style: `background:${colourOf(c)}`, "aria-hidden": "true" }),
        categoryName(c)))));
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  legendControl.addTo(map);
}

function showStatus(text, isError = false) {
  el.status.hidden = !text;
  el.status.textContent = text || "";
  el.status.classList.toggle("is-error", isError);
  el.status.setAttribute("role", isError ? "alert" : "status");
}

/* ---------------------------------------------------------------- regions */

function renderRegionOptions() {
  const current = state.region ? String(state.region.id) : "";
  el.regionSelect.replaceChildren(...state.regions.map((r) => h("option", { value: String(r.id) },
    t("header.region_option", { name: r.name, count: fmtNumber(r.site_count) }))));
  el.regionSelect.value = current;
  el.regionSelect.disabled = state.regions.length < 2;
}

function bboxBounds(b) {
  if (!Array.isArray(b) || b.length !== 4 || b.some((x) => typeof x !== "number" || !isFinite(x))) return null;
  return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
}

async function selectRegion(id) {
  const region = state.regions.find((r) => r.id === id) || state.regions[0];
  if (!region) return;
  const seq = ++state.loadSeq;
  state.region = region;
  coverageRegionChanged(region);
  el.regionSelect.value = String(region.id);
  try { localStorage.setItem(LS_REGION, String(region.id)); } catch (_) { /* storage disabled */ }
  closePanel();
  state.features = [];
  state.markers.clear();
  cluster.clearLayers();
  for (const layer of [roadsLayer, boundaryLayer]) if (layer) map.removeLayer(layer);
  roadsLayer = boundaryLayer = null;
  const bounds = bboxBounds(region.bbox);
  if (bounds) map.fitBounds(bounds, { padding: [16, 16] });
  updateMapControls();
  showStatus(t("status.loading_sites"));

  // the roads draw as soon as they arrive (while the sites are still on their way)
  const roads = tileLayer ? Promise.resolve(null) : earlyJSON(`${API}/regions/${region.id}/roads`).then((fc) => {
    if (seq === state.loadSeq && fc) drawRoads(fc);
    return fc;
  });
  const boundary = earlyJSON(`${API}/regions/${region.id}/boundary`).catch((err) => {
    if (err instanceof HttpError && err.status === 404) return null; // a region may have no boundary
    throw err;
  });
  const sites = fetchAllSites(region.id, seq);
  patrol.setRegion(region.id);
  const [roadsRes, boundaryRes, sitesRes] = await Promise.allSettled([roads, boundary, sites]);
  if (seq !== state.loadSeq) return; // the user picked another region meanwhile

  const errors = [roadsRes, boundaryRes, sitesRes].filter((r) => r.status === "rejected").map((r) => r.reason.message);
  if (boundaryRes.status === "fulfilled" && boundaryRes.value) drawBoundary(boundaryRes.value, !bounds);
  if (sitesRes.status === "fulfilled") {
    state.features = sitesRes.value;
    if (riskState.on) await loadRegionRisk(API, region.id).catch(() => { /* markers stay grey */ });
    if (seq !== state.loadSeq) return;
    rebuildMarkers();
  }
  renderCategoryList();
  renderLegend();
  applyFilters({ refit: false });
  if (!bounds && state.features.length) map.fitBounds(cluster.getBounds(), { padding: [16, 16] });
  // the map is drawn (roads, boundary, markers): bench/web_first_render.py times navigation → here
  if (roadsLayer && roadsLayer.drawn) roadsLayer.drawn().then(() => { document.body.dataset.mapDrawn = String(region.id); });
  else document.body.dataset.mapDrawn = String(region.id);
  mapShown();
  showStatus(errors.length ? t("status.error", { message: errors.join("; ") }) : "", errors.length > 0);
  clearVehicleCache();
  if (!errors.length) await vehicleLayer.setRegion(region.id, region.name);
  await modulesReady;
  if (seq !== state.loadSeq) return;
  for (const layer of pluginLayers) await Promise.resolve(layer.setRegion?.(region)).catch(() => {});
}

let modulesReady = Promise.resolve();
let mapShown = () => {};
/** Resolves once the first region's roads, boundary and sites are on the map (or the page has no region). */
const firstMapShown = new Promise((resolve) => { mapShown = resolve; });

/** Import the domains' scripts all at once (one round trip, not one each), then register them in their order. */
async function loadDomainModules(names) {
  const wanted = (names || []).filter((name) => !BUILT_IN_MODULES.has(name) && /^[\w.-]+\.js$/.test(name));
  const loaded = await Promise.allSettled(wanted.map((name) => import(`./${name}`)));
  // their first requests (job tray, incident board, …) wait for the map's: on a busy server they would delay it
  await firstMapShown;
  for (const [i, name] of wanted.entries()) {
    try {
      if (loaded[i].status === "rejected") throw loaded[i].reason;
      const mod = loaded[i].value;
      const layer = mod.register?.({
        map, api: API, t, h, getJSON, postJSON, sendJSON, can, onStatus: showStatus, siteChanged,
        regionName: () => (state.region ? state.region.name : ""),
        selectSite: (id) => selectSite(id, { from: "list" }),
      });
      if (layer) pluginLayers.push(layer);
    } catch (err) {
      showStatus(t("status.error", { message: `${name}: ${err.message}` }), true);
    }
  }
}

/* Requests started before their answer is needed (the first region's map data, asked for while the page still
 * loads its settings, words and scripts): the first caller for a URL takes the answer, later callers fetch anew. */
const early = new Map();
function prefetch(url) {
  if (early.has(url)) return;
  const answer = getJSON(url);
  answer.catch(() => { /* the caller sees it */ });
  early.set(url, answer);
}
function earlyJSON(url) {
  const answer = early.get(url);
  early.delete(url);
  if (!answer) return getJSON(url);
  // asked before the page knew the session had ended: ask again now that a 401 brings back the sign-in form
  return answer.catch((err) => {
    if (err instanceof HttpError && err.status === 401) return getJSON(url);
    throw err;
  });
}
const sitesUrl = (regionId, offset) =>
  `${API}/sites?region_id=${encodeURIComponent(regionId)}&format=geojson&limit=${PAGE_SIZE}&offset=${offset}`;

/** With a session, the region the page will open (the link's, else the last one) is known before anything has
 * loaded: ask for its map data now rather than after the settings, the sign-in check and the region list. */
function prefetchRegion(withRoads) {
  if (!csrfToken()) return; // no session: the sign-in form comes first (and no 401 noise)
  let id = linkFromUrl().region;
  if (id === null) {
    try { id = Number(localStorage.getItem(LS_REGION)) || null; } catch (_) { /* storage disabled */ }
  }
  if (!id) return;
  prefetch(sitesUrl(id, 0));
  prefetch(`${API}/regions/${id}/boundary`);
  if (withRoads) prefetch(`${API}/regions/${id}/roads`);
}

async function fetchAllSites(regionId, seq) {
  const out = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const url = sitesUrl(regionId, offset);
    const fc = await earlyJSON(url);
    if (seq !== state.loadSeq) return out;
    const page = Array.isArray(fc.features) ? fc.features : [];
    out.push(...page);
    const total = Number.isFinite(fc.total) ? fc.total : out.length;
    if (page.length < PAGE_SIZE || out.length >= total) return out;
  }
}

function drawRoads(fc) {
  // one sliced canvas layer (roads.js): a Porto-sized network draws without freezing the page
  roadsLayer = createRoadLayer(fc, roadStyle, { pane: "roads" }).addTo(map);
}

function drawBoundary(feature, fit) {
  boundaryLayer = L.geoJSON(feature, {
    interactive: false,
    style: { color: "#4c3d7a", weight: 2, dashArray: "6 4", fillColor: "#ffffff", fillOpacity: tileLayer ? 0 : 0.35 },
  }).addTo(map);
  boundaryLayer.bringToBack();
  if (fit) map.fitBounds(boundaryLayer.getBounds(), { padding: [16, 16] });
}

/* ---------------------------------------------------------------- sites */

function rebuildMarkers() {
  state.markers.clear();
  for (const f of state.features) {
    const g = f.geometry;
    const p = f.properties || {};
    if (!g || g.type !== "Point" || !Array.isArray(g.coordinates)) continue;
    const selected = p.id === state.selectedId;
    const marker = L.marker([g.coordinates[1], g.coordinates[0]], {
      icon: siteIcon(p.category, selected, p.id),
      title: `${siteName(p)} · ${categoryName(p.category)}`,
      alt: siteName(p),
      keyboard: true,
      riseOnHover: true,
      zIndexOffset: selected ? 1000 : 0,
      category: p.category,
      siteId: p.id,
    });
    marker.on("click", () => selectSite(p.id, { from: "map" }));
    // keyboard: a focused marker opens with Enter or Space (Leaflet forwards the key events to the marker)
    marker.on("keydown", (e) => {
      const k = e.originalEvent && e.originalEvent.key;
      if (k === "Enter" || k === " ") { L.DomEvent.preventDefault(e.originalEvent); selectSite(p.id, { from: "keyboard" }); }
    });
    state.markers.set(p.id, marker);
  }
}

function matchingFeatures({ ignoreCategory = false } = {}) {
  const q = normalise(state.query);
  return state.features.filter((f) => {
    const p = f.properties || {};
    if (!ignoreCategory && !state.enabled.has(p.category)) return false;
    if (!q) return true;
    return normalise(`${p.name || ""} ${kindName(p.kind)} ${p.kind || ""}`).includes(q);
  });
}

function applyFilters({ refit }) {
  const shown = matchingFeatures();
  cluster.clearLayers();
  cluster.addLayers(shown.map((f) => state.markers.get(f.properties.id)).filter(Boolean));
  renderResults(shown);
  renderCategoryCounts();
  labelsLayer?.redraw?.();
  if (refit && shown.length && state.query) {
    const b = L.latLngBounds(shown.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]));
    map.fitBounds(b, { padding: [40, 40], maxZoom: 17 });
  }
}

function renderResults(shown) {
  const sorted = shown.slice().sort((a, b) => siteName(a.properties).localeCompare(siteName(b.properties), lang()));
  el.resultsCount.textContent = state.features.length
    ? t("results.count", { shown: fmtNumber(shown.length), total: fmtNumber(state.features.length) })
    : (state.region ? t("results.none_in_region") : "");
  const items = sorted.slice(0, RESULTS_SHOWN).map((f) => {
    const p = f.properties;
    return h("li", {}, h("button", {
      type: "button", class: `result${p.id === state.selectedId ? " is-selected" : ""}`, "data-site-id": String(p.id),
      "aria-current": p.id === state.selectedId ? "true" : null,
      onclick: () => selectSite(p.id, { from: "list" }),
    },
    h("span", { class: "swatch", style: `background:${colourOf(p.category)}`, "aria-hidden": "true" }),
    h("span", { class: "result-name" }, siteName(p)),
    h("span", { class: "result-kind" }, kindName(p.kind))));
  });
  if (sorted.length > RESULTS_SHOWN) {
    items.push(h("li", { class: "results-more" }, t("results.more", { n: fmtNumber(sorted.length - RESULTS_SHOWN) })));
  }
  if (!sorted.length && state.features.length) items.push(h("li", { class: "results-empty" }, t("results.empty")));
  el.resultsList.replaceChildren(...items);
}

function renderCategoryList() {
  if (!state.enabled.size && !renderCategoryList.done) {
    for (const c of state.categories) state.enabled.add(c.id);
    renderCategoryList.done = true;
  }
  // Categories the server did not announce but the data has still get a checkbox.
  for (const f of state.features) {
    const cat = f.properties.category;
    if (!state.categories.some((c) => c.id === cat)) {
      state.categories.push({ id: cat, kinds: [] });
      state.enabled.add(cat);
    }
  }
  el.categoryList.replaceChildren(...state.categories.map((c) => h("li", {},
    h("label", { class: "category" },
      h("input", {
        type: "checkbox", value: c.id, checked: state.enabled.has(c.id), "data-category": c.id,
        onchange: (ev) => {
          if (ev.target.checked) state.enabled.add(c.id); else state.enabled.delete(c.id);
          applyFilters({ refit: false });
        },
      }),
      h("span", { class: "swatch", style: `background:${colourOf(c.id)}`, "aria-hidden": "true" }),
      h("span", { class: "category-name" }, categoryName(c.id)),
      h("span", { class: "category-count", "data-count-for": c.id }, "")))));
  renderCategoryCounts();
}

function renderCategoryCounts() {
  const counts = new Map();
  for (const f of matchingFeatures({ ignoreCategory: true })) {
    counts.set(f.properties.category, (counts.get(f.properties.category) || 0) + 1);
  }
  for (const node of el.categoryList.querySelectorAll("[data-count-for]")) {
    const n = counts.get(node.dataset.countFor) || 0;
    node.textContent = fmtNumber(n);
    node.closest("li").classList.toggle("is-empty", n === 0);
  }
}

function setAllCategories(on) {
  state.enabled = new Set(on ? state.categories.map((c) => c.id) : []);
  for (const box of el.categoryList.querySelectorAll("input[type=checkbox]")) box.checked = on;
  applyFilters({ refit: false });
}

/* ---------------------------------------------------------------- selection + panel */

function setMarkerSelected(id, selected) {
  const marker = state.markers.get(id);
  if (!marker) return;
  marker.setIcon(siteIcon(marker.options.category, selected, marker.options.siteId));
  marker.setZIndexOffset(selected ? 1000 : 0);
}

function safely(fn) {
  try {
    fn();
  } catch (err) {
    console.error(err); // the page goes on; the error is in the browser console
  }
}

async function selectSite(id, { from } = {}) {
  if (state.selectedId !== null && state.selectedId !== id) setMarkerSelected(state.selectedId, false);
  state.selectedId = id;
  setMarkerSelected(id, true);
  // a domain layer that fails on a selection must not keep the panel from opening
  for (const layer of pluginLayers) safely(() => layer.siteSelected?.(id));
  safely(() => patrol.siteSelected(id));
  recordLink(true); // now, not after the detail arrives: a later pan or click must not race it
  safely(() => coverageSiteSelected(id));
  safely(() => vehicleLayer.highlightSite?.(id));
  for (const b of el.resultsList.querySelectorAll("button.result")) {
    const on = Number(b.dataset.siteId) === id;
    b.classList.toggle("is-selected", on);
    if (on) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
  }
  if (from === "list" && document.body.classList.contains("sidebar-open")) setSidebarOpen(false);
  const feature = state.features.find((f) => f.properties.id === id);
  el.panel.hidden = false;
  el.panel.style.setProperty("--cat", colourOf(feature ? feature.properties.category : null));
  el.panelTitle.textContent = feature ? siteName(feature.properties) : "";
  el.panelBody.replaceChildren(h("p", { class: "muted" }, t("status.loading")));
  const marker = state.markers.get(id);
  if (from === "list" && marker && cluster.hasLayer(marker)) {
    // (the handler may run after a later move, once the marker is shown again: only for the site still selected)
    cluster.zoomToShowLayer(marker, () => { if (state.selectedId === id) keepClearOfPanel(marker.getLatLng(), true); });
  }
  if (from !== "map") el.panel.focus({ preventScroll: true });
  try {
    let detail = state.details.get(id);
    if (!detail) {
      detail = await getJSON(`${API}/sites/${encodeURIComponent(id)}`);
      state.details.set(id, detail);
    }
    if (state.selectedId !== id) return;
    state.detail = detail;
    renderPanel(detail);
    drawFootprint(detail);
    if (from !== "list") keepClearOfPanel(L.latLng(detail.lat, detail.lon));
  } catch (err) {
    if (state.selectedId !== id) return;
    el.panelBody.replaceChildren(h("p", { class: "error", role: "alert" }, t("status.error", { message: err.message })));
  }
}

/** Pan so that latlng is not hidden under the site panel (right side, or bottom sheet on phones). */
function keepClearOfPanel(latlng, centre = false) {
  if (!latlng || !Number.isFinite(latlng.lat) || !Number.isFinite(latlng.lng)) return;
  const size = map.getSize();
  const mapBox = map.getContainer().getBoundingClientRect();
  const panelBox = el.panel.hidden ? null : el.panel.getBoundingClientRect();
  let free = { x0: 0, y0: 0, x1: size.x, y1: size.y };
  if (panelBox && panelBox.width > 0) {
    if (panelBox.width >= mapBox.width - 24) free.y1 = Math.max(80, panelBox.top - mapBox.top); // bottom sheet
    else free.x1 = Math.max(80, panelBox.left - mapBox.left); // side panel
  }
  const p = map.latLngToContainerPoint(latlng);
  const margin = 30;
  const inside = p.x > free.x0 + margin && p.x < free.x1 - margin && p.y > free.y0 + margin && p.y < free.y1 - margin;
  if (inside && !centre) return;
  const target = L.point((free.x0 + free.x1) / 2, (free.y0 + free.y1) / 2);
  map.panBy(p.subtract(target), { animate: true });
}

function closePanel() {
  if (state.selectedId !== null) setMarkerSelected(state.selectedId, false);
  const wasOpen = !el.panel.hidden;
  state.selectedId = null;
  state.detail = null;
  el.panel.hidden = true;
  coverageSiteSelected(null);
  vehicleLayer.highlightSite?.(null);
  for (const layer of pluginLayers) layer.siteSelected?.(null);
  patrol.siteSelected(null);
  if (footprintLayer) map.removeLayer(footprintLayer);
  footprintLayer = null;
  for (const b of el.resultsList.querySelectorAll("button.result.is-selected")) {
    b.classList.remove("is-selected");
    b.removeAttribute("aria-current");
  }
  if (wasOpen && el.panel.contains(document.activeElement)) el.search.focus();
  if (wasOpen) recordLink(true);
}

function drawFootprint(detail) {
  if (footprintLayer) map.removeLayer(footprintLayer);
  footprintLayer = null;
  const g = detail.geometry;
  if (!g || g.type === "Point" || g.type === "MultiPoint") return;
  footprintLayer = L.geoJSON(g, {
    pane: "footprint", interactive: false,
    style: { color: colourOf(detail.category), weight: 2.5, fillOpacity: 0.2 },
  }).addTo(map);
}

function renderPanel(d) {
  el.panelTitle.textContent = siteName(d);
  el.panel.style.setProperty("--cat", colourOf(d.category));
  el.panelSwatch.style.background = colourOf(d.category);
  el.panelBody.replaceChildren(
    ...panelContent(d, { onZoom: () => zoomToSite(d) }),
    ...pluginLayers.map((layer) => layer.panelSection?.(d)).filter(Boolean),
    riskSection(API, d.id), patrol.panelSection(d), vehicleSection(d.id, API),
  );
}

/* ---------------------------------------------------------------- risk colouring */

function renderRiskToggle() {
  const old = document.querySelector(".risk-toggle");
  if (old) old.remove();
  document.getElementById("categories").after(riskToggle((on) => setRiskMode(on)));
}

async function setRiskMode(on) {
  riskState.on = on;
  if (on && state.region) {
    showStatus(t("risk.loading"));
    try {
      await loadRegionRisk(API, state.region.id);
      showStatus("");
    } catch (err) {
      showStatus(t("status.error", { message: err.message }), true);
    }
  }
  rebuildMarkers();
  applyFilters({ refit: false });
  renderLegend();
  document.body.dataset.riskMode = on ? "on" : "off";
}

/** A plugin saved a site: drop its cached detail and show the server's fresh copy. */
async function siteChanged(saved) {
  if (!saved || saved.id === undefined) return;
  state.details.delete(saved.id);
  if (state.selectedId !== saved.id) return;
  try {
    const detail = await getJSON(`${API}/sites/${encodeURIComponent(saved.id)}`);
    state.details.set(saved.id, detail);
    if (state.selectedId !== saved.id) return;
    state.detail = detail;
    renderPanel(detail);
  } catch (err) {
    showStatus(t("status.error", { message: err.message }), true);
  }
}

function zoomToSite(d) {
  if (footprintLayer) map.fitBounds(footprintLayer.getBounds(), { padding: [40, 40], maxZoom: 18 });
  else if (Number.isFinite(d.lat) && Number.isFinite(d.lon)) map.setView([d.lat, d.lon], Math.max(map.getZoom(), 17));
}

/* ---------------------------------------------------------------- deep links */

const links = { ready: false, restoring: false, moveTimer: null };

/** Record the view in the URL: a user's step (region, site, layer) is pushed, a map pan replaces. */
function recordLink(push) {
  if (!links.ready || links.restoring || !state.region) return;
  if (push) clearTimeout(links.moveTimer); // a pending pan would otherwise rewrite the entry just pushed
  const c = map.getCenter();
  writeLink({
    region: state.region.id, site: state.selectedId, layers: currentLayers(), patrol: patrol.link(),
    view: { lat: c.lat, lon: c.lng, zoom: map.getZoom() },
  }, { push });
}

/** Bring the page to a link's view (on load and on the back/forward buttons). */
async function applyLink(link, { initial = false } = {}) {
  links.restoring = true;
  try {
    if (link.region !== null && link.region !== state.region?.id && state.regions.some((r) => r.id === link.region)) {
      await selectRegion(link.region);
    }
    for (const [name, id] of Object.entries(LAYER_INPUTS)) {
      const box = document.getElementById(id);
      if (!box || box.checked === link.layers.has(name)) continue;
      if (initial && !link.layers.has(name)) continue; // on load, never undo what the user already switched on
      box.checked = link.layers.has(name);
      box.dispatchEvent(new Event("change"));
    }
    // a link without a plan keeps the plan shown on load (the user may have picked one already), not on back
    if (link.patrol.plan !== null || !initial) await patrol.applyLink(link.patrol);
    if (link.site !== null && state.features.some((f) => f.properties.id === link.site)) {
      if (state.selectedId !== link.site) await selectSite(link.site, { from: "link" });
    } else if (state.selectedId !== null && !initial) {
      closePanel();
    }
    if (link.view) map.setView([link.view.lat, link.view.lon], link.view.zoom, { animate: false });
  } finally {
    links.restoring = false;
  }
}

/* ---------------------------------------------------------------- wiring */

function wireUi() {
  el.langSelect.addEventListener("change", () => switchLanguage(el.langSelect.value));
  el.regionSelect.addEventListener("change", async () => {
    await selectRegion(Number(el.regionSelect.value));
    recordLink(true);
  });
  el.sidebar.addEventListener("change", (ev) => {
    if (Object.values(LAYER_INPUTS).includes(ev.target.id)) recordLink(true);
  });
  map.on("moveend", () => {
    clearTimeout(links.moveTimer);
    links.moveTimer = setTimeout(() => recordLink(false), 250);
  });
  window.addEventListener("popstate", () => applyLink(linkFromUrl()));
  let timer = null;
  el.search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.query = el.search.value;
      applyFilters({ refit: true });
    }, 120);
  });
  el.logout.addEventListener("click", signOut);
  el.search.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    clearTimeout(timer);
    state.query = el.search.value;
    applyFilters({ refit: true });
    const shown = matchingFeatures();
    if (shown.length === 1) selectSite(shown[0].properties.id, { from: "list" });
  });
  el.catAll.addEventListener("click", () => setAllCategories(true));
  el.catNone.addEventListener("click", () => setAllCategories(false));
  el.panelClose.addEventListener("click", closePanel);
  el.layerVehicle.addEventListener("change", () => vehicleLayer.setEnabled(el.layerVehicle.checked));
  el.layerVehicleClass.addEventListener("change", () => vehicleLayer.setVehicle(el.layerVehicleClass.value));
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && !el.panel.hidden) closePanel();
  });
  el.filtersToggle.addEventListener("click", () => {
    setSidebarOpen(el.filtersToggle.getAttribute("aria-expanded") !== "true");
  });
  window.addEventListener("resize", () => map.invalidateSize());
  // print: the legend opens so that it prints with the map (responsive.css lays both on one page)
  window.addEventListener("beforeprint", () => {
    for (const d of document.querySelectorAll("details.legend")) d.open = true;
    map.invalidateSize();
  });
}

/** Map labels, switched on and off with the Layers box's "Map labels": with BASTION_TILE_LABELS_URL a transparent
 * tile overlay of place and street names; without it, the names of the sites shown, written on the map from
 * zoom 16 (labels.js). On by default; a base map without a labels overlay may carry its own names. */
function setUpLabels() {
  const box = document.getElementById("layer-labels");
  const url = state.meta.tile_labels_url;
  if (url) {
    labelsLayer = L.tileLayer(url, { pane: "labels", maxZoom: 19, attribution: state.meta.tile_attribution || "" });
  } else {
    labelsLayer = createSiteLabels(() => matchingFeatures(), (p) => siteName(p));
  }
  box.checked = true; // not kept from a restored form: the labels start on
  labelsLayer.addTo(map);
  map.getContainer().dataset.labels = url ? "tiles" : "sites";
  box.addEventListener("change", () => {
    if (box.checked) labelsLayer.addTo(map); else labelsLayer.remove();
  });
}

/** Narrow screens only: the sidebar is a drawer over the map. */
function setSidebarOpen(open) {
  el.filtersToggle.setAttribute("aria-expanded", String(open));
  document.body.classList.toggle("sidebar-open", open);
}

/* ---------------------------------------------------------------- sign-in */

/** The signed-in user, or the sign-in form until someone signs in. Without the CSRF cookie that every session
 * sets there is no session to ask about: the form shows straight away (no 401 in the console). */
async function ensureSignedIn(early = null) {
  setUnauthorizedHandler(signInAgain);
  if (!csrfToken()) {
    state.me = await askToSignIn();
  } else {
    try {
      state.me = await (early || getJSON(`${API}/auth/me`));
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 401)) throw err;
      state.me = await askToSignIn();
    }
  }
  setPermissions(state.me && state.me.permissions);
  renderUser();
}

let signingIn = null;
/** A 401 anywhere (signed out in another tab, expired): forget the user, show the sign-in overlay over the page as
 * it is, and resolve once signed in again (the request that failed is then retried). */
function signInAgain() {
  if (!signingIn) {
    state.me = null;
    setPermissions([]);
    renderUser();
    signingIn = askToSignIn().then((me) => {
      state.me = me;
      setPermissions(me && me.permissions);
      renderUser();
      signingIn = null;
      if (state.detail) renderPanel(state.detail);
      for (const layer of pluginLayers) layer.permissionsChanged?.();
      return me;
    });
  }
  return signingIn;
}

function askToSignIn() {
  document.body.classList.add("signed-out");
  el.login.hidden = false;
  el.loginError.hidden = true;
  el.loginName.focus();
  return new Promise((resolve) => {
    el.loginForm.addEventListener("submit", async function onSubmit(ev) {
      ev.preventDefault();
      el.loginError.hidden = true;
      el.loginSubmit.disabled = true;
      let message = null;
      try {
        const res = await postJSON(`${API}/auth/login`, {
          login: el.loginName.value.trim(), password: el.loginPassword.value, mode: "cookie",
        });
        if (res.ok) {
          const body = await res.json();
          el.loginPassword.value = "";
          el.login.hidden = true;
          document.body.classList.remove("signed-out");
          el.loginForm.removeEventListener("submit", onSubmit);
          resolve(body.me);
          return;
        }
        let detail = "";
        try { detail = (await res.json()).error.message; } catch (_) { /* no JSON body */ }
        message = res.status === 401 ? t("login.failed") : res.status === 429 ? t("login.too_many")
          : t("login.error", { message: detail || String(res.status) });
      } catch (err) {
        message = t("login.error", { message: err.message });
      } finally {
        el.loginSubmit.disabled = false;
      }
      el.loginError.textContent = message;
      el.loginError.hidden = false;
      el.loginPassword.select();
    });
  });
}

function renderUser() {
  const signedIn = Boolean(state.me && state.me.user);
  el.userName.hidden = !signedIn;
  el.logout.hidden = !signedIn;
  if (signedIn) {
    el.userName.textContent = t("login.signed_in_as", { name: state.me.user.display_name });
    el.userName.title = `${state.me.user.login} · ${state.me.user.agency_name}`;
  }
}

async function signOut() {
  try {
    await fetch(`${API}/auth/logout`, { method: "POST", headers: { "X-CSRF-Token": csrfToken() } });
  } catch (_) { /* signed out locally anyway */ }
  window.location.reload();
}

async function start() {
  wireUi();
  initCoverage(map, API, el.sidebar, { onSelectSite: (id) => selectSite(id, { from: "list" }) });
  const guess = pickInitialLanguage();
  const metaP = getJSON(`${API}/meta`);
  prefetchRegion(false);
  // a session (its CSRF cookie) is there: ask who it is alongside the settings and the words, not after them
  const meP = csrfToken() ? getJSON(`${API}/auth/me`) : null;
  if (meP) meP.catch(() => { /* answered in ensureSignedIn */ });
  try {
    const langP = useLanguage(guess || "en");
    state.meta = await metaP;
    if (!state.meta.tile_url) prefetchRegion(true); // roads only on the no-tiles map
    await langP;
    const serverLang = state.meta.default_language;
    if (!guess && LANGS.includes(serverLang) && serverLang !== lang()) await useLanguage(serverLang);
  } catch (err) {
    applyStaticTranslations();
    showStatus(`Could not start: ${err.message}`, true);
    return;
  }
  state.categories = (state.meta.categories || []).map((c) => ({ id: c.id, kinds: c.kinds || [] }));
  if (state.meta.tile_url) {
    tileLayer = L.tileLayer(state.meta.tile_url, {
      attribution: state.meta.tile_attribution || "", maxZoom: 19,
    }).addTo(map);
  } else {
    map.getContainer().classList.add("no-tiles");
  }
  setUpLabels();
  el.version.dataset.version = state.meta.version || "";
  applyStaticTranslations();
  renderCoverageText();
  updateMapControls();
  renderCategoryList();
  renderRiskToggle();
  if (el.version.dataset.version) el.version.textContent = t("app.version", { version: el.version.dataset.version });

  try {
    await ensureSignedIn(meP);
  } catch (err) {
    showStatus(t("status.error", { message: err.message }), true);
    return;
  }
  // the domains' scripts load once signed in (their first requests need the session: no 401 before sign-in),
  // all at once and alongside the regions and the first region's map data; they register once that map is shown
  // (selectRegion waits for them before telling them the region)
  modulesReady = loadDomainModules(state.meta.web_modules);

  try {
    state.regions = await getAllItems(`${API}/regions`);
  } catch (err) {
    mapShown();
    showStatus(t("status.error", { message: err.message }), true);
    return;
  }
  if (!state.regions.length) {
    mapShown();
    await modulesReady;
    renderRegionOptions();
    renderResults([]);
    showStatus(t("status.no_regions"));
    return;
  }
  const link = linkFromUrl();
  let stored = null;
  try { stored = Number(localStorage.getItem(LS_REGION)); } catch (_) { /* storage disabled */ }
  const initial = state.regions.find((r) => r.id === link.region) || state.regions.find((r) => r.id === stored)
    || state.regions[0];
  state.region = initial;
  renderRegionOptions();
  // a browser restoring form state after "back" may leave a layer's box ticked with nothing drawn: start clean
  for (const id of Object.values(LAYER_INPUTS)) {
    const box = document.getElementById(id);
    if (box) box.checked = false;
  }
  await selectRegion(initial.id);
  early.clear(); // answers for a region the page did not open are not kept for later
  await applyLink(link, { initial: true });
  links.ready = true;
  recordLink(false);
  document.body.dataset.ready = "true";
}

start();
