/* Bastion map page: small helpers with no page state (DOM building, fetch, text, colours, hours). */

/* Category colours: distinct hues, dark enough for white borders. Unknown categories are grey. */
export const CATEGORY_COLOURS = {
  transport: "#2563eb",
  retail: "#ea8a00",
  venue: "#dc2626",
  education: "#7c3aed",
  health: "#db2777",
  worship: "#0f766e",
  government: "#1e3a8a",
  tourism: "#16a34a",
  hotel: "#92400e",
  public_space: "#65a30d",
  infrastructure: "#475569",
};

const FALLBACK_COLOUR = "#6b7280";

export const colourOf = (cat) => CATEGORY_COLOURS[cat] || FALLBACK_COLOUR;

export function readSettings() {
  const node = document.getElementById("bastion-settings");
  try {
    const parsed = JSON.parse((node && node.textContent.trim()) || "{}");
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch (err) {
    console.warn("bastion: bad settings JSON", err);
    return {};
  }
}

/** A refused request. `code`, `message` and `fields` ({"capacity_override": "…"}) come from the API's one error
 * shape {"error": {code, message, field, details: [{field, message}]}}; the message never says "HTTP 422". */
export class HttpError extends Error {
  constructor(status, url, body) {
    const err = (body && typeof body === "object" && body.error) || {};
    super(err.message || `HTTP ${status} ${url}`);
    this.status = status;
    this.code = err.code || null;
    this.fields = {};
    for (const d of Array.isArray(err.details) ? err.details : []) {
      if (d && d.field && !(d.field in this.fields)) this.fields[d.field] = d.message;
    }
    if (err.field && !(err.field in this.fields)) this.fields[err.field] = err.message;
  }
}

/* Who is told about a 401 (the page shows the sign-in overlay and resolves once signed in again). */
let onUnauthorized = null;
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

/** fetch() that, on a 401, asks the user to sign in again (keeping the page as it is) and retries once. */
export async function apiFetch(url, init = {}) {
  const send = () => {
    const headers = { Accept: "application/json", ...(init.headers || {}) };
    if (init.method && init.method !== "GET") headers["X-CSRF-Token"] = csrfToken();
    return fetch(url, { ...init, headers });
  };
  let res = await send();
  if (res.status === 401 && onUnauthorized && !/\/auth\/login$/.test(url)) {
    await onUnauthorized();
    res = await send();
  }
  return res;
}

async function errorOf(res, url) {
  let body = null;
  try { body = await res.json(); } catch (_) { /* not JSON */ }
  return new HttpError(res.status, url, body);
}

export async function getJSON(url) {
  const res = await apiFetch(url);
  if (!res.ok) throw await errorOf(res, url);
  return res.json();
}

/** Send JSON (POST/PATCH/PUT/DELETE) with the CSRF header; the parsed answer, or an HttpError. `etag`: the version
 * read (If-Match), so that a write over someone else's change is refused instead of silently overwriting it. */
export async function sendJSON(method, url, body, { etag } = {}) {
  const headers = { "Content-Type": "application/json" };
  // a record's version (sec11: ETag "3"): a number becomes the strong tag; a stale one is refused with 409
  if (etag !== undefined && etag !== null) headers["If-Match"] = typeof etag === "number" ? `"${etag}"` : etag;
  const res = await apiFetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw await errorOf(res, url);
  return res.status === 204 ? null : res.json();
}

/** The largest page the API serves (GET /api/v1/meta page.max_limit, embedded in the page's settings). */
export const pageMaxLimit = () => (readSettings().page || {}).max_limit || 100;

/** Every item of a paginated collection ({items, total, limit, offset}), fetched page by page at the largest size. */
export async function getAllItems(url) {
  const limit = pageMaxLimit();
  const sep = url.includes("?") ? "&" : "?";
  const out = [];
  for (let offset = 0; ; offset += limit) {
    const page = await getJSON(`${url}${sep}limit=${limit}&offset=${offset}`);
    const items = Array.isArray(page.items) ? page.items : [];
    out.push(...items);
    if (items.length < limit || out.length >= (Number.isFinite(page.total) ? page.total : out.length)) return out;
  }
}

/** The CSRF token the server set at sign-in (a readable cookie); state-changing requests echo it in a header. */
export function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)bastion_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

/** POST JSON with the CSRF header; returns the Response (callers look at its status). */
export function postJSON(url, body) {
  return apiFetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body ?? {}) });
}

/** Build a DOM element; strings become text nodes (never HTML). */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "style") node.style.cssText = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

/** Lower-case, strip accents, punctuation → spaces: "Stade Louis-II" matches "louis ii". */
export function normalise(text) {
  return String(text || "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export const humanise = (id) => String(id || "").replace(/[_:]+/g, " ").replace(/^\w/, (c) => c.toUpperCase());

export const MINUTES_PER_DAY = 1440;

export const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

/** Minutes-of-week intervals (Monday 00:00 = 0) → per-day lists of [start, end] minutes-of-day. */
export function weeklyByDay(intervals) {
  const week = 7 * MINUTES_PER_DAY;
  const days = [[], [], [], [], [], [], []];
  for (const iv of intervals || []) {
    if (!Array.isArray(iv) || iv.length < 2) continue;
    let [a, b] = iv.map(Number);
    if (!(b > a)) continue;
    b = Math.min(b, a + week);
    while (a < b) {
      const dayStart = Math.floor(a / MINUTES_PER_DAY) * MINUTES_PER_DAY;
      const end = Math.min(b, dayStart + MINUTES_PER_DAY);
      days[((dayStart / MINUTES_PER_DAY) % 7 + 7) % 7].push([a - dayStart, end - dayStart]);
      a = end;
    }
  }
  for (const d of days) d.sort((x, y) => x[0] - y[0]);
  return days;
}

/** A tooltip/popup label as DOM text: Leaflet renders a string as HTML, an element as it is. Every label that
 * carries data (site, unit, team names, notes, ratings) goes through this, never as a string. */
export function tip(text) {
  return h("span", { class: "map-tip" }, String(text ?? ""));
}

/** A Leaflet divIcon whose content is built as DOM (no HTML string, no style="" attribute, which the page's
 * Content-Security-Policy refuses). `build()` returns a fresh element for each marker that uses the icon. */
export function domIcon(options, build) {
  const Icon = L.DivIcon.extend({
    createIcon(oldIcon) {
      this.options.html = build();
      return L.DivIcon.prototype.createIcon.call(this, oldIcon);
    },
  });
  return new Icon(options);
}
