/* Bastion map page: the content of a site's detail panel, built from GET /api/v1/sites/{id}. */
import { h, hhmm, humanise, weeklyByDay } from "./util.js";
import { categoryName, fmtNumber, formatDate, kindName, t } from "./i18n.js";

const OSM_BASE = "https://www.openstreetmap.org";

export function row(label, ...value) {
  return [h("dt", {}, label), h("dd", {}, ...value)];
}

export function formatInputValue(key, value) {
  if (typeof value === "number") {
    const unit = /_m2$/.test(key) ? " m²" : /_m$/.test(key) ? " m" : "";
    return fmtNumber(value, { maximumFractionDigits: 2 }) + unit;
  }
  if (typeof value === "boolean") return t(value ? "common.yes" : "common.no");
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") return JSON.stringify(value);
  if (key === "space_use") return t(`space.${value}`, null, humanise(value));
  return t(`capacity_value.${value}`, null, String(value));
}

export function renderOpeningHours(d) {
  if (!d.opening_hours_raw) return h("span", { class: "muted" }, t("panel.opening_hours_none"));
  const parts = [h("code", { class: "oh-raw" }, d.opening_hours_raw)];
  if (d.opening_hours_valid === false) {
    parts.push(h("p", { class: "note" }, t("panel.opening_hours_unparsed")));
    if (d.opening_hours_error) {
      parts.push(h("p", { class: "note" }, t("panel.opening_hours_error", { message: d.opening_hours_error })));
    }
  }
  if (Array.isArray(d.opening_hours_weekly)) {
    const days = weeklyByDay(d.opening_hours_weekly);
    parts.push(h("table", { class: "oh-week" },
      h("caption", {}, t("panel.opening_hours_weekly")),
      h("tbody", {}, days.map((ivs, i) => h("tr", {},
        h("th", { scope: "row" }, t(`day.${i}`)),
        h("td", {}, ivs.length ? ivs.map(([s, e]) => `${hhmm(s)}–${hhmm(e)}`).join(", ")
          : h("span", { class: "muted" }, t("panel.opening_hours_closed"))))))));
  }
  return parts;
}

/* Methods that are a calculation, not a count someone recorded. */
const ESTIMATED_METHODS = new Set(["floor_area", "open_area", "linear_area", "kind_default_area"]);

export function renderCapacity(d) {
  const parts = [];
  const overridden = d.capacity_override !== null && d.capacity_override !== undefined;
  if (d.capacity === null || d.capacity === undefined) {
    parts.push(h("span", { class: "muted" }, t("panel.capacity_unknown")));
  } else {
    parts.push(h("strong", { class: "capacity-value" }, t("panel.capacity_people", { n: fmtNumber(d.capacity) })));
    if (overridden) {
      parts.push(" ", h("span", { class: "tag tag-user" }, t("panel.capacity_override")));
    } else if (d.capacity_method === "kind_default_area") {
      parts.push(" ", h("span", { class: "tag tag-rough" }, t("panel.capacity_rough")));
    } else if (ESTIMATED_METHODS.has(d.capacity_method)) {
      parts.push(" ", h("span", { class: "tag" }, t("panel.capacity_estimated")));
    }
  }
  // the estimate's band (low – high people); an office's own figure has none
  const lo = d.capacity_low, hi = d.capacity_high;
  if (!overridden && Number.isFinite(lo) && Number.isFinite(hi) && lo !== hi) {
    parts.push(h("div", { class: "sub capacity-band" },
      t("panel.capacity_band", { low: fmtNumber(lo), high: fmtNumber(hi) })));
  }
  if (Array.isArray(d.osm_members) && d.osm_members.length > 1) {
    parts.push(h("div", { class: "sub muted osm-members" },
      t("panel.osm_members", { n: d.osm_members.length, refs: d.osm_members.join(", ") })));
  }
  // capacity_estimated is the number the method gave; shown beside a user override.
  if (overridden && Number.isFinite(d.capacity_estimated) && d.capacity_estimated !== d.capacity) {
    parts.push(h("div", { class: "sub muted" }, t("panel.capacity_estimate_was", { n: fmtNumber(d.capacity_estimated) })));
  }
  if (d.capacity_method) {
    parts.push(h("div", { class: "sub" },
      h("span", { class: "sub-label" }, `${t("panel.capacity_method")}: `),
      h("span", { class: "capacity-method" },
        t(`capacity_method.${d.capacity_method}`, null, humanise(d.capacity_method)))));
  }
  const inputs = d.capacity_inputs && typeof d.capacity_inputs === "object" ? Object.entries(d.capacity_inputs) : [];
  if (inputs.length) {
    parts.push(h("dl", { class: "inputs", "aria-label": t("panel.capacity_inputs") },
      inputs.map(([k, v]) => [h("dt", {}, t(`capacity_input.${k}`, null, humanise(k))), h("dd", {}, formatInputValue(k, v))])));
  }
  return parts;
}

export function renderSource(d) {
  const parts = [t(`source.${d.source}`, null, d.source ? humanise(d.source) : t("source.osm"))];
  if (d.osm_type && d.osm_id !== null && d.osm_id !== undefined) {
    const type = String(d.osm_type).toLowerCase();
    const typeName = { n: "node", w: "way", r: "relation" }[type] || type;
    parts.push(h("div", { class: "sub" }, h("a", {
      href: `${OSM_BASE}/${encodeURIComponent(typeName)}/${encodeURIComponent(d.osm_id)}`,
      target: "_blank", rel: "noopener noreferrer", class: "osm-link",
    }, t("panel.osm_link", { type: t(`osm_type.${typeName}`, null, typeName), id: d.osm_id }))));
  }
  if (d.user_list) {
    parts.push(h("div", { class: "sub" }, t("panel.own_list", { list: d.user_list, ref: d.user_ref || "—" })));
  }
  return parts;
}

/** The panel body for a site detail `d`; `onZoom` is called by its "zoom to site" button. */
export function panelContent(d, { onZoom }) {
  const items = [];
  if (d.missing_from_osm) items.push(h("p", { class: "warning", role: "note" }, t("panel.missing_from_osm")));
  items.push(h("dl", { class: "facts" },
    row(t("panel.category"), h("span", { class: "panel-category", "data-category": d.category }, categoryName(d.category))),
    row(t("panel.kind"), h("span", { class: "panel-kind" }, kindName(d.kind))),
    row(t("panel.capacity"), renderCapacity(d)),
    row(t("panel.opening_hours"), renderOpeningHours(d)),
    row(t("panel.notes"), d.notes ? h("p", { class: "notes" }, d.notes) : h("span", { class: "muted" }, t("panel.notes_none"))),
    row(t("panel.source"), renderSource(d)),
    Number.isFinite(d.lat) && Number.isFinite(d.lon)
      ? row(t("panel.location"), `${d.lat.toFixed(5)}, ${d.lon.toFixed(5)}`) : [],
    d.updated_at ? row(t("panel.updated"), formatDate(d.updated_at)) : []));
  const tags = d.tags && typeof d.tags === "object" ? Object.entries(d.tags) : [];
  if (tags.length) {
    items.push(h("details", { class: "tags" },
      h("summary", {}, t("panel.tags", { n: fmtNumber(tags.length) })),
      h("dl", {}, tags.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))]))));
  }
  items.push(h("button", { type: "button", class: "zoom-button", onclick: onZoom }, t("panel.zoom")));
  return items;
}
