/* Sites workflows in the page: edit a site's capacity, notes and operating agency (site:edit), and the region's
 * report link.
 *   PATCH {api}/sites/{id}  {capacity_override, notes, operator_agency}  (null clears; the API refuses out-of-range
 *                            numbers and unknown agency names; only changed fields are sent)
 *   GET   {api}/regions/{id}/report                        (HTML; linked from the sidebar)
 * Plugged by the shell through register(ctx): panelSection(detail) adds the edit form to the site panel. */
import { h, sendJSON } from "./util.js";
import { can, field, readNumber, setFieldError, submitForm } from "./forms.js";
import { lang, t } from "./i18n.js";

const CAPACITY_MAX = 10_000_000; // sites/schemas.py SiteUpdate.capacity_override le=

export function register(ctx) {
  const regionBox = h("p", { class: "region-report", id: "region-report", hidden: true });
  document.getElementById("sidebar")?.append(regionBox);
  let region = null;

  function renderRegion() {
    regionBox.hidden = !region;
    if (!region) return;
    regionBox.replaceChildren(h("a", {
      href: `${ctx.api}/regions/${encodeURIComponent(region.id)}/report?lang=${encodeURIComponent(lang())}`, target: "_blank", rel: "noopener",
      id: "region-report-link",
    }, t("sites.region_report", { region: region.name })));
  }

  function editForm(d) {
    const capacity = h("input", {
      type: "number", min: "0", max: String(CAPACITY_MAX), step: "1", inputmode: "numeric",
      value: d.capacity_override ?? "", class: "site-capacity-input",
    });
    const notes = h("textarea", { rows: "3", maxlength: "10000", class: "site-notes-input" });
    notes.value = d.notes || "";
    const operator = h("input", { type: "text", maxlength: "200", class: "site-operator-input", autocomplete: "off" });
    operator.value = d.operator_agency || "";
    const form = h("form", { class: "site-edit", novalidate: true, "aria-label": t("sites.edit_heading") },
      field("capacity_override", t("sites.capacity_override"), capacity),
      h("p", { class: "hint muted" }, t("sites.capacity_hint")),
      field("notes", t("sites.notes"), notes),
      field("operator_agency", t("sites.operator"), operator),
      h("p", { class: "hint muted" }, t("sites.operator_hint")),
      h("div", { class: "form-actions" },
        h("button", { type: "submit", class: "primary site-save" }, t("form.save"))));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const n = readNumber(capacity);
      if (n.error) { setFieldError(form, "capacity_override", n.error); return; }
      submitForm(form, async () => {
        const body = { capacity_override: n.value, notes: notes.value.trim() ? notes.value : null };
        const op = operator.value.trim() || null;
        if (op !== (d.operator_agency || null)) body.operator_agency = op; // needs region-wide site:edit: sent only when changed
        const saved = await sendJSON("PATCH", `${ctx.api}/sites/${encodeURIComponent(d.id)}`, body, { etag: d.version });
        ctx.siteChanged?.(saved);
        ctx.onStatus(t("sites.saved"));
      });
    });
    return form;
  }

  return {
    setRegion(r) { region = r; renderRegion(); },
    refreshText() { renderRegion(); },
    panelSection(d) {
      if (!can("site:edit")) return null;
      return h("details", { class: "panel-section site-edit-section" },
        h("summary", {}, t("sites.edit_heading")), editForm(d));
    },
  };
}
