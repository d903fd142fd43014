/* The base road network as one canvas layer (no tiles needed), drawn in slices so that a region of Porto's size
 * (84k road pieces, 148k directed edges) never freezes the page: coordinates are projected to Web Mercator once
 * (Float64Array, 0..1), each redraw draws only the pieces in view, casing then fill per road class, ≤ SLICE
 * pieces per animation frame; minor roads are left out below MINOR_ZOOM when the network is large. Leaflet's
 * default SVG renderer makes one DOM node per piece (and its canvas renderer one object with its own hit
 * testing): both block the main thread for seconds on such networks (bench/web_first_render.py). */

/* global L */

const SLICE = 6000; // road pieces per frame
const MINOR_ZOOM = 14; // below this zoom, unclassified/residential/service roads are skipped on large networks
const LARGE = 20000; // pieces

/** fc: GeoJSON FeatureCollection of LineStrings; style(highway) → [casing width, fill width, fill colour]. */
export function createRoadLayer(fc, style, { pane = "roads", casing = "#b9b2a5" } = {}) {
  const feats = (fc.features || []).filter((f) => f.geometry && f.geometry.type === "LineString");
  const groups = new Map(); // style key → {st, items: [{xy, bbox}]}
  for (const f of feats) {
    const st = style(f.properties && f.properties.highway);
    const key = st.join("|");
    if (!groups.has(key)) groups.set(key, { st, items: [], minor: st[0] <= 3 });
    const c = f.geometry.coordinates;
    const xy = new Float64Array(c.length * 2);
    let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
    for (let i = 0; i < c.length; i++) {
      const x = (c[i][0] + 180) / 360;
      const s = Math.sin((Math.max(-85.05, Math.min(85.05, c[i][1])) * Math.PI) / 180);
      const y = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
      xy[2 * i] = x; xy[2 * i + 1] = y;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    groups.get(key).items.push({ xy, bbox: [x0, y0, x1, y1] });
  }
  const ordered = [...groups.values()].sort((a, b) => a.st[0] - b.st[0]); // thin roads under wide ones
  const large = feats.length > LARGE;

  const Layer = L.Layer.extend({
    onAdd(map) {
      this._map = map;
      this._canvas = L.DomUtil.create("canvas", "road-canvas leaflet-zoom-hide");
      this._canvas.setAttribute("aria-hidden", "true");
      map.getPane(pane).appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this._reset, this);
      this._reset();
    },
    onRemove(map) {
      map.off("moveend zoomend resize viewreset", this._reset, this);
      if (this._job) cancelAnimationFrame(this._job);
      this._canvas.remove();
    },
    /** Resolves when the current view is fully drawn. */
    drawn() { return this._done || Promise.resolve(); },
    _reset() {
      const map = this._map;
      const size = map.getSize();
      const ratio = window.devicePixelRatio || 1;
      const cv = this._canvas;
      cv.width = Math.round(size.x * ratio); cv.height = Math.round(size.y * ratio);
      cv.style.width = `${size.x}px`; cv.style.height = `${size.y}px`;
      L.DomUtil.setPosition(cv, map.containerPointToLayerPoint([0, 0]));
      const ctx = cv.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      ctx.lineCap = "round"; ctx.lineJoin = "round";
      const zoom = map.getZoom();
      const world = 256 * 2 ** zoom;
      const origin = map.getPixelBounds().min;
      const pad = 8 / world;
      const v = [origin.x / world - pad, origin.y / world - pad, (origin.x + size.x) / world + pad,
        (origin.y + size.y) / world + pad];
      const passes = [];
      for (const pass of [0, 1]) {
        for (const g of ordered) {
          if (large && g.minor && zoom < MINOR_ZOOM) continue;
          passes.push({ g, pass });
        }
      }
      if (this._job) cancelAnimationFrame(this._job);
      let resolve;
      this._done = new Promise((r) => { resolve = r; });
      let p = 0; let i = 0;
      const step = () => {
        let budget = SLICE;
        while (p < passes.length && budget > 0) {
          const { g, pass } = passes[p];
          ctx.strokeStyle = pass === 0 ? casing : g.st[2];
          ctx.lineWidth = pass === 0 ? g.st[0] : g.st[1];
          ctx.beginPath();
          for (; i < g.items.length && budget > 0; i++, budget--) {
            const { xy, bbox } = g.items[i];
            if (bbox[2] < v[0] || bbox[0] > v[2] || bbox[3] < v[1] || bbox[1] > v[3]) continue;
            ctx.moveTo(xy[0] * world - origin.x, xy[1] * world - origin.y);
            for (let k = 2; k < xy.length; k += 2) ctx.lineTo(xy[k] * world - origin.x, xy[k + 1] * world - origin.y);
          }
          ctx.stroke();
          if (i >= g.items.length) { p += 1; i = 0; }
        }
        if (p < passes.length) this._job = requestAnimationFrame(step);
        else { this._job = null; resolve(); }
      };
      step();
    },
  });
  const layer = new Layer();
  layer.featureCount = feats.length;
  return layer;
}
