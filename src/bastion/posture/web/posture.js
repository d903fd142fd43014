/* Posture panel in the sidebar: propose a threat/response level for the selected region, see exactly what
 * changes per agency before anything is applied (preview), list declarations and approve one proposed by
 * someone else (two-person rule, checked by the server). Posture measures are need-to-know (TLP:AMBER).
 * Reject (a second person too) and stand down (back to the previous level; the posture's temporary tasks close).
 *   POST {api}/regions/{id}/posture/preview, {api}/regions/{id}/posture, {api}/regions/{id}/posture/{approve,reject,end}
 *   GET {api}/regions/{id}/posture */

const LEVELS = {
  uk: ["LOW", "MODERATE", "SUBSTANTIAL", "SEVERE", "CRITICAL"],
  cn: ["normal", "level_3", "level_2", "level_1"],
  ntas: ["none", "bulletin", "elevated", "imminent"],
};

export function register({ api, t, h, getJSON, postJSON, onStatus }) {
  const state = { region: null };
  const el = {
    heading: h("h2", { id: "posture-heading" }, ""),
    scheme: h("select", { id: "posture-scheme" }, ...Object.keys(LEVELS).map((k) => h("option", { value: k }, t(`posture.scheme.${k}`, null, k)))),
    level: h("select", { id: "posture-level" }),
    reason: h("input", { type: "text", id: "posture-reason", maxlength: "2000" }),
    expires: h("input", { type: "datetime-local", id: "posture-expires" }),
    preview: h("button", { type: "button", id: "posture-preview" }, ""),
    propose: h("button", { type: "button", id: "posture-propose" }, ""),
    notice: h("p", { class: "muted", id: "posture-restricted" }, ""),
    out: h("div", { id: "posture-out", role: "status", "aria-live": "polite" }),
    list: h("div", { id: "posture-list" }),
    labels: {},
  };
  for (const k of ["scheme", "level", "reason", "expires"]) el.labels[k] = h("label", { for: `posture-${k}` }, "");
  const box = h("section", { id: "posture", class: "posture" }, el.heading, el.notice,
    h("div", {}, el.labels.scheme, " ", el.scheme, " ", el.labels.level, " ", el.level),
    h("div", {}, el.labels.reason, " ", el.reason), h("div", {}, el.labels.expires, " ", el.expires),
    h("div", {}, el.preview, " ", el.propose), el.out, el.list);
  const sidebar = document.getElementById("sidebar");
  const office = document.getElementById("office");
  if (office) office.after(box); else if (sidebar) sidebar.append(box);

  function fillLevels() {
    el.level.replaceChildren(...LEVELS[el.scheme.value].map((l) => h("option", { value: l }, t(`posture.level_name.${el.scheme.value}.${l}`, null, l))));
  }

  function refreshText() {
    el.heading.textContent = t("posture.title");
    el.labels.scheme.textContent = t("posture.scheme");
    el.labels.level.textContent = t("posture.level");
    el.labels.reason.textContent = t("posture.reason");
    el.labels.expires.textContent = t("posture.expires");
    el.preview.textContent = t("posture.preview");
    el.propose.textContent = t("posture.propose");
    el.notice.textContent = t("posture.restricted");
    for (const o of el.scheme.options) o.textContent = t(`posture.scheme.${o.value}`, null, o.value);
    for (const o of el.level.options) o.textContent = t(`posture.level_name.${el.scheme.value}.${o.value}`, null, o.value);
  }

  function renderPreview(pv) {
    const rows = pv.agencies.map((a) => h("tr", {}, h("td", {}, a.agency_id === null ? t("office.unassigned") : a.agency), h("td", {}, String(a.tasks_added)),
      h("td", {}, String(a.measures_added)), h("td", {}, String(a.hvm_added)), h("td", {}, String(a.closed)),
      h("td", {}, String(a.extra_staff_h_per_day)),
      h("td", {}, a.days_sustainable === null ? t("posture.indefinite") : String(a.days_sustainable))));
    const head = ["office.agency", "posture.tasks_added", "posture.measures_added", "posture.hvm_added",
      "posture.closed", "posture.staff", "posture.days"];
    // in a sideways-scrolling box: seven columns do not fit the phone's sidebar
    const parts = [h("div", { class: "office-scroll", tabindex: "0" }, h("table", { class: "posture-preview",
      id: "posture-preview-table" },
      h("thead", {}, h("tr", {}, ...head.map((k) => h("th", {}, t(k))))), h("tbody", {}, ...rows)))];
    if (pv.patrol) {
      parts.push(h("p", {}, t("posture.patrol", {
        before: pv.patrol.resources_before, after: pv.patrol.resources_after,
        eu0: pv.patrol.defender_eu_before.toFixed(3), eu1: pv.patrol.defender_eu_after.toFixed(3),
      })));
    }
    el.out.replaceChildren(...parts);
  }

  // approve / reject (a second person: the server refuses the proposer) and stand down (closes the posture's
  // temporary tasks); the outcome is said in the panel and the list reloads
  function action(cls, label, verb, d) {
    const b = h("button", { type: "button", class: cls }, t(label));
    b.addEventListener("click", async () => {
      b.disabled = true;
      const r = await postJSON(`${api}/regions/${state.region.id}/posture/${verb}`, { declaration_id: d.id });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) {
        const message = (body.error && body.error.message) || r.status;
        onStatus?.(t("status.error", { message }), true);
        el.out.replaceChildren(h("p", { class: "error", role: "alert" }, String(message)));
      } else {
        onStatus?.("");
        el.out.replaceChildren(h("p", { class: "posture-result" }, verb === "reject"
          ? t("posture.rejected", { id: d.id })
          : t(verb === "end" ? "posture.ended" : "posture.applied", { id: d.id, created: body.created, closed: body.closed })));
      }
      loadList();
    });
    return b;
  }

  async function loadList() {
    if (!state.region) return;
    try {
      const page = await getJSON(`${api}/regions/${state.region.id}/posture?limit=20`);
      el.list.replaceChildren(h("h3", {}, t("posture.declarations")), ...page.items.map((d) => {
        const row = h("div", { class: "posture-decl", "data-id": String(d.id) },
          `#${d.id} ${t(`posture.scheme.${d.scheme}`, null, d.scheme)} ${t(`posture.level_name.${d.scheme}.${d.level}`, null, d.level)} · ${t(`posture.status.${d.status}`, null, d.status)}`);
        if (d.status === "proposed") {
          row.append(" ", action("posture-approve", "posture.approve", "approve", d),
            " ", action("posture-reject", "posture.reject", "reject", d));
        } else if (d.status === "active") {
          row.append(" ", action("posture-end", "posture.end", "end", d));
        }
        return row;
      }));
    } catch {
      el.list.replaceChildren();
    }
  }

  function body() {
    const b = { scheme: el.scheme.value, level: el.level.value };
    return b;
  }

  el.scheme.addEventListener("change", fillLevels);
  el.preview.addEventListener("click", async () => {
    if (!state.region) return;
    const r = await postJSON(`${api}/regions/${state.region.id}/posture/preview`, body());
    const data = await r.json().catch(() => ({}));
    if (r.ok) renderPreview(data); else el.out.replaceChildren(h("p", { class: "error" }, String((data.error && data.error.message) || r.status)));
  });
  el.propose.addEventListener("click", async () => {
    if (!state.region) return;
    const payload = { ...body(), reason: el.reason.value };
    if (el.expires.value) payload.expires_at = new Date(el.expires.value).toISOString();
    const r = await postJSON(`${api}/regions/${state.region.id}/posture`, payload);
    const data = await r.json().catch(() => ({}));
    if (!r.ok) el.out.replaceChildren(h("p", { class: "error" }, String((data.error && data.error.message) || r.status)));
    else { el.out.replaceChildren(h("p", {}, `#${data.id} ${t(`posture.status.${data.status}`, null, data.status)}`)); loadList(); }
  });
  fillLevels();
  refreshText();
  return {
    setRegion(region) { state.region = region; el.out.replaceChildren(); return loadList(); },
    refreshText() { refreshText(); loadList(); },
  };
}
