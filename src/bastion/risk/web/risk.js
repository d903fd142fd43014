/* Bastion map page: risk. Colour sites by their worst 4×4 rating (GET {api}/regions/{id}/risk.geojson) and a
 * site-panel section with tiers under three regimes, risk per threat, gaps and open tasks
 * (GET {api}/sites/{id}/tiers, /risk, {api}/tasks?site_id=..). */
import { getAllItems, getJSON, h, readSettings } from "./util.js";
import { fmtNumber, formatDate, lang, t } from "./i18n.js";

/* one palette with the PDF reports: risk/enums.py RATING_COLOURS, served by /api/v1/meta (lowest rating first) */
const settings = readSettings();
export const RATINGS = [...((settings.vocabularies || {}).ratings || [])].reverse(); // worst first, for the legend
export const RATING_COLOURS = settings.rating_colours || {};
const UNSCORED = settings.unscored_colour || "#9ca3af";
const ratingKey = (r) => String(r || "").replace(/ /g, "_");

export const riskState = { on: false, regionId: null, byId: new Map(), loading: null };

/** Load the region's per-site risk once (cached per region). */
export async function loadRegionRisk(api, regionId) {
  if (riskState.regionId === regionId && riskState.byId.size) return;
  if (riskState.loading && riskState.loading.regionId === regionId) return riskState.loading.promise;
  const promise = getJSON(`${api}/regions/${encodeURIComponent(regionId)}/risk.geojson`).then((fc) => {
    const byId = new Map();
    for (const f of fc.features || []) {
      const p = f.properties || {};
      byId.set(p.id, { rating: p.risk_rating, total: p.risk_total, rank: p.risk_rank });
    }
    riskState.byId = byId;
    riskState.regionId = regionId;
  }).finally(() => { riskState.loading = null; });
  riskState.loading = { regionId, promise };
  return promise;
}

/** The marker colour of a site in risk mode (grey until scored). */
export function riskColour(siteId) {
  const r = riskState.byId.get(siteId);
  return r ? RATING_COLOURS[r.rating] || UNSCORED : UNSCORED;
}

export const ratingName = (r) => t(`risk.rating.${ratingKey(r)}`, null, r);

/** The "colour by risk" switch for the sidebar. */
export function riskToggle(onChange) {
  const input = h("input", { type: "checkbox", id: "risk-toggle", checked: riskState.on || null });
  input.addEventListener("change", () => onChange(input.checked));
  return h("div", { class: "field risk-toggle" }, h("label", { for: "risk-toggle" }, input, " ", t("risk.colour_by_risk")));
}

/** Legend rows (colour, text) for risk mode. */
export function riskLegend() {
  return RATINGS.map((r) => [RATING_COLOURS[r], ratingName(r)]);
}

// white text only on the dark "very high" red; near-black on the lighter colours (WCAG AA contrast ≥ 4.5)
const pill = (rating) => h("span", { class: "risk-pill",
  style: `background:${RATING_COLOURS[rating] || UNSCORED};color:${rating === "very high" ? "#fff" : "#111"}` },
  ratingName(rating));

function tiersTable(tiers) {
  return h("table", { class: "risk-table" },
    h("caption", {}, t("risk.tiers")),
    h("tbody", {}, tiers.map((x) => h("tr", {},
      h("th", { scope: "row" }, t(`risk.standard.${x.standard_id}`, null, x.standard_name)),
      h("td", { title: x.reasons.join("; ") }, x.tier ? t(`report.tier.${x.standard_id}.${x.tier}`, null, x.label)
        : t(`risk.status.${x.status}`, null, x.status))))));
}

function threatsTable(risk) {
  return h("table", { class: "risk-table" },
    h("caption", {}, t("risk.by_threat", { level: t(`report.threat_level.${risk.threat_level}`, null, risk.threat_level) })),
    h("thead", {}, h("tr", {}, h("th", {}, t("risk.threat")), h("th", {}, t("risk.score")), h("th", {}, t("risk.rating")))),
    h("tbody", {}, risk.by_threat.map((r) => h("tr", {},
      h("th", { scope: "row" }, t(`risk.threat.${r.threat}`, null, r.threat)),
      h("td", { class: "num" }, fmtNumber(r.risk, { maximumSignificantDigits: 3 })),
      h("td", {}, pill(r.rating))))));
}

function gapsList(risk) {
  const gaps = (risk.gaps || []).slice(0, 5);
  if (!gaps.length) return h("p", { class: "muted" }, t("risk.no_gaps"));
  return h("div", {}, h("h4", {}, t("risk.gaps")), h("ol", { class: "risk-gaps" }, gaps.map((g) => h("li", {},
    t(`risk.measure.${g.measure}`, null, g.label), " ",
    h("span", { class: "muted" }, t("risk.gap_reduction", {
      pct: fmtNumber(risk.total_risk > 0 ? (100 * g.risk_reduction) / risk.total_risk : 0, { maximumFractionDigits: 0 }),
    }))))));
}

function tasksList(tasks) {
  if (!tasks.length) return h("p", { class: "muted" }, t("risk.no_tasks"));
  return h("div", {}, h("h4", {}, t("risk.open_tasks", { n: fmtNumber(tasks.length) })),
    h("ul", { class: "risk-tasks" }, tasks.map((x) => h("li", { class: x.overdue ? "overdue" : null },
      t(`risk.measure.${x.measure}`, null, x.measure), " · ", t(`risk.task_status.${x.status}`, null, x.status),
      " · ", t("risk.due", { date: formatDate(x.deadline) }),
      x.overdue ? [" · ", h("strong", {}, t("risk.overdue", { level: x.escalation_level }))] : []))));
}

/** The panel's risk section: a placeholder now, filled when the three requests return. */
export function riskSection(api, siteId) {
  const body = h("div", { class: "risk-body" }, h("p", { class: "muted" }, t("status.loading")));
  const box = h("section", { class: "risk-section", "aria-label": t("risk.heading") },
    h("h3", {}, t("risk.heading")), body);
  const id = encodeURIComponent(siteId);
  Promise.all([
    getJSON(`${api}/sites/${id}/tiers?lang=${encodeURIComponent(lang())}`),
    getJSON(`${api}/sites/${id}/risk`),
    getAllItems(`${api}/tasks?site_id=${id}&status=open&status=in_progress&status=fixed`),
  ]).then(([tiers, risk, tasks]) => {
    body.replaceChildren(
      h("p", {}, t("risk.overall"), " ", pill(risk.worst_rating)),
      tiersTable(tiers.tiers), threatsTable(risk), gapsList(risk), tasksList(tasks),
      h("p", {}, h("a", { href: `${api}/sites/${id}/report?lang=${encodeURIComponent(lang())}`, target: "_blank",
        rel: "noopener", class: "site-report-link" }, t("risk.report"))));
  }).catch((err) => {
    body.replaceChildren(h("p", { class: "error", role: "alert" }, t("status.error", { message: err.message })));
  });
  return box;
}
