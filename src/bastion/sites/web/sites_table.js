/* The region's sites as a table beside the map: sort, filter, CSV export of what is shown; a row selects its site
 * on the map, a site selected on the map marks its row. Opened from the sidebar ("Sites table").
 *   GET {api}/sites?region_id={id} (every page) */
import { getAllItems } from "./util.js";
import { dataTable, tableDrawer } from "./table.js";
import { categoryName, fmtNumber, kindName, t } from "./i18n.js";

export function register(ctx) {
  const st = { region: null, selected: null };
  const table = dataTable({
    id: "sites-table",
    caption: () => t("sites.table_caption", { region: st.region ? st.region.name : "" }),
    rowId: (r) => r.id,
    onSelect: (id) => ctx.selectSite?.(id),
    exportName: () => `sites-${st.region ? st.region.name : ""}`,
    columns: [
      { key: "name", label: () => t("sites.col_name"), value: (r) => r.name || "", text: (r) => r.name || kindName(r.kind) },
      { key: "category", label: () => t("sites.col_category"), value: (r) => r.category, text: (r) => categoryName(r.category) },
      { key: "kind", label: () => t("sites.col_kind"), value: (r) => r.kind, text: (r) => kindName(r.kind) },
      { key: "capacity", label: () => t("sites.col_capacity"), value: (r) => r.capacity, numeric: true,
        text: (r) => (r.capacity === null || r.capacity === undefined ? "" : fmtNumber(r.capacity)) },
      { key: "operator", label: () => t("sites.col_operator"), value: (r) => r.operator_agency || "" },
    ],
  });
  const drawer = tableDrawer({
    id: "sites-workspace",
    openLabel: () => t("sites.table_open"),
    heading: () => t("sites.table_heading", { region: st.region ? st.region.name : "" }),
    onOpen: load,
  });
  const status = document.createElement("p");
  status.className = "muted";
  status.setAttribute("role", "status");
  drawer.setBody(status, table.element);

  async function load() {
    if (!st.region) return; // read afresh at each opening: edits made meanwhile show
    const id = st.region.id;
    status.textContent = t("status.loading");
    try {
      const rows = await getAllItems(`${ctx.api}/sites?region_id=${encodeURIComponent(id)}`);
      if (!st.region || st.region.id !== id) return;
      table.setRows(rows);
      table.select(st.selected);
      status.textContent = "";
    } catch (err) {
      status.textContent = t("status.error", { message: err.message });
    }
  }

  function render() {
    drawer.setVisible(Boolean(st.region));
    drawer.refreshText();
    table.refreshText();
  }
  render();

  return {
    setRegion(r) { st.region = r; table.setRows([]); render(); if (drawer.isOpen()) load(); },
    refreshText: render,
    siteSelected(id) { st.selected = id; table.select(id); },
  };
}
