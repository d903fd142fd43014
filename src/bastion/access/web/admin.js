/* Administration in the page (user:admin; the audit part needs audit:read): agencies, user accounts (create,
 * disable / enable), grants (role over a region or every region; revoke), and the audit log (verify the hash chain,
 * export CSV / JSON).
 *   GET/POST {api}/agencies   GET/POST {api}/users   PATCH {api}/users/{id}   POST/DELETE {api}/users/{id}/grants
 *   GET {api}/audit/verify    GET {api}/audit/export?format=csv|json */
import { getAllItems, getJSON, h, readSettings, sendJSON } from "./util.js";
import { can, field, submitForm } from "./forms.js";
import { dataTable } from "./table.js";
import { fmtNumber, t } from "./i18n.js";

const VOC = readSettings().vocabularies || {};
const ROLES = VOC.roles || [];
const AGENCY_KINDS = VOC.agency_kinds || [];

export function register(ctx) {
  const st = { open: false, loaded: false, users: [], agencies: [], regions: [] };
  const button = h("button", { type: "button", id: "admin-open", class: "link-button", hidden: true,
    onclick: () => toggle(!st.open) }, "");
  document.querySelector(".topbar-controls")?.prepend(button);
  const drawer = h("section", { id: "admin", class: "workspace-drawer admin-drawer", hidden: true, tabindex: "-1",
    role: "dialog", "aria-modal": "false" });
  document.body.append(drawer);
  drawer.addEventListener("keydown", (ev) => { if (ev.key === "Escape") toggle(false); });
  const users = dataTable({
    id: "admin-users", caption: () => t("admin.users"), rowId: (u) => u.id, onSelect: (id) => showUser(id),
    exportName: () => "users",
    columns: [
      { key: "login", label: () => t("admin.login"), value: (u) => u.login },
      { key: "name", label: () => t("admin.display_name"), value: (u) => u.display_name },
      { key: "agency", label: () => t("admin.agency"), value: (u) => u.agency_name },
      { key: "status", label: () => t("admin.status"), value: (u) => u.status, text: (u) => t(`admin.status.${u.status}`, null, u.status) },
      { key: "grants", label: () => t("admin.grants"), value: (u) => u.grants.map(grantText).join("; ") },
    ],
  });
  const userBox = h("div", { class: "admin-user", id: "admin-user" });
  const auditBox = h("div", { class: "admin-audit" });

  const grantText = (g) => `${t(`admin.role.${g.role}`, null, g.role)} · ${g.region_name || t("admin.all_regions")}`;

  function toggle(open) {
    st.open = open;
    drawer.hidden = !open;
    if (open) {
      st.loaded = false;
      delete drawer.dataset.loaded;
      drawer.replaceChildren(h("p", { class: "muted" }, t("status.loading")));
      load();
      drawer.focus();
    } else button.focus();
  }

  async function load() {
    try {
      [st.users, st.agencies, st.regions] = await Promise.all([
        getAllItems(`${ctx.api}/users`), getAllItems(`${ctx.api}/agencies`), getAllItems(`${ctx.api}/regions`)]);
    } catch (err) {
      drawer.replaceChildren(h("p", { class: "error", role: "alert" }, err.message));
      return;
    }
    st.loaded = true;
    render();
    drawer.dataset.loaded = "true";
  }

  function agencyForm() {
    const name = h("input", { type: "text", maxlength: "200" });
    const kind = h("select", {}, AGENCY_KINDS.map((k) => h("option", { value: k }, t(`admin.agency_kind.${k}`, null, k))));
    const f = h("form", { class: "admin-form", id: "admin-agency-form", novalidate: true },
      h("h4", {}, t("admin.new_agency")), field("name", t("admin.agency_name"), name), field("kind", t("admin.agency_kind"), kind),
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, t("admin.create"))));
    f.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitForm(f, async () => { await sendJSON("POST", `${ctx.api}/agencies`, { name: name.value, kind: kind.value }); await load(); });
    });
    return f;
  }

  function userForm() {
    const login = h("input", { type: "text", maxlength: "64", autocomplete: "off", spellcheck: "false" });
    const display = h("input", { type: "text", maxlength: "200", autocomplete: "off" });
    const agency = h("select", {}, st.agencies.map((a) => h("option", { value: String(a.id) }, a.name)));
    const password = h("input", { type: "password", maxlength: "200", autocomplete: "new-password" });
    const f = h("form", { class: "admin-form", id: "admin-user-form", novalidate: true },
      h("h4", {}, t("admin.new_user")), field("login", t("admin.login"), login), field("display_name", t("admin.display_name"), display),
      field("agency_id", t("admin.agency"), agency), field("password", t("admin.password"), password),
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, t("admin.create"))));
    f.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitForm(f, async () => {
        const u = await sendJSON("POST", `${ctx.api}/users`, { login: login.value.trim(), display_name: display.value,
          agency_id: Number(agency.value), password: password.value });
        await load();
        showUser(u.id);
      });
    });
    return f;
  }

  function showUser(id) {
    const u = st.users.find((x) => x.id === id);
    users.select(id);
    if (!u) { userBox.replaceChildren(); return; }
    const role = h("select", {}, ROLES.map((r) => h("option", { value: r }, t(`admin.role.${r}`, null, r))));
    const region = h("select", {}, h("option", { value: "" }, t("admin.all_regions")),
      st.regions.map((r) => h("option", { value: String(r.id) }, r.name)));
    const grant = h("form", { class: "admin-form admin-grant-form", novalidate: true },
      field("role", t("admin.role"), role), field("region_id", t("admin.region"), region),
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, t("admin.add_grant"))));
    grant.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitForm(grant, async () => {
        await sendJSON("POST", `${ctx.api}/users/${u.id}/grants`, { role: role.value, region_id: region.value ? Number(region.value) : null });
        await load();
        showUser(u.id);
      });
    });
    const status = h("form", { class: "admin-form", novalidate: true },
      h("button", { type: "submit", class: "admin-status-toggle" }, u.status === "active" ? t("admin.disable") : t("admin.enable")));
    status.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitForm(status, async () => {
        await sendJSON("PATCH", `${ctx.api}/users/${u.id}`, { status: u.status === "active" ? "disabled" : "active" },
          { etag: u.version });
        await load();
        showUser(u.id);
      });
    });
    userBox.replaceChildren(
      h("h4", {}, `${u.display_name} (${u.login})`),
      h("p", {}, `${u.agency_name} · ${t(`admin.status.${u.status}`, null, u.status)}`),
      h("ul", { class: "admin-grants" }, u.grants.map((g) => h("li", { "data-grant-id": String(g.id) }, grantText(g), " ",
        h("button", { type: "button", class: "link-button grant-revoke", "aria-label": t("admin.revoke_grant", { grant: grantText(g) }),
          onclick: async () => {
            try { await sendJSON("DELETE", `${ctx.api}/users/${u.id}/grants/${g.id}`); await load(); showUser(u.id); }
            catch (err) { ctx.onStatus(err.message, true); }
          } }, t("admin.revoke"))))),
      grant, status);
  }

  function renderAudit() {
    if (!can("audit:read")) { auditBox.replaceChildren(); return; }
    const result = h("p", { id: "audit-verify-result", role: "status" });
    const verify = h("button", { type: "button", id: "audit-verify", onclick: async () => {
      result.textContent = t("status.loading");
      try {
        const r = await getJSON(`${ctx.api}/audit/verify`);
        result.textContent = r.ok ? t("admin.audit_ok", { n: fmtNumber(r.checked) })
          : t("admin.audit_broken", { seq: r.broken_seq, reason: r.reason });
        result.classList.toggle("error", !r.ok);
      } catch (err) { result.textContent = err.message; }
    } }, t("admin.audit_verify"));
    auditBox.replaceChildren(h("h4", {}, t("admin.audit")), verify, result,
      h("p", {}, h("a", { href: `${ctx.api}/audit/export?format=csv`, download: "", id: "audit-csv" }, t("admin.audit_export", { format: "CSV" })),
        " · ", h("a", { href: `${ctx.api}/audit/export?format=json`, download: "", id: "audit-json" }, t("admin.audit_export", { format: "JSON" }))));
  }

  function render() {
    button.hidden = !(can("user:admin") || can("audit:read"));
    button.textContent = t("admin.open");
    if (!st.open || !st.loaded) return; // the forms are built from the loaded lists, never before
    const parts = [h("header", { class: "tb-head" }, h("h3", {}, t("admin.heading")),
      h("button", { type: "button", class: "tb-close", onclick: () => toggle(false) }, t("supervision.close")))];
    if (can("user:admin")) {
      users.setRows(st.users);
      parts.push(users.element, userBox, h("div", { class: "admin-forms" }, userForm(), agencyForm()));
    }
    renderAudit();
    parts.push(auditBox);
    drawer.replaceChildren(...parts);
  }

  return { refreshText() { if (st.open) render(); else button.textContent = t("admin.open"); }, permissionsChanged: render,
    setRegion() { render(); } };
}
