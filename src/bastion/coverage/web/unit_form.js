/* Edit a response unit from the page: its name (call sign), type, response-time standard and speed profile.
 *   PATCH {api}/units/{id} with only the changed fields and If-Match: the version read (a stale one: 409, shown as
 *   "someone else changed this record"); the API's field errors are shown next to their field.
 * The vocabularies come from the server (/api/v1/meta: unit_types, speed_profiles, response_standards_s). */
import { h, readSettings, sendJSON } from "./util.js";
import { field, submitForm } from "./forms.js";
import { fmtNumber, t } from "./i18n.js";

const settings = readSettings();
const VOCAB = settings.vocabularies || {};
const NAME_MAX = 200; // units/schemas.py UnitUpdate.name max_length=

const option = (value, label, current) => h("option", { value: String(value), selected: String(value) === String(current) || null }, label);

/** A form editing unit `u`; `onSaved(unit)` after a successful save, `onCancel()` on cancel. */
export function unitEditForm(api, u, { onSaved, onCancel }) {
  const name = h("input", { type: "text", maxlength: String(NAME_MAX), required: true, class: "unit-edit-name" });
  name.value = u.name;
  const type = h("select", { class: "unit-edit-type" }, (VOCAB.unit_types || [u.unit_type]).map((x) =>
    option(x, t(`vocab.unit_types.${x}`, null, x), u.unit_type)));
  const standard = h("select", { class: "unit-edit-standard" }, (settings.response_standards_s || [u.standard_s]).map((s) =>
    option(s, t("coverage.minutes", { minutes: fmtNumber(s / 60) }), u.standard_s)));
  const profile = h("select", { class: "unit-edit-profile" }, (VOCAB.speed_profiles || [u.speed_profile]).map((x) =>
    option(x, t(`vocab.speed_profiles.${x}`, null, x), u.speed_profile)));
  const form = h("form", { class: "unit-edit", novalidate: true, "aria-label": t("coverage.edit_unit", { name: u.name }) },
    field("name", t("coverage.unit_name"), name),
    field("unit_type", t("coverage.unit_type"), type),
    field("standard_s", t("coverage.unit_standard"), standard),
    field("speed_profile", t("coverage.unit_profile"), profile),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "primary unit-edit-save" }, t("form.save")),
      h("button", { type: "button", class: "unit-edit-cancel", onclick: () => onCancel() }, t("form.cancel"))));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const changes = {};
    if (name.value !== u.name) changes.name = name.value;
    if (type.value !== u.unit_type) changes.unit_type = type.value;
    if (Number(standard.value) !== u.standard_s) changes.standard_s = Number(standard.value);
    if (profile.value !== u.speed_profile) changes.speed_profile = profile.value;
    if (!Object.keys(changes).length) { onCancel(); return; }
    submitForm(form, async () => {
      onSaved(await sendJSON("PATCH", `${api}/units/${encodeURIComponent(u.id)}`, changes, { etag: u.version }));
    });
  });
  return form;
}
