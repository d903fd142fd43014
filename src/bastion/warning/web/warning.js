/* Early-warning view: the region's weekly series (GTD / ACLED / own counts by attack type and target type), one
 * drawn as an SVG chart (DOM-built, no library, no innerHTML) with its alerts marked, and the open alerts with the
 * posture each recommends (approval happens in the posture workflow). Counts below 3 come from the server as null
 * and are drawn as hollow "<3" ticks. Talks only to our own server:
 *   GET {api}/regions/{id}/warning/series, .../warning/series-data?..., .../warning/alerts?status=open
 * Aggregate counts only: nothing here is about persons. */

const SVG = "http://www.w3.org/2000/svg";
const W = 320;
const H = 150;
const PAD = { left: 30, right: 8, top: 10, bottom: 22 };

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** The chart as an <svg>: bars per week (null = suppressed, drawn as a hollow tick), red circles at alert weeks. */
export function seriesChart(data, t) {
  const n = data.weeks.length;
  const max = Math.max(3, ...data.events.map((v) => (v === null ? 2 : v)));
  const x = (i) => PAD.left + ((W - PAD.left - PAD.right) * (i + 0.5)) / Math.max(1, n);
  const y = (v) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * v) / max;
  const bw = Math.max(1, (W - PAD.left - PAD.right) / Math.max(1, n) - 0.5);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "warning-chart", role: "img",
    "aria-label": t("warning.chart_title") });
  root.append(svg("title", null, t("warning.chart_title")));
  root.append(svg("line", { x1: PAD.left, y1: y(0), x2: W - PAD.right, y2: y(0), stroke: "#888" }));
  root.append(svg("text", { x: 2, y: PAD.top + 6, "font-size": 8, fill: "#555" }, String(max)));
  root.append(svg("text", { x: 2, y: y(0), "font-size": 8, fill: "#555" }, "0"));
  data.events.forEach((v, i) => {
    if (v === null) {
      root.append(svg("rect", { x: x(i) - bw / 2, y: y(2), width: bw, height: y(0) - y(2), fill: "none",
        stroke: "#6a8fbf", "stroke-dasharray": "1,1", class: "warning-suppressed" },
      svg("title", null, `${data.weeks[i]}: ${t("warning.suppressed")}`)));
    } else if (v > 0) {
      root.append(svg("rect", { x: x(i) - bw / 2, y: y(v), width: bw, height: y(0) - y(v), fill: "#6a8fbf" },
        svg("title", null, `${data.weeks[i]}: ${v}`)));
    }
  });
  const index = new Map(data.weeks.map((w, i) => [w, i]));
  for (const a of data.alerts || []) {
    const i = index.get(a.week);
    if (i === undefined) continue;
    const v = data.events[i] === null ? 2 : data.events[i];
    root.append(svg("circle", { cx: x(i), cy: y(v) - 4, r: 3.5, fill: "#e4572e", class: "warning-alert-marker" },
      svg("title", null, t("warning.alert_marker", { id: a.id, week: a.week,
        observed: a.observed === null ? t("warning.suppressed") : a.observed, expected: a.expected.toFixed(1) }))));
  }
  if (n) {
    root.append(svg("text", { x: PAD.left, y: H - 6, "font-size": 8, fill: "#555" }, data.weeks[0]));
    root.append(svg("text", { x: W - PAD.right, y: H - 6, "font-size": 8, fill: "#555", "text-anchor": "end" },
      data.weeks[n - 1]));
  }
  return root;
}

export function register({ api, t, h, getJSON, onStatus }) {
  const sidebar = document.getElementById("sidebar");
  if (!sidebar) return null;
  const select = h("select", { id: "warning-series", disabled: true });
  const chart = h("div", { class: "warning-chart-box", id: "warning-chart" });
  const alertList = h("ul", { class: "warning-alerts", id: "warning-alerts" });
  const heading = h("h2", { id: "warning-heading" });
  const seriesLabel = h("span");
  const alertsHeading = h("h3");
  const note = h("p", { class: "warning-note" });
  const section = h("section", { class: "warning", "aria-labelledby": "warning-heading" }, heading,
    h("label", { class: "field" }, seriesLabel, select), chart, note, alertsHeading, alertList);
  const results = sidebar.querySelector("section.results");
  sidebar.insertBefore(section, results || null);
  const state = { regionId: null, series: [], alerts: [], seq: 0 };

  const label = (s) => t("warning.series_option", {
    dataset: t(`warning.dataset.${s.dataset}`), attack: t(`warning.attack.${s.attack_type}`),
    target: t(`warning.target.${s.target_type}`), events: s.events === null ? t("warning.suppressed") : s.events,
    alerts: s.open_alerts,
  });

  function renderText() {
    heading.textContent = t("warning.heading");
    seriesLabel.textContent = t("warning.series_label");
    alertsHeading.textContent = t("warning.alerts_heading");
    note.textContent = t("warning.suppressed_note");
    const keep = select.value;
    select.replaceChildren(...(state.series.length
      ? state.series.map((s, i) => h("option", { value: String(i) }, label(s)))
      : [h("option", { value: "" }, t("warning.no_series"))]));
    select.disabled = !state.series.length;
    if (keep) select.value = keep;
    alertList.replaceChildren(...(state.alerts.length ? state.alerts.map((a) => h("li", { class: "warning-alert" },
      t("warning.alert_item", { week: a.week, attack: t(`warning.attack.${a.attack_type}`),
        target: t(`warning.target.${a.target_type}`), action: t(`warning.action.${a.recommended_action}`),
        level: a.recommended_level, decision: t(`warning.decision.${a.decision}`) }), " ",
      h("a", { href: `${api}/warning/alerts/${encodeURIComponent(a.id)}/cap`, download: `alert-${a.id}.cap.xml` },
        t("warning.cap_link")))) : [h("li", null, t("warning.no_alerts"))]));
  }

  async function drawSelected() {
    const s = state.series[Number(select.value)];
    chart.replaceChildren();
    if (!s || state.regionId === null) return;
    const seq = state.seq;
    const q = new URLSearchParams({ dataset: s.dataset, attack_type: s.attack_type, target_type: s.target_type });
    const data = await getJSON(`${api}/regions/${encodeURIComponent(state.regionId)}/warning/series-data?${q}`);
    if (seq === state.seq) chart.replaceChildren(seriesChart(data, t));
  }

  select.addEventListener("change", () => { drawSelected().catch((e) => onStatus?.(e.message, true)); });

  async function setRegion(region) {
    state.seq += 1;
    const seq = state.seq;
    state.regionId = region ? region.id : null;
    state.series = [];
    state.alerts = [];
    chart.replaceChildren();
    if (state.regionId !== null) {
      const base = `${api}/regions/${encodeURIComponent(state.regionId)}/warning`;
      try {
        const [series, alerts] = await Promise.all([getJSON(`${base}/series?limit=500`),
          getJSON(`${base}/alerts?status=open&limit=50`)]);
        if (seq !== state.seq) return;
        state.series = series.items || [];
        state.alerts = alerts.items || [];
      } catch {
        section.hidden = true; // no warning:read here: the section stays out of the way
        return;
      }
    }
    section.hidden = false;
    renderText();
    if (state.series.length) {
      select.value = "0";
      await drawSelected();
    }
  }

  renderText();
  return { setRegion, refreshText: renderText };
}
