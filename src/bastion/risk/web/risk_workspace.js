/* The risk workspace beside the map: the region's threat level (changed by plan:write), the risk ranking table
 * (sort, filter, CSV export; a row selects its site on the map, a site selected on the map marks its row) and the
 * risk portfolio (risk_portfolio.js: risk by category and rating, the budget portfolio and its allocations).
 *   GET/PUT {api}/regions/{id}/threat-level   GET {api}/regions/{id}/risk   POST {api}/regions/{id}/portfolio */
import { getJSON, h, sendJSON } from "./util.js";
import { can, field, submitForm } from "./forms.js";
import { dataTable } from "./table.js";
import { portfolioSection } from "./risk_portfolio.js";
import { categoryName, fmtNumber, kindName, t } from "./i18n.js";

const UK_LEVELS = ["LOW", "MODERATE", "SUBSTANTIAL", "SEVERE", "CRITICAL"];
const CN_LEVELS = ["", "level_3", "level_2", "level_1"];
const SCALES = ["uk", "cn"];

export function register(ctx) {
  const st = { region: null, open: false, threat: null };
  const button = h("button", { type: "button", id: "risk-open", class: "link-button", hidden: true,
    onclick: () => toggle(!st.open) }, "");
  document.getElementById("sidebar")?.append(h("p", { class: "risk-entry" }, button));
  const drawer = h("section", { id: "risk-workspace", class: "workspace-drawer", hidden: true, tabindex: "-1",
    role: "dialog", "aria-modal": "false" });
  document.body.append(drawer);
  drawer.addEventListener("keydown", (ev) => { if (ev.key === "Escape") toggle(false); });
  const table = dataTable({
    id: "risk-ranking",
    caption: () => t("riskws.ranking", { region: st.region ? st.region.name : "" }),
    rowId: (r) => r.site_id,
    onSelect: (id) => ctx.selectSite?.(id),
    exportName: () => `risk-ranking-${st.region ? st.region.name : ""}`,
    columns: [
      { key: "rank", label: () => t("riskws.rank"), value: (r) => r.rank, numeric: true },
      { key: "name", label: () => t("riskws.site"), value: (r) => r.name || "", text: (r) => r.name || kindName(r.kind) },
      { key: "category", label: () => t("panel.category"), value: (r) => r.category, text: (r) => categoryName(r.category) },
      { key: "rating", label: () => t("riskws.worst_rating"), value: (r) => r.worst_rating,
        text: (r) => t(`risk.rating.${String(r.worst_rating).replace(/ /g, "_")}`, null, r.worst_rating) },
      { key: "total", label: () => t("riskws.total_risk"), value: (r) => r.total_risk,
        text: (r) => fmtNumber(r.total_risk, { maximumFractionDigits: 1 }), numeric: true },
    ],
  });
  const portfolio = portfolioSection(ctx, () => st.region);
  const threatBox = h("div", { class: "threat-box" });
  const summary = h("p", { class: "muted", id: "risk-summary", role: "status" });

  function toggle(open) {
    st.open = open;
    drawer.hidden = !open;
    if (open) { load(); drawer.focus(); } else button.focus();
  }

  async function load() {
    if (!st.region) return;
    summary.textContent = t("status.loading");
    try {
      const [threat, risk] = await Promise.all([
        getJSON(`${ctx.api}/regions/${st.region.id}/threat-level`),
        getJSON(`${ctx.api}/regions/${st.region.id}/risk`),
      ]);
      st.threat = threat;
      table.setRows(risk.ranking);
      portfolio.setRanking(risk.ranking);
      summary.textContent = t("riskws.summary", { n: fmtNumber(risk.n_sites), level: t(`riskws.level.${risk.threat_level}`, null, risk.threat_level) });
      renderThreat();
    } catch (err) {
      summary.textContent = t("status.error", { message: err.message });
    }
  }

  function renderThreat() {
    const th = st.threat;
    if (!th) return;
    if (!can("plan:write")) {
      threatBox.replaceChildren(h("p", {}, t("riskws.threat_now", { level: t(`riskws.level.${th.scoring_level}`, null, th.scoring_level) })));
      return;
    }
    const uk = h("select", {}, UK_LEVELS.map((x) => h("option", { value: x, selected: x === th.uk_threat_level || null }, t(`riskws.level.${x}`, null, x))));
    const cn = h("select", {}, CN_LEVELS.map((x) => h("option", { value: x, selected: x === (th.cn_heightened_level || "") || null }, x ? t(`riskws.level.${x}`, null, x) : t("riskws.cn_none"))));
    const scale = h("select", {}, SCALES.map((x) => h("option", { value: x, selected: x === th.scoring_scale || null }, t(`riskws.scale.${x}`))));
    const form = h("form", { class: "threat-form", id: "threat-form", novalidate: true },
      h("h4", {}, t("riskws.threat_heading")),
      field("uk_threat_level", t("riskws.uk_level"), uk), field("cn_heightened_level", t("riskws.cn_level"), cn),
      field("scoring_scale", t("riskws.scale"), scale),
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, t("riskws.set_level"))));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitForm(form, async () => {
        await sendJSON("PUT", `${ctx.api}/regions/${st.region.id}/threat-level`,
          { uk_threat_level: uk.value, cn_heightened_level: cn.value || null, scoring_scale: scale.value },
          { etag: th.version });
        await load();
        ctx.onStatus(t("riskws.level_set"));
      });
    });
    threatBox.replaceChildren(form);
  }

  function render() {
    button.hidden = !st.region || !can("site:sensitive_read");
    button.textContent = t("riskws.open");
    drawer.replaceChildren(
      h("header", { class: "tb-head" }, h("h3", {}, t("riskws.heading", { region: st.region ? st.region.name : "" })),
        h("button", { type: "button", class: "tb-close", onclick: () => toggle(false) }, t("supervision.close"))),
      threatBox, summary, table.element, portfolio.element);
    table.refreshText();
    portfolio.render();
    renderThreat();
  }
  render();

  return {
    setRegion(r) { st.region = r; portfolio.reset(); render(); if (st.open) load(); },
    refreshText: render,
    permissionsChanged: render,
    siteSelected(id) { table.select(id); portfolio.siteSelected(id); },
  };
}
