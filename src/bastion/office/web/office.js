/* Lead-office views in the sidebar: the responsibility matrix, the supervision campaign board, the agency
 * scorecards of the selected region (agencies, never persons), the open duties (closed here with their evidence)
 * and the office settings (the jurisdiction's escalation ladder, each agency's notification endpoints). Talks only
 * to our own server:
 *   GET {api}/regions/{id}/office/matrix, .../campaigns, .../scorecards, .../duties, .../ladder
 *   POST {api}/office/duties/{duty}/complete; PUT {api}/regions/{id}/office/ladder;
 *   GET/PUT/DELETE {api}/office/agencies/{agency}/endpoints[/{channel}]
 * DOM built with h() (text nodes only): the page's CSP allows no inline HTML. */

function table(h, t, columns, rows) {
  if (!rows.length) return h("p", { class: "muted" }, t("office.none"));
  const cell = (v) => (v instanceof Node ? v : (v === null || v === undefined ? "—" : String(v)));
  return h("div", { class: "office-scroll", tabindex: "0" }, h("table", { class: "office-table" },
    h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", { scope: "col" }, t(c))))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((v) => h("td", {}, cell(v))))))));
}

const errorText = (err) => (err && err.message) || String(err);

let uid = 0;
function field(h, label, control) {
  const id = control.id || `office-f${++uid}`;
  control.id = id;
  return h("div", { class: "form-field" }, h("label", { for: id }, label), control);
}

export function register({ api, t, h, getJSON, sendJSON, onStatus }) {
  const state = { region: null, view: "matrix" };
  const view = h("div", { id: "office-view", class: "office-view", role: "region", "aria-live": "polite" });
  const buttons = {
    matrix: h("button", { type: "button", id: "office-matrix" }, ""),
    campaigns: h("button", { type: "button", id: "office-campaigns" }, ""),
    scorecards: h("button", { type: "button", id: "office-scorecards" }, ""),
    duties: h("button", { type: "button", id: "office-duties" }, ""),
    settings: h("button", { type: "button", id: "office-settings" }, ""),
  };
  const heading = h("h2", { id: "office-heading" }, "");
  // print the view shown (the print stylesheet hides the map and every other section while body has the class)
  const printButton = h("button", { type: "button", id: "office-print" }, "");
  printButton.addEventListener("click", () => {
    document.body.classList.add("office-printing");
    window.addEventListener("afterprint", () => document.body.classList.remove("office-printing"), { once: true });
    window.print();
  });
  const box = h("section", { id: "office", class: "office" }, heading,
    h("div", { class: "office-tabs", role: "group" }, ...Object.values(buttons), printButton), view);
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
    buttons.duties.textContent = t("office.duties");
    buttons.settings.textContent = t("office.settings");
    printButton.textContent = t("office.print");
    for (const [k, b] of Object.entries(buttons)) b.setAttribute("aria-pressed", String(k === state.view));
  }

  // open duties of the region: each closes with its evidence (a record reference, a date or counts; no names)
  async function showDuties(id) {
    const page = await getJSON(`${api}/regions/${id}/office/duties?status=open&limit=50`);
    const rows = page.items.map((d) => {
      const input = h("input", { type: "text", maxlength: "500", required: true, class: "office-evidence",
        "aria-describedby": `office-ev-${d.id}` });
      const msg = h("p", { class: "field-error", id: `office-ev-${d.id}`, role: "status" });
      const form = h("form", { class: "office-done", "data-id": String(d.id) },
        field(h, t("office.evidence_given"), input), msg,
        h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, t("office.mark_done"))));
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        form.setAttribute("aria-busy", "true");
        try {
          const done = await sendJSON("POST", `${api}/office/duties/${d.id}/complete`, { evidence: input.value });
          form.replaceChildren(h("p", { class: "office-ok" }, t("office.done_ok", { evidence: done.evidence_given })));
        } catch (err) {
          input.setAttribute("aria-invalid", "true");
          msg.textContent = errorText(err);
        } finally { form.removeAttribute("aria-busy"); }
      });
      return [d.title, `#${d.site_id}`, d.due_on, d.evidence, form];
    });
    view.replaceChildren(h("p", { class: "muted" }, t("office.duties_open", { n: page.total })),
      table(h, t, ["office.duty", "office.site", "office.due_on", "office.evidence", "office.done"], rows));
  }

  // the jurisdiction's escalation ladder and the notification endpoints of the agencies working in it
  async function showSettings(id) {
    const [ladder, matrix] = await Promise.all([getJSON(`${api}/regions/${id}/office/ladder`),
      getJSON(`${api}/regions/${id}/office/matrix`)]);
    const steps = h("div", { id: "office-ladder-steps" });
    // "-24" hours reads "24 h before the deadline", never "-24 h"
    const offsetWords = (s) => (s.clock === "business" ? t("office.offset_bd", { n: s.offset })
      : s.offset < 0 ? t("office.offset_h_before", { n: -s.offset })
        : s.offset === 0 ? t("office.offset_h_at") : t("office.offset_h", { n: s.offset }));
    const renderSteps = (l) => steps.replaceChildren(
      h("p", { class: "muted" }, l.default ? t("office.ladder_default") : t("office.ladder_set", { by: l.updated_by })),
      table(h, t, ["office.level", "office.offset", "office.target"], l.steps.map((s) => [s.level,
        offsetWords(s), t(`office.target.${s.target}`)])));
    renderSteps(ladder);
    const spec = h("input", { type: "text", id: "office-ladder-spec", value: ladder.spec,
      "aria-describedby": "office-ladder-msg" });
    const ladderMsg = h("p", { id: "office-ladder-msg", class: "note", role: "status" }, t("office.ladder_help"));
    const ladderForm = h("form", { id: "office-ladder-form" }, field(h, t("office.ladder_spec"), spec), ladderMsg,
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, t("office.save"))));
    ladderForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const l = await sendJSON("PUT", `${api}/regions/${id}/office/ladder`, { spec: spec.value });
        spec.removeAttribute("aria-invalid");
        spec.value = l.spec;
        ladderMsg.className = "note";
        ladderMsg.textContent = t("office.saved");
        renderSteps(l);
      } catch (err) {
        spec.setAttribute("aria-invalid", "true");
        ladderMsg.className = "field-error";
        ladderMsg.textContent = errorText(err);
      }
    });
    const agencies = new Map();
    for (const r of matrix.rows) {
      for (const x of [r.operator, r.supervising, r.lead]) if (x) agencies.set(x.agency_id, x.agency);
    }
    const agency = h("select", { id: "office-endpoint-agency" },
      ...[...agencies].sort((a, b) => a[1].localeCompare(b[1])).map(([k, v]) => h("option", { value: String(k) }, v)));
    const channel = h("select", { id: "office-endpoint-channel" },
      h("option", { value: "email" }, t("office.channel.email")), h("option", { value: "webhook" }, t("office.channel.webhook")));
    const address = h("input", { type: "text", id: "office-endpoint-address",
      "aria-describedby": "office-endpoint-msg" });
    const epMsg = h("p", { id: "office-endpoint-msg", class: "note", role: "status" }, t("office.endpoint_help"));
    const list = h("div", { id: "office-endpoints" });
    async function loadEndpoints() {
      if (!agency.value) { list.replaceChildren(); return; }
      const page = await getJSON(`${api}/office/agencies/${agency.value}/endpoints`);
      list.replaceChildren(table(h, t, ["office.channel", "office.address", "office.remove"], page.items.map((e) => {
        const rm = h("button", { type: "button", class: "office-remove" }, t("office.remove"));
        rm.addEventListener("click", async () => {
          try {
            await sendJSON("DELETE", `${api}/office/agencies/${e.agency_id}/endpoints/${e.channel}`);
            epMsg.className = "note";
            epMsg.textContent = t("office.removed");
          } catch (err) { epMsg.className = "field-error"; epMsg.textContent = errorText(err); }
          loadEndpoints();
        });
        return [t(`office.channel.${e.channel}`), e.address, rm];
      })));
    }
    const epForm = h("form", { id: "office-endpoint-form" }, field(h, t("office.agency"), agency),
      field(h, t("office.channel"), channel), field(h, t("office.address"), address), epMsg,
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, t("office.save"))));
    epForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await sendJSON("PUT", `${api}/office/agencies/${agency.value}/endpoints/${channel.value}`, { address: address.value });
        address.removeAttribute("aria-invalid");
        epMsg.className = "note";
        epMsg.textContent = t("office.saved");
        address.value = "";
      } catch (err) {
        address.setAttribute("aria-invalid", "true");
        epMsg.className = "field-error";
        epMsg.textContent = errorText(err);
      }
      loadEndpoints();
    });
    agency.addEventListener("change", loadEndpoints);
    view.replaceChildren(h("h3", {}, t("office.ladder")), steps, ladderForm,
      h("h3", {}, t("office.endpoints")), epForm, list);
    await loadEndpoints();
  }

  const holder = (x) => (x ? x.agency : t("office.unassigned"));

  async function show(which) {
    state.view = which;
    for (const [k, b] of Object.entries(buttons)) b.setAttribute("aria-pressed", String(k === which));
    if (!state.region) return;
    const id = state.region.id;
    view.replaceChildren(h("p", { class: "muted" }, t("status.loading")));
    try {
      if (which === "matrix") {
        const m = await getJSON(`${api}/regions/${id}/office/matrix`);
        view.replaceChildren(table(h, t, ["office.site", "office.category", "office.role.operator",
          "office.role.supervising", "office.role.lead"], m.rows.map((r) => [r.site_name || `#${r.site_id}`,
          t(`category.${r.category}`, null, r.category), holder(r.operator), holder(r.supervising), holder(r.lead)])));
      } else if (which === "campaigns") {
        const page = await getJSON(`${api}/regions/${id}/office/campaigns?limit=20`);
        view.replaceChildren(...(page.items.length ? page.items.map((c) => h("div", { class: "office-campaign" },
          h("h3", {}, `${c.name} · ${c.deadline.slice(0, 16).replace("T", " ")} UTC`),
          table(h, t, ["office.agency", "office.sites", "office.completed", "office.overdue", "office.tasks_open"],
            c.board.map((b) => [b.agency, b.sites, b.completed, b.overdue, b.tasks_open]))))
          : [h("p", { class: "muted" }, t("office.none"))]));
      } else if (which === "duties") {
        await showDuties(id);
      } else if (which === "settings") {
        await showSettings(id);
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
