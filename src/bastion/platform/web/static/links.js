/* Bastion map page: deep links. The URL's fragment holds what the user is looking at, so a link or a reload opens
 * the same view and the back button steps through it:
 *   #region=3&site=41&layers=coverage,vehicle&plan=7&day=2&hide=1,3&view=43.7384,7.4246,16
 * region and site are ids; layers the map layers switched on (names from LAYER_INPUTS); plan and day the patrol
 * plan shown and its day, hide its teams hidden on the map; view lat,lon,zoom. */

/** Map layer name → the checkbox that switches it (each layer's own module listens to its change event). */
export const LAYER_INPUTS = { coverage: "cov-toggle", vehicle: "layer-vehicle", risk: "risk-toggle" };

const int = (v) => (v !== null && /^\d{1,12}$/.test(v) ? Number(v) : null);

/** The link in the current URL: {region, site, layers: Set, patrol: {plan, day, hidden: [team]},
 * view: {lat, lon, zoom} | null}. */
export function linkFromUrl(hash = location.hash) {
  const q = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  const layers = new Set((q.get("layers") || "").split(",").filter((x) => x in LAYER_INPUTS));
  let view = null;
  const parts = (q.get("view") || "").split(",").map(Number);
  if (parts.length === 3 && parts.every(Number.isFinite) && Math.abs(parts[0]) <= 90 && Math.abs(parts[1]) <= 180
      && parts[2] >= 0 && parts[2] <= 22) {
    view = { lat: parts[0], lon: parts[1], zoom: parts[2] };
  }
  const hidden = [...new Set((q.get("hide") || "").split(",").map(int).filter((x) => x !== null && x >= 1))]
    .sort((a, b) => a - b);
  const plan = int(q.get("plan"));
  const patrol = { plan, day: plan === null ? null : int(q.get("day")), hidden: plan === null ? [] : hidden };
  return { region: int(q.get("region")), site: int(q.get("site")), layers, patrol, view };
}

/** The layers switched on right now, read from their checkboxes. */
export function currentLayers() {
  return new Set(Object.entries(LAYER_INPUTS)
    .filter(([, id]) => document.getElementById(id)?.checked).map(([name]) => name));
}

/** The fragment for a link (stable order, so equal views give equal URLs). */
export function currentLink({ region, site, layers, patrol, view }) {
  const q = new URLSearchParams();
  if (region !== null && region !== undefined) q.set("region", String(region));
  if (site !== null && site !== undefined) q.set("site", String(site));
  if (layers && layers.size) q.set("layers", [...layers].sort().join(","));
  if (patrol && patrol.plan !== null && patrol.plan !== undefined) {
    q.set("plan", String(patrol.plan));
    if (patrol.day) q.set("day", String(patrol.day));
    if (patrol.hidden && patrol.hidden.length) q.set("hide", [...patrol.hidden].sort((a, b) => a - b).join(","));
  }
  if (view) q.set("view", `${view.lat.toFixed(5)},${view.lon.toFixed(5)},${view.zoom}`);
  return `#${q.toString().replace(/%2C/g, ",")}`;
}

/** Put a link in the address bar: push (a step the back button returns to) or replace (a map pan). */
export function writeLink(link, { push }) {
  const hash = currentLink(link);
  if (hash === location.hash) return;
  const url = `${location.pathname}${location.search}${hash}`;
  if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
}
