/* Region dashboard (a full-width view over the map, opened from the header): sites by tier under each regime,
 * the 4×4 risk matrix, share of sites reached within 1/3/5 min, open and overdue tasks by agency, and the
 * newest patrol plan. Charts are Chart.js (vendored through npm, loaded on first use as a classic script from
 * /static/vendor/chart.js: no CDN, allowed by the CSP's script-src 'self'); every chart has a data table or an
 * aria-label with its figures, so nothing is shown only as pixels. Reads existing endpoints only:
 *   GET {api}/regions/{id}/risk?limit=1, {api}/regions/{id}/coverage, {api}/tasks?region_id={id},
 *   GET {api}/regions/{id}/patrol-plans
 * Counts of places and tasks only: nothing here is about persons. */
import { getAllItems, HttpError, readSettings } from "./util.js";
import { fmtNumber, formatDate } from "./i18n.js";

const REGIMES = ["uk_ppa_2025", "us_isc_fsl", "cn_key_target"];
const TIER_ORDER = {
  uk_ppa_2025: ["enhanced", "standard", "not_in_scope"],
  us_isc_fsl: ["V", "IV", "III", "II", "I"],
  cn_key_target: ["grade_1", "grade_2", "grade_3", "not_in_scope"],
};
// tier ranks coloured like the risk ratings, most severe first (the colours come from /meta)
const RATING_COLOURS = readSettings().rating_colours || {};
const PALETTE = [RATING_COLOURS["very high"], RATING_COLOURS.high, RATING_COLOURS.medium, RATING_COLOURS.low,
  readSettings().unscored_colour].filter(Boolean);
if (!PALETTE.length) PALETTE.push("grey");

let chartLib = null;
/** Chart.js, loaded once (classic UMD script: window.Chart). */
function loadChartJs(staticBase) {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!chartLib) {
    chartLib = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = `${staticBase}/vendor/chart.js/chart.umd.min.js`;
      s.onload = () => resolve(window.Chart);
      s.onerror = () => reject(new Error("chart.js"));
      document.head.append(s);
    });
  }
  return chartLib;
}

