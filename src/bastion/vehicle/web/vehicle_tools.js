/* Vehicle workflows in the page: run the region's vehicle assessment (analysis:run + plan:write; the result
 * replaces the stored one and the "Vehicle approaches" layer redraws), and record a site's vehicle barrier with
 * its certified rating (site:edit), as a measure of kind hvm_barrier.
 *   POST {api}/regions/{id}/vehicle-assessments (a job: progress bar and cancel in the jobs tray)   POST {api}/sites/{id}/measures {kind: "hvm_barrier", params} */
import { getAllItems, h, readSettings, sendJSON } from "./util.js";
import { can, field, submitForm } from "./forms.js";
import { runJobResult } from "./jobs.js";
import { fmtNumber, t } from "./i18n.js";

const STANDARDS = ((readSettings().vocabularies || {}).barrier_standards || []).slice();

export function register(ctx) {
  let region = null;
  const result = h("p", { class: "muted", id: "vehicle-run-result", role: "status", "aria-live": "polite" });
  const progress = h("progress", { id: "vehicle-run-progress", hidden: true });
  const run = h("button", { type: "submit", id: "vehicle-run" }, "");
  const form = h("form", { class: "vehicle-run", novalidate: true }, run, progress, result);
  const mount = document.getElementById("layer-vehicle")?.closest("fieldset, section, div");
  mount?.append(form);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!region) return;
    const r0 = region;
    progress.hidden = false;
    result.textContent = t("vehicle_tools.running", { region: r0.name });
    submitForm(form, async () => {
      // the vehicle class picked for the layer (its menu sits just above): one class per run keeps it short
      const vehicle = document.getElementById("layer-vehicle-class")?.value;
      const rep = await runJobResult(`${ctx.api}/regions/${r0.id}/vehicle-assessments`, vehicle ? { vehicles: [vehicle] } : {});
      result.textContent = t("vehicle_tools.done", { sites: fmtNumber(rep.sites_assessed), reached: fmtNumber(rep.sites_reached),
        gaps: fmtNumber(rep.gaps), seconds: fmtNumber(rep.compute_s + rep.write_s, { maximumFractionDigits: 1 }) });
      const box = document.getElementById("layer-vehicle");
      if (box && box.checked) box.dispatchEvent(new Event("change")); // redraw from the new assessment
    }).finally(() => { progress.hidden = true; });
  });

  function render() {
    form.hidden = !(region && can("analysis:run") && can("plan:write"));
    run.textContent = t("vehicle_tools.run", { region: region ? region.name : "" });
  }
  render();

  function barrierForm(d) {
    const standard = h("select", {}, h("option", { value: "" }, t("vehicle_tools.uncertified")),
      STANDARDS.map((s) => h("option", { value: s }, s)));
    const rating = h("input", { type: "text", maxlength: "80", placeholder: "V/7200[N2A]/48/90:4.5", spellcheck: "false" });
    const current = h("p", { class: "barrier-current" });
    getAllItems(`${ctx.api}/sites/${encodeURIComponent(d.id)}/measures`).then((ms) => {
      const b = ms.find((m) => m.kind === "hvm_barrier");
      current.textContent = b ? t("vehicle_tools.barrier_current", { standard: b.params.standard || t("vehicle_tools.uncertified"),
        rating: b.params.rating || "—" }) : t("vehicle_tools.barrier_none");
      if (b) { standard.value = b.params.standard || ""; rating.value = b.params.rating || ""; }
    }).catch(() => { current.textContent = ""; });
    const f = h("form", { class: "barrier-form", novalidate: true }, current,
      field("standard", t("vehicle_tools.standard"), standard),
      field("rating", t("vehicle_tools.rating"), rating),
      h("p", { class: "hint muted" }, t("vehicle_tools.rating_hint")),
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary barrier-save" }, t("form.save"))));
    f.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const params = {};
      if (standard.value) params.standard = standard.value;
      if (standard.value || rating.value.trim()) params.rating = rating.value;
      submitForm(f, async () => {
        await sendJSON("POST", `${ctx.api}/sites/${encodeURIComponent(d.id)}/measures`, { kind: "hvm_barrier", params },
          { etag: d.version });
        ctx.onStatus(t("vehicle_tools.barrier_saved"));
        ctx.siteChanged?.(d);
      });
    });
    return f;
  }

  return {
    setRegion(r) { region = r; result.textContent = ""; render(); },
    refreshText: render,
    permissionsChanged: render,
    panelSection(d) {
      if (!can("site:edit")) return null;
      return h("details", { class: "panel-section barrier-section" },
        h("summary", {}, t("vehicle_tools.barrier_heading")), barrierForm(d));
    },
  };
}
