/* The region's hostile-vehicle approaches as a table beside the map: one row per approach (site, impact speed,
 * energy, run-up, required test speed, status), sort, filter, CSV export of what is shown; a row selects its site
 * on the map and a site selected on the map marks all its approaches. Opened from the sidebar.
 *   GET {api}/regions/{id}/vehicle.geojson?vehicle=..  (approach and entry features, joined by site and rank) */
import { getJSON, h } from "./util.js";
import { dataTable, tableDrawer } from "./table.js";
import { fmtNumber, t } from "./i18n.js";
import { ratingSpeed, VEHICLE_CLASSES } from "./vehicle.js";

/** Approach rows from the layer's features: each approach with its entry point's required rating. */
export function approachRows(fc) {
  const entries = new Map();
  for (const f of fc.features || []) {
    if (f.properties.feature === "entry") entries.set(`${f.properties.site_id}:${f.properties.rank}`, f.properties);
  }
  return (fc.features || []).filter((f) => f.properties.feature === "approach").map((f) => {
    const p = f.properties;
    const e = entries.get(`${p.site_id}:${p.rank}`) || {};
    return { key: `${p.site_id}:${p.rank}`, site_id: p.site_id, site_name: p.site_name || `#${p.site_id}`,
      rank: p.rank, speed: p.impact_speed_kph, energy: p.kinetic_energy_kj, run_up: p.run_up_m,
      need: e.required_rating ? ratingSpeed(e.required_rating) : null, status: p.status };
  });
}

const num = (v, digits = 0) => (v === null || v === undefined ? "" : fmtNumber(v, { maximumFractionDigits: digits }));

export function register(ctx) {
  const st = { region: null, vehicle: VEHICLE_CLASSES[0] || "car", selected: null };
  const table = dataTable({
    id: "approaches-table",
    caption: () => t("vehicle.table_caption", { region: st.region ? st.region.name : "",
      vehicle: t(`vehicle.class.${st.vehicle}`, null, st.vehicle) }),
    rowId: (r) => r.key,
    selectId: (r) => r.site_id,
    onSelect: (id) => ctx.selectSite?.(id),
    exportName: () => `vehicle-approaches-${st.vehicle}-${st.region ? st.region.name : ""}`,
    columns: [
      { key: "site", label: () => t("vehicle.col_site"), value: (r) => r.site_name },
      { key: "rank", label: () => t("vehicle.col_rank"), value: (r) => r.rank, numeric: true },
      { key: "speed", label: () => t("vehicle.col_speed_kph"), value: (r) => r.speed, text: (r) => num(r.speed), numeric: true },
      { key: "energy", label: () => t("vehicle.col_energy_kj"), value: (r) => r.energy, text: (r) => num(r.energy), numeric: true },
      { key: "run_up", label: () => t("vehicle.col_run_up_m"), value: (r) => r.run_up, text: (r) => num(r.run_up), numeric: true },
      { key: "need", label: () => t("vehicle.col_need_kph"), value: (r) => r.need },
      { key: "status", label: () => t("vehicle.col_status"), value: (r) => r.status,
        text: (r) => t(`vehicle.status.${r.status}`, null, r.status) },
    ],
  });
  const vehicleSel = h("select", { id: "approaches-vehicle" });
  vehicleSel.addEventListener("change", () => { st.vehicle = vehicleSel.value; load(); });
  const vehicleLabel = h("label", { for: "approaches-vehicle" });
  const status = h("p", { class: "muted", role: "status" });
  const drawer = tableDrawer({
    id: "approaches-workspace",
    openLabel: () => t("vehicle.table_open"),
    heading: () => t("vehicle.table_heading", { region: st.region ? st.region.name : "" }),
    onOpen: load,
  });
  drawer.setBody(h("div", { class: "table-tools" }, vehicleLabel, vehicleSel), status, table.element);

  async function load() {
    if (!st.region) return;
    const id = st.region.id;
    const vehicle = st.vehicle;
    status.textContent = t("status.loading");
    try {
      const fc = await getJSON(`${ctx.api}/regions/${encodeURIComponent(id)}/vehicle.geojson?vehicle=${encodeURIComponent(vehicle)}`);
      if (!st.region || st.region.id !== id || st.vehicle !== vehicle) return;
      const rows = approachRows(fc);
      table.setRows(rows);
      table.select(st.selected);
      status.textContent = rows.length ? "" : t("vehicle.table_empty", { region: st.region.name });
    } catch (err) {
      status.textContent = t("status.error", { message: err.message });
    }
  }

  function render() {
    drawer.setVisible(Boolean(st.region) && ctx.can("site:sensitive_read"));
    drawer.refreshText();
    vehicleLabel.textContent = t("vehicle.table_vehicle");
    vehicleSel.replaceChildren(...VEHICLE_CLASSES.map((v) => h("option", { value: v, selected: v === st.vehicle || null },
      t(`vehicle.class.${v}`, null, v))));
    table.refreshText();
  }
  render();

  return {
    setRegion(r) { st.region = r; table.setRows([]); render(); if (drawer.isOpen()) load(); },
    refreshText: render,
    permissionsChanged: render,
    siteSelected(id) { st.selected = id; table.select(id); },
  };
}
