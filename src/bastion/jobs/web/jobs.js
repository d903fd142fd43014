/* Jobs: long work (patrol plans, assessments, placement, imports, reports) runs on the server as a job.
 * A domain script starts one with `runJob(url, body)`: the POST answers 202 with Location /api/v1/jobs/{id};
 * this module shows the job in a small sidebar tray (progress bar, message, cancel button), follows its
 * Server-Sent Events (GET /jobs/{id}/events) and resolves with the finished job (GET /jobs/{id}: result,
 * result_url, error). The tray lists the caller's queued and running jobs on load, so it survives a reload.
 * DOM built with textContent only (strict CSP). */
import { apiFetch, csrfToken, getJSON, h, HttpError } from "./util.js";
import { t } from "./i18n.js";

const TERMINAL = new Set(["succeeded", "failed", "cancelled", "interrupted"]);
const state = { api: "/api/v1", tray: null, list: null, rows: new Map() };

const kindLabel = (kind) => t(`jobs.kind.${kind}`, null, kind);

function ensureTray() {
  if (state.tray) return state.tray;
  state.list = h("ul", { class: "jobs-list" });
  state.tray = h("section", { class: "jobs", id: "jobs-tray", hidden: true, "aria-live": "polite" },
    h("h2", { "data-i18n": "jobs.title" }, t("jobs.title")), state.list);
  const sidebar = document.getElementById("sidebar");
  (sidebar || document.body).append(state.tray);
  return state.tray;
}

function render(row, job) {
  const pct = Math.round(100 * (job.progress || 0));
  row.bar.value = pct;
  row.text.textContent = t("jobs.progress", { kind: kindLabel(job.kind), percent: pct,
    message: job.message || t(`jobs.state.${job.state}`, null, job.state) });
  row.state.textContent = t(`jobs.state.${job.state}`, null, job.state);
  row.node.dataset.state = job.state;
  row.cancel.hidden = TERMINAL.has(job.state);
  if (job.state === "failed" || job.state === "interrupted") {
    row.text.textContent = `${kindLabel(job.kind)}: ${(job.error && job.error.message) || job.state}`;
  }
}

async function cancel(id) {
  await fetch(`${state.api}/jobs/${id}/cancel`, {
    method: "POST", headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() } });
}

/** Show a job in the tray and follow its events; resolves with the finished job (GET /jobs/{id}). */
export function follow(job, { onProgress } = {}) {
  ensureTray().hidden = false;
  let row = state.rows.get(job.id);
  if (!row) {
    row = { bar: h("progress", { max: "100", value: "0" }), text: h("span", { class: "jobs-text" }),
      state: h("span", { class: "jobs-state" }) };
    row.cancel = h("button", { type: "button", class: "jobs-cancel", onclick: () => cancel(job.id) }, t("jobs.cancel"));
    row.node = h("li", { class: "jobs-row", "data-job-id": String(job.id) }, row.text, row.bar, row.state, row.cancel);
    state.list.prepend(row.node);
    state.rows.set(job.id, row);
  }
  render(row, job);
  return new Promise((resolve) => {
    const finish = async () => {
      const done = await getJSON(`${state.api}/jobs/${job.id}`).catch(() => ({ ...job, state: "failed" }));
      render(row, done);
      resolve(done);
    };
    if (TERMINAL.has(job.state)) { finish(); return; }
    const source = new EventSource(`${state.api}/jobs/${job.id}/events`);
    source.addEventListener("progress", (ev) => {
      const p = JSON.parse(ev.data);
      render(row, { ...job, ...p });
      if (onProgress) onProgress(p);
    });
    source.addEventListener("end", () => { source.close(); finish(); });
    source.onerror = () => { if (source.readyState === EventSource.CLOSED) finish(); };
  });
}

/**
 * Start long work: POST `url` with `body` (a 202 with a job), follow it, resolve with the finished job.
 * Rejects with an Error carrying the API's message when the request itself is refused (4xx).
 */
export async function runJob(url, body, opts = {}) {
  // apiFetch: a 401 brings back the sign-in and retries; a refusal is an HttpError with the API's field errors
  const res = await apiFetch(url, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body ?? {}),
  });
  const job = await res.json().catch(() => ({}));
  if (res.status !== 202) throw new HttpError(res.status, url, job);
  return follow(job, opts);
}

/** runJob for a form: the finished job's result, or an HttpError (refused, failed with the job's error and its
 * field, or cancelled) that forms.js shows next to the field. */
export async function runJobResult(url, body, opts = {}) {
  const job = await runJob(url, body, opts);
  if (job.state === "succeeded") return job.result;
  const error = job.error || { code: job.state, message: t(`jobs.state.${job.state}`, null, job.state) };
  throw new HttpError(422, url, { error });
}

/** The page calls this once: the caller's queued and running jobs come back into the tray after a reload. */
export function register(ctx) {
  state.api = ctx.api || state.api;
  ensureTray();
  getJSON(`${state.api}/jobs?mine=true&state=queued&state=running`)
    .then((page) => { for (const job of page.items || []) follow(job); })
    .catch(() => {});  // signed out or no job:read: no tray
  return {
    setRegion() {},
    refreshText() {
      state.tray.querySelector("h2").textContent = t("jobs.title");
      for (const row of state.rows.values()) row.cancel.textContent = t("jobs.cancel");
    },
  };
}
