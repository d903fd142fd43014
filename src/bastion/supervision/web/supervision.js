/* Supervision in the page: a site's inspection (checklist from its tiers, answers with an evidence note each,
 * completion) in the site panel,
 * and the region's task board (columns by status; filters by agency, deadline and overdue; bulk status change).
 *   GET/POST {api}/sites/{id}/inspections, GET {api}/inspections/{id}, PUT {api}/inspections/{id}/answers,
 *   POST {api}/inspections/{id}/complete, GET {api}/tasks?region_id=, PATCH {api}/tasks/{id}
 * Shown only to users who hold inspection:write / task:write (site:sensitive_read to see tasks). */
import { getAllItems, getJSON, h, sendJSON } from "./util.js";
import { can, field, readNumber, setFieldError, showErrors, submitForm } from "./forms.js";
import { fmtNumber, formatDate, lang, t } from "./i18n.js";

const ANSWERS = ["pass", "fail", "not_applicable"];
const STATUSES = ["open", "in_progress", "fixed", "verified"];
const DEADLINE_DAYS_MAX = 3650; // risk/schemas.py InspectionComplete.deadline_days le=
const EVIDENCE_NOTE_MAX = 1000; // supervision/models.py EVIDENCE_NOTE_MAX

export function register(ctx) {
  const board = createBoard(ctx);
  return {
    setRegion(r) { board.setRegion(r); },
    refreshText() { board.refresh(); },
    permissionsChanged() { board.render(); },
    panelSection(d) {
      if (!can("inspection:write")) return null;
      const body = h("div", { class: "inspection-body" });
      const box = h("details", { class: "panel-section inspection-section" },
        h("summary", {}, t("supervision.inspection")), body);
      box.addEventListener("toggle", () => { if (box.open && !body.childNodes.length) loadInspection(ctx, d, body); });
      return box;
    },
  };
}

/* ------------------------------------------------------------ inspection (tablet-friendly: big radio targets) */

async function loadInspection(ctx, site, body) {
  body.replaceChildren(h("p", { class: "muted" }, t("status.loading")));
  try {
    const list = await getAllItems(`${ctx.api}/sites/${site.id}/inspections?lang=${encodeURIComponent(lang())}`);
    const open = list.find((i) => i.status !== "completed");
    if (open) { renderInspection(ctx, site, body, await getJSON(`${ctx.api}/inspections/${open.id}?lang=${encodeURIComponent(lang())}`)); return; }
    const last = list.filter((i) => i.status === "completed").sort((a, b) => b.id - a.id)[0];
    const start = h("form", { class: "inspection-start", novalidate: true },
      last ? h("p", { class: "muted" }, t("supervision.last_completed", { date: formatDate(last.completed_at) })) : null,
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary inspection-start-button" },
        t("supervision.start"))));
    start.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitForm(start, async () => {
        const insp = await sendJSON("POST", `${ctx.api}/sites/${site.id}/inspections?lang=${encodeURIComponent(lang())}`, {});
        renderInspection(ctx, site, body, insp);
      });
    });
    body.replaceChildren(start);
  } catch (err) {
    body.replaceChildren(h("p", { class: "error", role: "alert" }, err.message));
  }
}

