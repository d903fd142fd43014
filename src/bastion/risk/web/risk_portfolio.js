/* The risk portfolio in the risk workspace: where the region's risk sits (by category and by worst rating, with
 * totals), and the budget portfolio — which protective measures to buy at which sites for a budget in euros (exact
 * plan by HiGHS beside the greedy baseline), its allocations as a table whose rows select their site on the map.
 *   POST {api}/regions/{id}/portfolio {budget, max_candidates}  (analysis:run and site:sensitive_read)
 * Risk is T × V × C in people-equivalents (docs/models/risk.md); costs are one-off euros. */
import { h, sendJSON } from "./util.js";
import { can, field, readNumber, setFieldError, submitForm } from "./forms.js";
import { dataTable } from "./table.js";
import { categoryName, fmtNumber, t } from "./i18n.js";

const BUDGET_MAX = 1e12; // risk/schemas.py PortfolioCreate.budget le=
const CANDIDATES_MAX = 6; // PortfolioCreate.max_candidates le=
const RATINGS = ["very high", "high", "medium", "low"];

const risk = (v) => fmtNumber(v, { maximumFractionDigits: 1 });
const eur = (v) => fmtNumber(v, { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
const pct = (part, whole) => (whole > 0 ? fmtNumber(part / whole, { style: "percent", maximumFractionDigits: 1 }) : "–");

/** Risk by category and by worst rating: [{key, sites, risk}] sorted by risk, largest first. */
export function breakdown(ranking, keyOf) {
  const by = new Map();
  for (const r of ranking) {
    const k = keyOf(r);
    const b = by.get(k) || { key: k, sites: 0, risk: 0 };
    b.sites += 1;
    b.risk += r.total_risk;
    by.set(k, b);
  }
  return [...by.values()].sort((a, b) => b.risk - a.risk);
}

export function portfolioSection(ctx, regionOf) {
  const st = { ranking: [], result: null };
  const summary = h("div", { class: "portfolio-summary" });
  const allocations = dataTable({
    id: "portfolio-allocations",
    caption: () => t("riskws.pf_allocations"),
    rowId: (r) => r.site_id,
    onSelect: (id) => ctx.selectSite?.(id),
    exportName: () => `risk-portfolio-${regionOf() ? regionOf().name : ""}`,
    columns: [
      { key: "name", label: () => t("riskws.site"), value: (r) => r.name || `#${r.site_id}` },
      { key: "measures", label: () => t("riskws.pf_measures"), value: (r) => r.measures.join(" "),
        text: (r) => r.measures.map((m) => t(`risk.measure.${m}`, null, m)).join(", ") },
      { key: "cost", label: () => t("riskws.pf_cost_eur"), value: (r) => r.cost_eur, text: (r) => eur(r.cost_eur), numeric: true },
      { key: "reduction", label: () => t("riskws.pf_reduction"), value: (r) => r.risk_reduction,
        text: (r) => risk(r.risk_reduction), numeric: true },
    ],
  });
  const budget = h("input", { type: "number", min: "0", max: String(BUDGET_MAX), step: "1", value: "500000",
    inputmode: "numeric", class: "pf-budget" });
  const candidates = h("input", { type: "number", min: "0", max: String(CANDIDATES_MAX), step: "1", value: "4",
    inputmode: "numeric", class: "pf-candidates" });
  const result = h("div", { class: "portfolio-result", role: "status" });
  const form = h("form", { class: "portfolio-form", id: "portfolio-form", novalidate: true });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const b = readNumber(budget);
    const c = readNumber(candidates);
    if (b.error || b.value === null) { setFieldError(form, "budget", b.error || t("form.range_whole", { min: 0, max: fmtNumber(BUDGET_MAX) })); return; }
    if (c.error || c.value === null) { setFieldError(form, "max_candidates", c.error || t("form.range_whole", { min: 0, max: CANDIDATES_MAX })); return; }
    const region = regionOf();
    if (!region) return;
    result.textContent = t("status.loading");
    submitForm(form, async () => {
      const r = await sendJSON("POST", `${ctx.api}/regions/${encodeURIComponent(region.id)}/portfolio`,
        { budget: b.value, max_candidates: c.value });
      if (!regionOf() || regionOf().id !== region.id) return;
      st.result = r;
      renderResult();
    }).finally(renderResult);
  });
  const element = h("section", { class: "portfolio", "aria-labelledby": "portfolio-heading" });

  function breakdownTable(caption, rows, label, total) {
    return h("table", { class: "data-table portfolio-breakdown" }, h("caption", {}, caption),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, label), h("th", { scope: "col", class: "num" }, t("riskws.pf_sites")),
        h("th", { scope: "col", class: "num" }, t("riskws.pf_risk")), h("th", { scope: "col", class: "num" }, t("riskws.pf_share")))),
      h("tbody", {}, rows.map((b) => h("tr", { "data-key": b.key }, h("th", { scope: "row" }, b.label),
        h("td", { class: "num" }, fmtNumber(b.sites)), h("td", { class: "num" }, risk(b.risk)),
        h("td", { class: "num" }, pct(b.risk, total))))),
      h("tfoot", {}, h("tr", {}, h("th", { scope: "row" }, t("riskws.pf_total")),
        h("td", { class: "num" }, fmtNumber(st.ranking.length)), h("td", { class: "num pf-total-risk" }, risk(total)),
        h("td", { class: "num" }, pct(total, total)))));
  }

  function renderSummary() {
    const total = st.ranking.reduce((s, r) => s + r.total_risk, 0);
    if (!st.ranking.length) { summary.replaceChildren(); return; }
    const byCat = breakdown(st.ranking, (r) => r.category).map((b) => ({ ...b, label: categoryName(b.key) }));
    const byRating = breakdown(st.ranking, (r) => r.worst_rating)
      .sort((a, b) => RATINGS.indexOf(a.key) - RATINGS.indexOf(b.key))
      .map((b) => ({ ...b, label: t(`risk.rating.${String(b.key).replace(/ /g, "_")}`, null, b.key) }));
    summary.replaceChildren(
      h("p", { class: "muted" }, t("riskws.pf_units")),
      breakdownTable(t("riskws.pf_by_category"), byCat, t("panel.category"), total),
      breakdownTable(t("riskws.pf_by_rating"), byRating, t("riskws.worst_rating"), total));
  }

  function renderResult() {
    const r = st.result;
    if (!r) { result.replaceChildren(); allocations.setRows([]); return; }
    const ex = r.exact;
    result.replaceChildren(h("dl", { class: "facts pf-facts" },
      h("dt", {}, t("riskws.pf_base_risk")), h("dd", { class: "pf-base" }, risk(r.base_risk)),
      h("dt", {}, t("riskws.pf_spend")), h("dd", { class: "pf-spend" }, t("riskws.pf_of_budget", { spend: eur(ex.total_cost_eur), budget: eur(r.budget) })),
      h("dt", {}, t("riskws.pf_reduction")), h("dd", { class: "pf-reduction" }, t("riskws.pf_reduction_value", { value: risk(ex.objective), share: pct(ex.objective, r.base_risk) })),
      h("dt", {}, t("riskws.pf_sites_funded")), h("dd", { class: "pf-funded" }, fmtNumber(ex.allocations.length)),
      h("dt", {}, t("riskws.pf_vs_greedy")), h("dd", { class: "pf-greedy" }, t("riskws.pf_greedy_value", { value: risk(r.difference), greedy: risk(r.greedy.objective) })),
      h("dt", {}, t("riskws.pf_solver")), h("dd", { class: "pf-status" }, t("riskws.pf_status", { status: t(`dash.solver.${ex.status}`, null, ex.status), seconds: fmtNumber(ex.runtime_s, { maximumFractionDigits: 2 }) }))));
    allocations.setRows(ex.allocations);
  }

  function render() {
    const allowed = can("analysis:run");
    form.replaceChildren(
      field("budget", t("riskws.pf_budget"), budget), field("max_candidates", t("riskws.pf_candidates"), candidates),
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary pf-run" }, t("riskws.pf_run"))));
    element.replaceChildren(h("h4", { id: "portfolio-heading" }, t("riskws.pf_heading")), summary,
      allowed ? h("h4", {}, t("riskws.pf_budget_heading")) : null, allowed ? form : null, allowed ? result : null,
      allowed ? allocations.element : null);
    renderSummary();
    renderResult();
    allocations.refreshText();
  }

  return {
    element,
    setRanking(rows) { st.ranking = rows || []; renderSummary(); },
    reset() { st.result = null; st.ranking = []; render(); },
    render,
    siteSelected(id) { allocations.select(id); },
  };
}
