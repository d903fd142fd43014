/* Bastion map page: a small data table beside the map — sort by any column (click its header; aria-sort), filter
 * by text, export what is shown as CSV, and row ↔ map selection (`onSelect(id)` on a row click or Enter;
 * `select(id)` marks the row of the site selected on the map). DOM only (textContent), no library: see
 * docs/adr/0005-web-workflows.md.
 *   const tbl = dataTable({ id, caption, columns: [{ key, label, value(row), text(row), numeric }], rowId, onSelect,
 *                           exportName, selectId });  tbl.setRows(rows); tbl.select(id); tbl.element
 * `selectId(row)` (default rowId) is what a row selects and what marks it: several rows of one site (its vehicle
 * approaches) all mark when the site is selected on the map.
 *   const d = tableDrawer({ id, openLabel, heading, onOpen }) — a drawer beside the map opened from a sidebar
 *   button (Escape closes it): d.setBody(...nodes), d.setVisible(bool), d.refreshText(), d.isOpen() */
import { h } from "./util.js";
import { fmtNumber, t } from "./i18n.js";

/** A CSV cell: quoted when needed; a leading = + - @ is defused (spreadsheet formula injection, as kernel/csvsafe). */
export function csvCell(v) {
  let s = v === null || v === undefined ? "" : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function dataTable({ id, caption, columns, rowId, onSelect, exportName, selectId = rowId }) {
  const st = { rows: [], sortKey: null, desc: false, query: "", selected: null };
  const filter = h("input", { type: "search", id: `${id}-filter`, class: "table-filter", autocomplete: "off" });
  const count = h("span", { class: "table-count muted", role: "status" });
  const exportBtn = h("button", { type: "button", class: "table-export", id: `${id}-export` });
  const thead = h("thead");
  const tbody = h("tbody");
  const cap = h("caption", {});
  const table = h("table", { class: "data-table", id }, cap, thead, tbody);
  const filterLabel = h("label", { for: filter.id });
  const element = h("div", { class: "data-table-box" },
    h("div", { class: "table-tools" }, filterLabel, filter, count, exportBtn), h("div", { class: "table-scroll" }, table));
  filter.addEventListener("input", () => { st.query = filter.value.trim().toLowerCase(); renderBody(); });
  exportBtn.addEventListener("click", () => exportCsv());

  const textOf = (c, row) => (c.text ? c.text(row) : String(c.value(row) ?? ""));

  function shown() {
    let rows = st.rows;
    if (st.query) rows = rows.filter((r) => columns.some((c) => textOf(c, r).toLowerCase().includes(st.query)));
    if (st.sortKey) {
      const c = columns.find((x) => x.key === st.sortKey);
      const sign = st.desc ? -1 : 1;
      rows = rows.slice().sort((a, b) => {
        const x = c.value(a), y = c.value(b);
        if (x === y) return 0;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (c.numeric ? x - y : String(x).localeCompare(String(y))) * sign;
      });
    }
    return rows;
  }

  function renderHead() {
    cap.textContent = caption();
    filterLabel.textContent = t("table.filter");
    exportBtn.textContent = t("table.export_csv");
    thead.replaceChildren(h("tr", {}, columns.map((c) => h("th", {
      scope: "col", "aria-sort": st.sortKey === c.key ? (st.desc ? "descending" : "ascending") : null,
      class: c.numeric ? "num" : null,
    }, h("button", { type: "button", class: "sort-button", "data-sort": c.key, onclick: () => sortBy(c.key) }, c.label())))));
  }

  function renderBody() {
    const rows = shown();
    count.textContent = t("table.count", { shown: fmtNumber(rows.length), total: fmtNumber(st.rows.length) });
    tbody.replaceChildren(...rows.map((r) => {
      const rid = rowId(r);
      const sid = selectId(r);
      const on = st.selected !== null && sid === st.selected;
      const tr = h("tr", { tabindex: "0", "data-row-id": String(rid), "data-select-id": String(sid),
        class: on ? "is-selected" : null, "aria-selected": on ? "true" : "false" },
      columns.map((c) => h("td", { class: c.numeric ? "num" : null }, textOf(c, r))));
      tr.addEventListener("click", () => onSelect?.(sid));
      tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") onSelect?.(sid); });
      return tr;
    }));
  }

  function sortBy(key) {
    if (st.sortKey === key) st.desc = !st.desc; else { st.sortKey = key; st.desc = false; }
    renderHead();
    renderBody();
  }

  function exportCsv() {
    const lines = [columns.map((c) => csvCell(c.label())).join(",")];
    for (const r of shown()) lines.push(columns.map((c) => csvCell(c.value(r))).join(","));
    const blob = new Blob([`\ufeff${lines.join("\r\n")}\r\n`], { type: "text/csv;charset=utf-8" });
    const a = h("a", { href: URL.createObjectURL(blob), download: `${exportName()}.csv`, hidden: true });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  return {
    element,
    setRows(rows) { st.rows = rows || []; renderHead(); renderBody(); },
    refreshText() { renderHead(); renderBody(); },
    select(rid) {
      st.selected = rid ?? null;
      let first = true;
      for (const tr of tbody.querySelectorAll("tr")) {
        const on = rid !== null && rid !== undefined && tr.dataset.selectId === String(rid);
        tr.classList.toggle("is-selected", on);
        tr.setAttribute("aria-selected", on ? "true" : "false");
        if (on && first) { tr.scrollIntoView({ block: "nearest" }); first = false; }
      }
    },
  };
}

/** A drawer beside the map, opened and closed from a sidebar button (`#${id}-open`); `onOpen()` loads its data. */
export function tableDrawer({ id, openLabel, heading, onOpen }) {
  const st = { open: false, visible: false };
  const button = h("button", { type: "button", id: `${id}-open`, class: "link-button", hidden: true,
    "aria-expanded": "false", onclick: () => toggle(!st.open) }, "");
  document.getElementById("sidebar")?.append(h("p", { class: "table-entry" }, button));
  const title = h("h3", {});
  const close = h("button", { type: "button", class: "tb-close", onclick: () => toggle(false) });
  const body = h("div", { class: "drawer-body" });
  const drawer = h("section", { id, class: "workspace-drawer", hidden: true, tabindex: "-1", role: "dialog",
    "aria-modal": "false", "aria-labelledby": `${id}-title` }, h("header", { class: "tb-head" }, title, close), body);
  title.id = `${id}-title`;
  document.body.append(drawer);
  // Escape closes the drawer only (the selected site's panel stays open)
  drawer.addEventListener("keydown", (ev) => { if (ev.key === "Escape") { ev.stopPropagation(); toggle(false); } });

  function toggle(open) {
    st.open = open && st.visible;
    drawer.hidden = !st.open;
    button.setAttribute("aria-expanded", String(st.open));
    if (st.open) { onOpen(); drawer.focus(); } else if (open === false) button.focus();
  }
  function refreshText() {
    button.textContent = openLabel();
    title.textContent = heading();
    close.textContent = t("table.close");
  }
  refreshText();
  return {
    setBody(...nodes) { body.replaceChildren(...nodes); },
    setVisible(v) { st.visible = v; button.hidden = !v; if (!v && st.open) toggle(false); },
    refreshText,
    isOpen: () => st.open,
    close: () => toggle(false),
  };
}
