/* Bastion map page: small form helpers shared by every workflow (no library; see docs/adr/0005-web-workflows.md).
 *   field(name, label, input)        a labelled field with a slot for its error, found again by data-field=name
 *   readNumber(input)                the typed number, or an error naming the allowed range — never clamped
 *   showErrors(form, err)            the API's field errors next to their fields; the rest in the form's alert
 *   submitForm(form, run)            clears errors, disables the buttons while `run()` works, shows its errors
 * Field names are the API's field paths ("capacity_override", "add"), so a 422's details land on the right field. */
import { h } from "./util.js";
import { fmtNumber, t } from "./i18n.js";

let seq = 0;

/** A labelled field: <div class="form-field" data-field=name><label/> input <p class="field-error"/></div>. */
export function field(name, label, input) {
  seq += 1;
  const id = input.id || `f-${name.replace(/\W+/g, "-")}-${seq}`;
  input.id = id;
  input.name = input.name || name;
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  input.setAttribute("aria-describedby", error.id);
  return h("div", { class: "form-field", "data-field": name }, h("label", { for: id }, label), input, error);
}

/** A number from an <input>, refused (never clamped) when it is not a number in [min, max] or not whole when the
 * input's step is 1. Returns {value} or {error}; an empty input gives {value: null}. */
export function readNumber(input) {
  const raw = String(input.value ?? "").trim();
  const min = input.min === "" ? -Infinity : Number(input.min);
  const max = input.max === "" ? Infinity : Number(input.max);
  if (raw === "") {
    // a number input that holds text the browser cannot parse reports "" with badInput set
    if (input.validity && input.validity.badInput) return { error: rangeMessage(min, max) };
    return { value: null };
  }
  const n = Number(raw);
  const whole = input.step === "" || input.step === "1" || input.step === undefined;
  if (!Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
    return { error: rangeMessage(min, max, whole) };
  }
  return { value: n };
}

function rangeMessage(min, max, whole = true) {
  const key = whole ? "form.range_whole" : "form.range";
  return t(key, { min: fmtNumber(min), max: fmtNumber(max) });
}

export function clearErrors(form) {
  for (const p of form.querySelectorAll(".field-error")) { p.hidden = true; p.textContent = ""; }
  for (const i of form.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
  const alert = form.querySelector(".form-alert");
  if (alert) { alert.hidden = true; alert.textContent = ""; }
}

/** Put a message next to field `name` (data-field), or in the form's alert when there is no such field. */
export function setFieldError(form, name, message) {
  const box = name ? form.querySelector(`[data-field="${CSS.escape(name)}"]`) : null;
  if (box) {
    const p = box.querySelector(".field-error");
    p.textContent = message;
    p.hidden = false;
    const input = box.querySelector("input, select, textarea");
    if (input) input.setAttribute("aria-invalid", "true");
    return;
  }
  let alert = form.querySelector(".form-alert");
  if (!alert) {
    alert = h("p", { class: "form-alert error", role: "alert" });
    form.append(alert);
  }
  alert.textContent = alert.textContent ? `${alert.textContent} ${message}` : message;
  alert.hidden = false;
}

/** The API's errors on the form: each field path's message by its field, the rest in the alert. A 409 (someone
 * else saved first) says so plainly. */
export function showErrors(form, err) {
  if (isStale(err)) {
    setFieldError(form, null, t("form.conflict"));
    return;
  }
  const fields = (err && err.fields) || {};
  let placed = false;
  for (const [name, message] of Object.entries(fields)) {
    // "add" and "body.add" and "items.0.add" all land on the field named "add" when there is one
    const candidates = [name, name.split(".").pop()];
    const hit = candidates.find((c) => form.querySelector(`[data-field="${CSS.escape(c)}"]`));
    if (hit) { setFieldError(form, hit, message); placed = true; }
  }
  if (!placed) setFieldError(form, null, err && err.message ? err.message : String(err));
}

/** A write refused because the record changed since it was read (optimistic concurrency: 409/412 with a
 * version/stale code), as opposed to other conflicts (a task that cannot move to that status), shown as they are. */
export function isStale(err) {
  if (!err) return false;
  if (err.status === 412 || err.status === 428) return true;
  return err.status === 409 && /stale|version|precondition|modified|changed/i.test(`${err.code || ""}`);
}

/** Run an async action for a form: errors cleared first, buttons disabled meanwhile (no double submission). */
export async function submitForm(form, run) {
  clearErrors(form);
  const buttons = [...form.querySelectorAll("button")];
  for (const b of buttons) b.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    return await run();
  } catch (err) {
    showErrors(form, err);
    return undefined;
  } finally {
    for (const b of buttons) b.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

/** The signed-in user's permissions (GET /auth/me), set by the page at sign-in. */
const perms = { set: new Set() };
export function setPermissions(list) { perms.set = new Set(list || []); }
export const can = (permission) => perms.set.has(permission);