function renderInspection(ctx, site, body, insp) {
  const answered = insp.items.filter((i) => i.answer).length;
  const form = h("form", { class: "inspection-form", novalidate: true, "data-inspection-id": String(insp.id) },
    h("p", { class: "inspection-progress", role: "status" },
      t("supervision.progress", { done: fmtNumber(answered), total: fmtNumber(insp.items.length) })),
    h("ol", { class: "checklist" }, insp.items.map((item) => h("li", { "data-item-id": item.item_id },
      h("fieldset", { class: "checklist-item", "data-field": `answers.${item.item_id}` },
        h("legend", {}, item.title || item.text),
        h("p", { class: "muted clause" }, `${t(`risk.standard.${item.standard_id}`, null, item.standard_id)} · ${item.clause_title || item.clause}`),
        h("div", { class: "answer-choices" }, ANSWERS.map((a) => h("label", { class: "answer-choice" },
          h("input", { type: "radio", name: `ans-${insp.id}-${item.item_id}`, value: a,
            checked: item.answer === a || null }), " ", t(`supervision.answer.${a}`)))),
        item.answer ? null : h("p", { class: "muted" }, t("supervision.suggested", { answer: t(`supervision.answer.${item.suggested}`) })),
        h("p", { class: "field-error", hidden: true })),
      noteField(insp, item)))),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary answers-save" }, t("supervision.save_answers"))));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const answers = {};
    const notes = {};
    for (const item of insp.items) {
      const picked = form.querySelector(`input[name="ans-${insp.id}-${item.item_id}"]:checked`);
      if (picked && picked.value !== item.answer) answers[item.item_id] = picked.value;
      const note = form.querySelector(`[data-field="${CSS.escape(`notes.${item.item_id}`)}"] textarea`);
      if (note && note.value.trim() !== (item.evidence_note || "")) notes[item.item_id] = note.value.trim();
    }
    submitForm(form, async () => {
      const saved = await sendJSON("PUT", `${ctx.api}/inspections/${insp.id}/answers?lang=${encodeURIComponent(lang())}`, { answers, notes }, { etag: insp.version });
      renderInspection(ctx, site, body, saved);
    });
  });
  const agency = h("input", { type: "text", maxlength: "200", value: site.operator_agency || "" });
  const days = h("input", { type: "number", min: "1", max: String(DEADLINE_DAYS_MAX), step: "1", value: "30" });
  const complete = h("form", { class: "inspection-complete", novalidate: true },
    h("h4", {}, t("supervision.complete_heading")),
    field("owner_agency", t("supervision.owner_agency"), agency),
    field("deadline_days", t("supervision.deadline_days"), days),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary inspection-complete-button",
      disabled: answered < insp.items.length || null }, t("supervision.complete"))));
  complete.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const n = readNumber(days);
    if (n.error || n.value === null) { setFieldError(complete, "deadline_days", n.error || t("form.range_whole", { min: 1, max: fmtNumber(DEADLINE_DAYS_MAX) })); return; }
    submitForm(complete, async () => {
      const r = await sendJSON("POST", `${ctx.api}/inspections/${insp.id}/complete`,
        { owner_agency: agency.value.trim(), deadline_days: n.value }, { etag: insp.version });
      body.replaceChildren(h("p", { class: "inspection-done", role: "status" }, t("supervision.completed", {
        created: fmtNumber(r.tasks_created.length), verified: fmtNumber(r.tasks_verified.length) })));
      ctx.onStatus(t("supervision.completed", { created: fmtNumber(r.tasks_created.length), verified: fmtNumber(r.tasks_verified.length) }));
    });
  });
  body.replaceChildren(form, complete);
}

/** The evidence note of one checklist answer: a labelled textarea bounded like the API, its error slot matched
 * to the API's field path notes.<item_id> (a note that looks like personal data comes back refused there). */
function noteField(insp, item) {
  const area = h("textarea", { class: "evidence-note", rows: "2", maxlength: String(EVIDENCE_NOTE_MAX),
    id: `note-${insp.id}-${item.item_id.replace(/\W+/g, "-")}` });
  area.value = item.evidence_note || "";
  const hint = h("p", { class: "muted field-hint", id: `${area.id}-hint` },
    t("supervision.evidence_hint", { max: fmtNumber(EVIDENCE_NOTE_MAX) }));
  const box = field(`notes.${item.item_id}`, t("supervision.evidence_note"), area);
  area.setAttribute("aria-describedby", `${area.getAttribute("aria-describedby")} ${hint.id}`);
  box.append(hint);
  return box;
}

/* ------------------------------------------------------------ task board */