export function register({ api, t, h, getJSON, onStatus }) {
  const staticBase = (document.querySelector("link[href$='/app.css']")?.getAttribute("href") || "/static/app.css")
    .replace(/\/app\.css$/, "");
  const st = { region: null, data: null, open: false, charts: [], seq: 0 };
  const toggle = h("button", { type: "button", class: "dashboard-toggle", id: "dashboard-toggle",
    "aria-controls": "dashboard", "aria-expanded": "false", onclick: () => setOpen(!st.open) });
  const title = h("h2", { id: "dashboard-title" });
  const close = h("button", { type: "button", class: "link-button", id: "dashboard-close",
    onclick: () => setOpen(false) });
  const body = h("div", { class: "dashboard-body", id: "dashboard-body" });
  const view = h("section", { class: "dashboard", id: "dashboard", hidden: true, "aria-labelledby": "dashboard-title",
    tabindex: "-1" }, h("div", { class: "dashboard-head" }, title, close), body);
  document.querySelector(".topbar-controls")?.prepend(toggle);
  document.querySelector(".map-area")?.append(view);
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && st.open) setOpen(false); });

  function text() {
    toggle.textContent = t("dash.open");
    close.textContent = t("dash.close");
    title.textContent = st.region ? t("dash.title", { region: st.region.name }) : t("dash.open");
  }

  async function setOpen(open) {
    st.open = open;
    view.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("dashboard-open", open);
    if (open) {
      view.focus();
      await load();
    } else {
      toggle.focus();
    }
  }

  async function fetchOr(url, fallback) {
    try { return await url(); } catch (err) {
      if (err instanceof HttpError && (err.status === 403 || err.status === 404)) return fallback;
      throw err;
    }
  }

  async function load() {
    if (!st.region) return;
    const seq = ++st.seq;
    const id = st.region.id;
    body.replaceChildren(h("p", { class: "dash-muted", role: "status" }, t("dash.loading")));
    try {
      const [risk, coverage, tasks, plans, Chart] = await Promise.all([
        fetchOr(() => getJSON(`${api}/regions/${id}/risk?limit=1`), null),
        fetchOr(() => getJSON(`${api}/regions/${id}/coverage`), null),
        fetchOr(() => getAllItems(`${api}/tasks?region_id=${id}`), null),
        fetchOr(() => getAllItems(`${api}/regions/${id}/patrol-plans`), []),
        loadChartJs(staticBase),
      ]);
      if (seq !== st.seq) return;
      st.data = { risk, coverage, tasks, plans, Chart };
      render();
      document.body.dataset.dashboard = "ready";
    } catch (err) {
      if (seq !== st.seq) return;
      body.replaceChildren(h("p", { class: "error", role: "alert" }, t("status.error", { message: err.message })));
      onStatus?.("", false);
    }
  }

  function card(key, ...children) {
    return h("article", { class: "dash-card", "data-card": key }, h("h3", {}, t(`dash.${key}`)), ...children);
  }

  function chart(Chart, config, label) {
    const canvas = h("canvas", { role: "img", "aria-label": label });
    const box = h("div", { class: "dash-chart" }, canvas);
    queueMicrotask(() => st.charts.push(new Chart(canvas, {
      ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options },
    })));
    return box;
  }

  const tierName = (regime, tier) => t(`dash.tier.${regime}.${tier}`, null, tier);

  function tiersCard(Chart, risk) {
    if (!risk) return card("tiers", h("p", { class: "dash-muted" }, t("dash.no_access")));
    const counts = risk.tier_counts || {};
    const rows = REGIMES.map((r) => {
      const order = [...(TIER_ORDER[r] || []), ...Object.keys(counts[r] || {}).filter((x) => !(TIER_ORDER[r] || []).includes(x))];
      return h("tr", {}, h("th", { scope: "row" }, t(`risk.standard.${r}`)),
        h("td", {}, order.filter((x) => counts[r]?.[x]).map((x) => `${tierName(r, x)}: ${fmtNumber(counts[r][x])}`).join(" · ")));
    });
    // one bar group per regime; bars = that regime's tiers, most demanding first
    const labels = REGIMES.map((r) => t(`risk.standard.${r}`));
    const maxTiers = Math.max(...REGIMES.map((r) => (TIER_ORDER[r] || []).length));
    const byRank = Array.from({ length: maxTiers }, (_, k) => ({
      label: t("dash.tier_rank", { n: k + 1 }), backgroundColor: PALETTE[k % PALETTE.length],
      data: REGIMES.map((r) => ((counts[r] || {})[(TIER_ORDER[r] || [])[k]] || 0)),
    }));
    return card("tiers",
      chart(Chart, { type: "bar", data: { labels, datasets: byRank },
        options: { indexAxis: "y", scales: { x: { stacked: true, title: { display: true, text: t("dash.sites") } },
          y: { stacked: true } } } },
      t("dash.tiers")),
      h("table", { class: "dash-table" }, h("caption", {}, t("dash.tier_caption")), h("tbody", {}, rows)));
  }

  function matrixCard(risk) {
    if (!risk) return card("matrix", h("p", { class: "dash-muted" }, t("dash.no_access")));
    const m = risk.matrix || [];
    const head = h("tr", {}, h("th", { scope: "col" }, t("dash.likelihood_impact")),
      [1, 2, 3, 4].map((i) => h("th", { scope: "col" }, String(i))));
    const rows = [4, 3, 2, 1].map((l) => h("tr", {}, h("th", { scope: "row" }, String(l)),
      [1, 2, 3, 4].map((i) => {
        const n = (m[l - 1] || [])[i - 1] || 0;
        const band = Math.min(3, Math.floor((l * i - 1) / 4));
        return h("td", { class: `risk-cell-${band}` }, fmtNumber(n));
      })));
    return card("matrix", h("table", { class: "dash-table risk-matrix" },
      h("caption", {}, t("dash.matrix_caption")), h("thead", {}, head), h("tbody", {}, rows)));
  }

  function coverageCard(Chart, cov) {
    if (!cov) return card("coverage", h("p", { class: "dash-muted" }, t("dash.no_coverage")));
    const standards = readSettings().response_standards_s || [];  // the 1/3/5-minute standards, from /meta
    const rows = (cov.by_standard || []).filter((b) => standards.includes(b.standard_s));
    const labels = rows.map((b) => t("dash.within_min", { n: b.standard_s / 60 }));
    const pct = (x) => Math.round(x * 1000) / 10;
    const summary = rows.map((b) => `${t("dash.within_min", { n: b.standard_s / 60 })}: ${pct(b.share_sites)} %`).join("; ");
    return card("coverage",
      chart(Chart, { type: "bar", data: { labels, datasets: [
        { label: t("dash.share_sites"), data: rows.map((b) => pct(b.share_sites)), backgroundColor: "#1565c0" },
        { label: t("dash.share_weight"), data: rows.map((b) => pct(b.share_weight)), backgroundColor: "#90caf9" },
      ] }, options: { scales: { y: { min: 0, max: 100, title: { display: true, text: "%" } } } } }, summary),
      h("p", { class: "dash-muted" }, t("dash.coverage_units", { n: fmtNumber(cov.n_units) })));
  }

  function tasksCard(Chart, tasks) {
    if (!tasks) return card("tasks", h("p", { class: "dash-muted" }, t("dash.no_access")));
    const open = tasks.filter((x) => x.status !== "verified");
    const by = new Map();
    for (const x of open) {
      const row = by.get(x.owner_agency) || { open: 0, overdue: 0 };
      row.open += 1;
      if (x.overdue) row.overdue += 1;
      by.set(x.owner_agency, row);
    }
    if (!by.size) return card("tasks", h("p", { class: "dash-muted" }, t("dash.no_tasks")));
    const names = [...by.keys()].sort();
    return card("tasks",
      chart(Chart, { type: "bar", data: { labels: names, datasets: [
        { label: t("dash.open_tasks"), data: names.map((n) => by.get(n).open - by.get(n).overdue), backgroundColor: RATING_COLOURS.medium || "#f9a825" },
        { label: t("dash.overdue_tasks"), data: names.map((n) => by.get(n).overdue), backgroundColor: PALETTE[0] },
      ] }, options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } } }, t("dash.tasks")),
      h("table", { class: "dash-table" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("dash.agency")),
        h("th", { scope: "col" }, t("dash.open_tasks")), h("th", { scope: "col" }, t("dash.overdue_tasks")))),
      h("tbody", {}, names.map((n) => h("tr", {}, h("td", {}, n), h("td", {}, fmtNumber(by.get(n).open)),
        h("td", {}, fmtNumber(by.get(n).overdue)))))));
  }

  function patrolCard(plans) {
    const plan = (plans || []).slice().sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))[0];
    if (!plan) return card("patrol", h("p", { class: "dash-muted" }, t("dash.no_plan")));
    return card("patrol", h("dl", { class: "dash-plan" },
      h("dt", {}, t("dash.plan_teams")), h("dd", {}, fmtNumber(plan.teams)),
      h("dt", {}, t("dash.plan_shift")), h("dd", {}, t(`dash.shift.${plan.shift}`, null, plan.shift)),
      h("dt", {}, t("dash.plan_days")), h("dd", {}, fmtNumber(plan.days)),
      h("dt", {}, t("dash.plan_sites")), h("dd", {}, fmtNumber(plan.n_sites)),
      h("dt", {}, t("dash.plan_status")), h("dd", {}, t(`dash.solver.${plan.solver_status}`, null, plan.solver_status)),
      h("dt", {}, t("dash.plan_created")), h("dd", {}, formatDate(plan.created_at))));
  }

  function render() {
    for (const c of st.charts.splice(0)) c.destroy();
    text();
    const d = st.data;
    if (!d) return;
    body.replaceChildren(
      h("p", { class: "dash-muted" }, d.risk ? t("dash.threat", { level: t(`dash.threat_level.${d.risk.threat_level}`, null,
        d.risk.threat_level), n: fmtNumber(d.risk.n_sites) }) : ""),
      h("div", { class: "dashboard-grid" }, tiersCard(d.Chart, d.risk), matrixCard(d.risk),
        coverageCard(d.Chart, d.coverage), tasksCard(d.Chart, d.tasks), patrolCard(d.plans)));
  }

  text();
  return {
    setRegion(region) {
      st.region = region;
      st.data = null;
      text();
      if (st.open) return load();
      return null;
    },
    refreshText() {
      if (st.data) render(); else text();
    },
  };
}
