/* Incident board, map and timeline. Talks only to our own server:
 *   GET {api}/incident-board, {api}/incident-board/stream (Server-Sent Events: "something changed"),
 *   GET {api}/incidents/{id}/timeline, {api}/incidents/{id}/cordon,
 *   GET/PUT/DELETE {api}/incidents/{id}/sitrep-schedule, GET {api}/incidents/{id}/sitreps
 * Incidents hold counts, places and call signs, never people. DOM built with textContent (strict CSP). */

/* global L */

const POLL_FALLBACK_MS = 5000;

export function register({ map, api, t, h, getJSON, sendJSON, can }) {
  const sidebar = document.getElementById("sidebar");
  if (!sidebar || !map) return null;
  const section = h("section", { class: "incidents", id: "incidents-board", "aria-labelledby": "incidents-heading" },
    h("h2", { id: "incidents-heading" }, t("incidents.heading")),
    h("p", { class: "incidents-status", id: "incidents-status", role: "status" }),
    h("ol", { class: "incidents-list", id: "incidents-list" }),
    h("h3", { id: "incidents-timeline-heading", hidden: true }, t("incidents.timeline")),
    h("label", { class: "incidents-replay", id: "incidents-replay-label", hidden: true },
      h("span", { id: "incidents-replay-text" }, t("incidents.replay")),
      h("input", { type: "range", id: "incidents-replay", min: "1", max: "1", value: "1",
        "aria-describedby": "incidents-replay-caption" })),
    h("p", { class: "incidents-replay-caption", id: "incidents-replay-caption", "aria-live": "polite" }),
    h("ol", { class: "incidents-timeline", id: "incidents-timeline" }),
    sitrepSection());
  sidebar.prepend(section);
  const layer = L.layerGroup().addTo(map);
  const replayLayer = L.layerGroup().addTo(map);
  const state = { rows: [], selected: null, changes: -1, source: null, timer: null, frames: [] };
  const $ = (id) => document.getElementById(id);

  /* situation reports of the selected incident: its schedule (set by a commander) and the reports made */
  function sitrepSection() {
    const every = h("input", { type: "number", id: "sitrep-every", min: "5", max: "1440", step: "1", value: "30" });
    const times = h("input", { type: "text", id: "sitrep-times", placeholder: "06:00,18:00", autocomplete: "off" });
    const lang = h("select", { id: "sitrep-lang" }, h("option", { value: "en" }, "English"),
      h("option", { value: "zh-CN" }, "中文"));
    const form = h("form", { id: "sitrep-form", class: "sitrep-form", hidden: true },
      h("label", null, h("span", { id: "sitrep-every-label" }, t("incidents.sitreps.every_label")), " ", every),
      h("label", null, h("span", { id: "sitrep-times-label" }, t("incidents.sitreps.times_label")), " ", times),
      h("label", null, h("span", { id: "sitrep-lang-label" }, t("incidents.sitreps.lang_label")), " ", lang),
      h("button", { type: "submit", id: "sitrep-set" }, t("incidents.sitreps.set")),
      h("button", { type: "button", id: "sitrep-stop" }, t("incidents.sitreps.stop")));
    form.addEventListener("submit", (ev) => { ev.preventDefault(); saveSchedule(); });
    form.querySelector("#sitrep-stop").addEventListener("click", stopSchedule);
    return h("div", { id: "incidents-sitreps", hidden: true },
      h("h3", { id: "sitreps-heading" }, t("incidents.sitreps.heading")),
      h("p", { id: "sitrep-schedule", role: "status" }),
      form,
      h("p", { id: "sitrep-error", role: "alert" }),
      h("ol", { id: "sitrep-list", class: "sitrep-list" }));
  }

  function showSchedule(s) {
    const next = s.next_due_at ? s.next_due_at.slice(11, 16) : "";
    const langName = s.lang === "zh-CN" ? "中文" : "English";
    $("sitrep-schedule").textContent = !s.active ? t("incidents.sitreps.schedule_none")
      : s.interval_min ? t("incidents.sitreps.schedule_every", { n: s.interval_min, lang: langName, next })
        : t("incidents.sitreps.schedule_at", { times: (s.times_utc || []).join(", "), lang: langName, next });
  }

  function showReports(items) {
    $("sitrep-list").replaceChildren(...(items.length ? items.map((r) => h("li", { class: "sitrep-row",
      "data-sitrep": String(r.id) },
    t("incidents.sitreps.row", { n: r.report_no, time: r.generated_at.slice(11, 16),
      casualties: r.counts.casualties_total, units: r.counts.units_committed }), " ",
    h("a", { href: r.html_url, target: "_blank", rel: "noopener", class: "sitrep-html" }, "HTML"), " ",
    r.pdf_url ? h("a", { href: r.pdf_url, download: `incident-${r.incident_id}-sitrep-${r.report_no}.pdf`,
      class: "sitrep-pdf" }, "PDF") : ""))
      : [h("li", { class: "sitrep-none" }, t("incidents.sitreps.none"))]));
  }

  async function loadSitreps(id) {
    $("incidents-sitreps").hidden = false;
    $("sitrep-form").hidden = !can("incident:command");
    const [sched, reps] = await Promise.allSettled([getJSON(`${api}/incidents/${id}/sitrep-schedule`),
      getJSON(`${api}/incidents/${id}/sitreps?limit=100`)]);
    if (sched.status === "fulfilled") showSchedule(sched.value);
    showReports(reps.status === "fulfilled" ? reps.value.items : []);
  }

  async function saveSchedule() {
    const id = state.selected;
    const timesText = $("sitrep-times").value.trim();
    const body = timesText ? { times_utc: timesText.split(",").map((x) => x.trim()).filter(Boolean) }
      : { interval_min: Number($("sitrep-every").value) };
    body.lang = $("sitrep-lang").value;
    $("sitrep-error").textContent = "";
    try {
      showSchedule(await sendJSON("PUT", `${api}/incidents/${id}/sitrep-schedule`, body));
    } catch (err) {
      $("sitrep-error").textContent = t("incidents.sitreps.error", { message: err.message });
    }
  }

  async function stopSchedule() {
    const id = state.selected;
    $("sitrep-error").textContent = "";
    try {
      await sendJSON("DELETE", `${api}/incidents/${id}/sitrep-schedule`);
      await loadSitreps(id);
    } catch (err) {
      $("sitrep-error").textContent = t("incidents.sitreps.error", { message: err.message });
    }
  }

  function elapsed(s) {
    const m = Math.floor(s / 60);
    return m < 60 ? t("incidents.minutes", { m }) : t("incidents.hours", { h: Math.floor(m / 60), m: m % 60 });
  }

  function drawMap() {
    layer.clearLayers();
    for (const r of state.rows) {
      const inc = r.incident;
      const colour = inc.severity === "extreme" || inc.severity === "severe" ? "#c62828" : "#ef6c00";
      L.circleMarker([inc.lat, inc.lon], { radius: 9, color: colour, weight: 3, fillOpacity: 0.6,
        className: `incident-marker incident-${inc.id}` })
        .on("click", () => select(inc.id)).addTo(layer);
    }
  }

  function renderBoard() {
    const list = $("incidents-list");
    list.replaceChildren(...state.rows.map((r) => {
      const inc = r.incident;
      const li = h("li", { class: "incident-row", "data-incident": String(inc.id) },
        h("button", { type: "button", class: "incident-open", onclick: () => select(inc.id) },
          h("strong", null, `#${inc.id} ${inc.title}`)),
        h("div", { class: "incident-meta" },
          t("incidents.row", { type: t(`incidents.type.${inc.incident_type}`, null, inc.incident_type),
            severity: t(`incidents.severity.${inc.severity}`, null, inc.severity), units: r.units_committed,
            casualties: r.casualties_total, elapsed: elapsed(r.elapsed_s) })));
      if (inc.mode !== "real") li.append(h("span", { class: "incident-mode" }, t(`incidents.mode.${inc.mode}`)));
      return li;
    }));
    $("incidents-status").textContent = state.rows.length ? t("incidents.count", { n: state.rows.length })
      : t("incidents.none");
  }

  /* replay: the incident's state after timeline entry n (units at their reported positions, the cordon then) */
  function showFrame(n) {
    replayLayer.clearLayers();
    const f = state.frames[n - 1];
    if (!f) return;
    const entry = (state.entries || []).find((e) => e.seq === f.seq);
    $("incidents-replay-caption").textContent = t("incidents.replay_frame", { seq: f.seq,
      time: f.at.slice(11, 19), text: entry ? entryText(entry) : f.text });
    const inc = state.rows.find((r) => r.incident.id === state.selected);
    for (const u of Object.values(f.units)) {
      if (u.lon === null || u.lat === null) continue;
      L.circleMarker([u.lat, u.lon], { radius: 6, color: "#1565c0", weight: 2, fillOpacity: 0.8,
        className: "replay-unit" }).addTo(replayLayer);
    }
    if (f.cordon && f.cordon.active && inc) {
      L.circle([inc.incident.lat, inc.incident.lon], { radius: f.cordon.inner_m, color: "#6a1b9a", weight: 1,
        dashArray: "4 4", fill: false, className: "replay-cordon" }).addTo(replayLayer);
    }
  }

  /* a server-made timeline entry in the page's language, from its kind and details (as render.entry_text words
   * it for the reports); notes and unknown kinds as written (people's words are never machine-translated) */
  function entryText(e) {
    const d = e.details || {};
    const row = state.rows.find((r) => r.incident.id === state.selected);
    const after = (sep) => (e.text.includes(sep) ? e.text.slice(e.text.indexOf(sep) + sep.length) : e.text);
    if (e.kind === "created" && row) {
      const inc = row.incident;
      return t("incidents.entry.created", { mode: t(`incidents.mode.${inc.mode}`, null, inc.mode),
        type: t(`incidents.type.${inc.incident_type}`, null, inc.incident_type),
        severity: t(`incidents.severity.${d.severity || inc.severity}`, null, d.severity || inc.severity),
        title: after("): ") });
    }
    if (e.kind === "updated") {
      const fields = Object.keys(d.changes || {}).map((k) => t(`incidents.field.${k}`, null, k));
      return t("incidents.entry.updated", { fields: fields.join(t("incidents.sitrep.list_sep", null, ", "))
        || t("incidents.entry.nothing") });
    }
    if (e.kind === "unit_status" && d.call_sign) {
      if (d.from === d.to) return t("incidents.entry.position", { call_sign: d.call_sign });
      return t("incidents.entry.unit_status", { call_sign: d.call_sign,
        from: t(`incidents.status.${d.from}`, null, d.from), to: t(`incidents.status.${d.to}`, null, d.to) });
    }
    if (e.kind === "cordon" && d.inner_m !== undefined) {
      if (d.active === false) return t("incidents.entry.cordon_lifted");
      return t("incidents.entry.cordon", { inner: Number(d.inner_m).toFixed(0), outer: Number(d.outer_m).toFixed(0) });
    }
    if (e.kind === "warning") {
      const key = d.state === "published" ? "warning_published" : "warning_draft";
      return t(`incidents.entry.${key}`, { headline: after(": ") });
    }
    if (e.kind === "closed") return t("incidents.entry.closed", { n: (d.tasks || []).length });
    if (e.kind === "sitrep") {
      if (d.event === "scheduled") {
        const rule = d.interval_min ? t("incidents.sched.every", { n: d.interval_min })
          : t("incidents.sched.at", { times: (d.times_utc || []).join(", ") });
        return t("incidents.entry.schedule_set", { rule });
      }
      if (d.event === "stopped") return t("incidents.entry.schedule_stopped");
      if (d.event === "generated") return t("incidents.entry.sitrep", { n: d.report_no, lang: d.lang || "en" });
    }
    return e.text;
  }

  async function select(id) {
    state.selected = id;
    const [tl, cordon, frames] = await Promise.allSettled([
      getJSON(`${api}/incidents/${id}/timeline?limit=500`), getJSON(`${api}/incidents/${id}/cordon`),
      getJSON(`${api}/incidents/${id}/replay?limit=500`)]);
    state.frames = frames.status === "fulfilled" ? frames.value.items : [];
    const slider = $("incidents-replay");
    slider.max = String(Math.max(1, state.frames.length));
    slider.value = slider.max;
    $("incidents-replay-label").hidden = !state.frames.length;
    replayLayer.clearLayers();
    $("incidents-replay-caption").textContent = "";
    const items = tl.status === "fulfilled" ? tl.value.items : [];
    state.entries = items;
    $("incidents-timeline-heading").hidden = false;
    $("incidents-timeline").replaceChildren(...items.map((e) => h("li", { class: `timeline-${e.kind}` },
      h("time", { datetime: e.at }, e.at.slice(11, 19)), " ", entryText(e))));
    await loadSitreps(id);
    drawMap();
    if (cordon.status === "fulfilled") {
      const c = cordon.value;
      L.circle([c.lat, c.lon], { radius: c.outer_m, color: "#f9a825", weight: 2, fill: false,
        className: "cordon-outer" }).addTo(layer);
      L.circle([c.lat, c.lon], { radius: c.inner_m, color: "#c62828", weight: 2, fillOpacity: 0.15,
        className: "cordon-inner" }).addTo(layer);
    }
  }

  async function refresh() {
    try {
      const b = await getJSON(`${api}/incident-board`);
      state.rows = b.rows;
      state.changes = b.changes;
      renderBoard();
      drawMap();
      if (state.selected !== null) await select(state.selected);
    } catch (err) {
      $("incidents-status").textContent = t("incidents.error", { message: err.message });
    }
  }

  function listen() {
    if (typeof EventSource === "undefined") {
      state.timer = setInterval(refresh, POLL_FALLBACK_MS);
      return;
    }
    state.source = new EventSource(`${api}/incident-board/stream`);
    state.source.addEventListener("change", (ev) => {
      const { changes } = JSON.parse(ev.data);
      if (changes !== state.changes) refresh();
    });
  }

  $("incidents-replay").addEventListener("input", (ev) => showFrame(Number(ev.target.value)));
  refresh().then(listen);
  return {
    setRegion() { refresh(); },
    refreshText() {
      $("incidents-heading").textContent = t("incidents.heading");
      $("sitreps-heading").textContent = t("incidents.sitreps.heading");
      for (const k of ["every", "times", "lang"]) $(`sitrep-${k}-label`).textContent = t(`incidents.sitreps.${k}_label`);
      $("sitrep-set").textContent = t("incidents.sitreps.set");
      $("sitrep-stop").textContent = t("incidents.sitreps.stop");
      renderBoard();
      if (state.selected !== null) loadSitreps(state.selected);
    },
  };
}