function createBoard(ctx) {
  const st = { region: null, tasks: [], open: false, agency: "", overdue: false, before: "", selected: new Set() };
  const button = h("button", { type: "button", id: "tasks-open", class: "link-button", hidden: true,
    onclick: () => toggle(true) }, "");
  document.getElementById("sidebar")?.append(h("p", { class: "tasks-entry" }, button));
  const dialog = h("section", { id: "task-board", class: "task-board", hidden: true, tabindex: "-1",
    role: "dialog", "aria-modal": "false" });
  document.body.append(dialog);
  dialog.addEventListener("keydown", (ev) => { if (ev.key === "Escape") toggle(false); });

  function toggle(open) {
    st.open = open;
    dialog.hidden = !open;
    if (open) { load(); dialog.focus(); } else button.focus();
  }

  async function load() {
    if (!st.region) return;
    dialog.replaceChildren(h("p", { class: "muted" }, t("status.loading")));
    try {
      st.tasks = await getAllItems(`${ctx.api}/tasks?region_id=${st.region.id}&lang=${encodeURIComponent(lang())}`);
    } catch (err) {
      dialog.replaceChildren(h("p", { class: "error", role: "alert" }, err.message));
      return;
    }
    render();
  }

  function shown() {
    const before = st.before ? new Date(`${st.before}T23:59:59`) : null;
    return st.tasks.filter((x) => (!st.agency || x.owner_agency === st.agency) && (!st.overdue || x.overdue)
      && (!before || new Date(x.deadline) <= before));
  }

  function render() {
    button.hidden = !st.region || !can("site:sensitive_read");
    button.textContent = t("supervision.task_board");
    if (!st.open) return;
    const agencies = [...new Set(st.tasks.map((x) => x.owner_agency))].sort();
    const agencySel = h("select", { id: "tb-agency" }, h("option", { value: "" }, t("supervision.all_agencies")),
      agencies.map((a) => h("option", { value: a, selected: a === st.agency || null }, a)));
    agencySel.addEventListener("change", () => { st.agency = agencySel.value; render(); });
    const overdue = h("input", { type: "checkbox", id: "tb-overdue", checked: st.overdue || null });
    overdue.addEventListener("change", () => { st.overdue = overdue.checked; render(); });
    const before = h("input", { type: "date", id: "tb-before", value: st.before });
    before.addEventListener("change", () => { st.before = before.value; render(); });
    const list = shown();
    const writable = can("task:write");
    const columns = STATUSES.map((s) => {
      const cards = list.filter((x) => x.status === s);
      return h("section", { class: "tb-column", "data-status": s, "aria-label": t(`supervision.status.${s}`) },
        h("h4", {}, `${t(`supervision.status.${s}`)} (${fmtNumber(cards.length)})`),
        h("ul", {}, cards.map((x) => h("li", { class: `tb-card${x.overdue ? " is-overdue" : ""}`, "data-task-id": String(x.id) },
          writable && s !== "verified" ? h("input", { type: "checkbox", class: "tb-pick", "aria-label": t("supervision.pick", { id: x.id }),
            checked: st.selected.has(x.id) || null,
            onchange: (ev) => { if (ev.target.checked) st.selected.add(x.id); else st.selected.delete(x.id); } }) : null,
          h("span", { class: "tb-text" }, x.title || x.text),
          h("span", { class: "tb-meta muted" }, `${x.owner_agency} · ${formatDate(x.deadline)}`,
            x.overdue ? h("strong", { class: "tb-overdue" }, ` ${t("supervision.overdue")}`) : null)))));
    });
    const bulkStatus = h("select", { id: "tb-bulk-status" }, ["in_progress", "fixed", "open"].map((s) =>
      h("option", { value: s }, t(`supervision.status.${s}`))));
    const bulk = h("form", { class: "tb-bulk", novalidate: true },
      h("label", { for: "tb-bulk-status" }, t("supervision.bulk_move")), bulkStatus,
      h("button", { type: "submit", class: "primary", id: "tb-bulk-apply" }, t("supervision.apply")));
    bulk.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const ids = [...st.selected];
      if (!ids.length) { setFieldError(bulk, null, t("supervision.pick_first")); return; }
      submitForm(bulk, async () => {
        const failed = [];
        for (const id of ids) {
          try {
            const task = st.tasks.find((x) => x.id === id);
            await sendJSON("PATCH", `${ctx.api}/tasks/${id}`, { status: bulkStatus.value }, { etag: task && task.version });
            st.selected.delete(id);
          } catch (err) {
            failed.push(`#${id}: ${err.message}`);
          }
        }
        await load();
        if (failed.length) showErrors(dialog.querySelector(".tb-bulk"), { message: failed.join(" ") });
      });
    });
    dialog.replaceChildren(
      h("header", { class: "tb-head" }, h("h3", {}, t("supervision.task_board_region", { region: st.region.name })),
        h("button", { type: "button", class: "tb-close", onclick: () => toggle(false) }, t("supervision.close"))),
      h("div", { class: "tb-filters" },
        h("label", { for: "tb-agency" }, t("supervision.agency")), agencySel,
        h("label", { for: "tb-before" }, t("supervision.deadline_before")), before,
        h("label", { for: "tb-overdue" }, overdue, " ", t("supervision.overdue_only"))),
      writable ? bulk : null,
      h("div", { class: "tb-columns" }, columns));
  }

  return {
    setRegion(r) { st.region = r; st.tasks = []; st.selected.clear(); render(); if (st.open) load(); },
    render,
    /** After a language switch: the task texts are worded by the server in the language asked for. */
    refresh() { render(); if (st.open) load(); },
  };
}
