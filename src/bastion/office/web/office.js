/* Lead-office views in the sidebar: the responsibility matrix, the supervision campaign board and the agency
 * scorecards of the selected region (agencies, never persons). Talks only to our own server:
 *   GET {api}/regions/{id}/office/matrix, {api}/regions/{id}/office/campaigns, {api}/regions/{id}/office/scorecards
 * DOM built with h() (text nodes only): the page's CSP allows no inline HTML. */

function table(h, t, columns, rows) {
  if (!rows.length) return h("p", { class: "muted" }, t("office.none"));
  return h("table", { class: "office-table" },
    h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", {}, t(c))))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((v) => h("td", {}, v === null || v === undefined ? "—" : String(v)))))));
}

export function register({ api, t, h, getJSON, onStatus }) {
  const state = { region: null, view: "matrix" };
  const view = h("div", { id: "office-view", class: "office-view", role: "region", "aria-live": "polite" });
  const buttons = {
    matrix: h("button", { type: "button", id: "office-matrix" }, ""),
    campaigns: h("button", { type: "button", id: "office-campaigns" }, ""),
    scorecards: h("button", { type: "button", id: "office-scorecards" }, ""),
  };
  const heading = h("h2", { id: "office-heading" }, "");
  const box = h("section", { id: "office", class: "office" }, heading,
    h("div", { class: "office-tabs" }, buttons.matrix, " ", buttons.campaigns, " ", buttons.scorecards), view);
  const sidebar = document.getElementById("sidebar");
  const results = document.getElementById("results-heading");
  if (results && results.parentElement && results.parentElement.parentElement === sidebar) {
    sidebar.insertBefore(box, results.parentElement);
  } else if (sidebar) sidebar.append(box);

  function refreshText() {
    heading.textContent = t("office.title");
    buttons.matrix.textContent = t("office.matrix");
    buttons.campaigns.textContent = t("office.campaigns");
    buttons.scorecards.textContent = t("office.scorecards");
  }

  const holder = (x) => (x ? x.agency : t("office.unassigned"));

  async function show(which) {
    state.view = which;
    if (!state.region) return;
    const id = state.region.id;
    view.replaceChildren(h("p", { class: "muted" }, t("status.loading")));
    try {
      if (which === "matrix") {
        const m = await getJSON(`${api}/regions/${id}/office/matrix`);
        view.replaceChildren(table(h, t, ["office.site", "office.category", "office.role.operator",
          "office.role.supervising", "office.role.lead"], m.rows.map((r) => [r.site_name || `#${r.site_id}`,
          r.category, holder(r.operator), holder(r.supervising), holder(r.lead)])));
      } else if (which === "campaigns") {
        const page = await getJSON(`${api}/regions/${id}/office/campaigns?limit=20`);
        view.replaceChildren(...(page.items.length ? page.items.map((c) => h("div", { class: "office-campaign" },
          h("h3", {}, `${c.name} · ${c.deadline.slice(0, 16).replace("T", " ")} UTC`),
          table(h, t, ["office.agency", "office.sites", "office.completed", "office.overdue", "office.tasks_open"],
            c.board.map((b) => [b.agency, b.sites, b.completed, b.overdue, b.tasks_open]))))
          : [h("p", { class: "muted" }, t("office.none"))]));
      } else {
        const page = await getJSON(`${api}/regions/${id}/office/scorecards`);
        const cov = (c) => (c.coverage && c.coverage.sites ? `${c.coverage.share_pct[1]} (${c.coverage.within[1]}/${c.coverage.sites})` : null);
        view.replaceChildren(table(h, t, ["office.agency", "office.due", "office.on_time_pct", "office.median_days",
          "office.drills", "office.coverage_3min"], page.items.map((c) => [c.name, c.rectification.due + c.duties.due,
          c.duties.on_time_pct, c.rectification.median_days_to_close, `${c.drills_done}/${c.drills_due}`, cov(c)])));
      }
    } catch (err) {
      view.replaceChildren(h("p", { class: "muted" }, t("office.none")));
      if (err && err.status !== 403) onStatus?.(t("status.error", { message: err.message }), true);
    }
  }

  for (const [k, b] of Object.entries(buttons)) b.addEventListener("click", () => show(k));
  refreshText();
  return {
    setRegion(region) { state.region = region; return show(state.view); },
    refreshText() { refreshText(); if (state.region) show(state.view); },
  };
}
