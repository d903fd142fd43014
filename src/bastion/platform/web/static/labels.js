/* Site names written on the map (the page's own labels when no base-map tiles carry any: the no-tiles map draws
 * Bastion's roads, which have no names). From MIN_ZOOM, the names of the sites in view (those the filters show)
 * are drawn on one canvas beside their markers — no DOM node per label, so a region of thousands of sites stays
 * fast; a name that would overlap one already written is left out (a coarse occupancy grid). The canvas is
 * aria-hidden: the same names are in the site list, which is what keyboard and screen-reader users use. */

/* global L */

const MIN_ZOOM = 16;
const MAX_LABELS = 400;
const CELL = 12; // px, occupancy grid

/** features(): the GeoJSON point features to name; name(props) → the text shown. */
export function createSiteLabels(features, name, { pane = "siteLabels" } = {}) {
  const Layer = L.Layer.extend({
    onAdd(map) {
      this._map = map;
      this._canvas = L.DomUtil.create("canvas", "site-labels leaflet-zoom-hide");
      this._canvas.setAttribute("aria-hidden", "true");
      map.getPane(pane).appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      this.redraw();
    },
    onRemove(map) {
      map.off("moveend zoomend resize viewreset", this.redraw, this);
      this._canvas.remove();
      this.count = 0;
    },
    /** Draw again (the view, the filters or the language changed). */
    redraw() {
      const map = this._map;
      if (!map) return;
      const size = map.getSize();
      const ratio = window.devicePixelRatio || 1;
      const cv = this._canvas;
      cv.width = Math.round(size.x * ratio); cv.height = Math.round(size.y * ratio);
      cv.style.width = `${size.x}px`; cv.style.height = `${size.y}px`;
      L.DomUtil.setPosition(cv, map.containerPointToLayerPoint([0, 0]));
      const ctx = cv.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      this.count = 0;
      if (map.getZoom() < MIN_ZOOM) return;
      ctx.font = "600 12px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.95)";
      ctx.fillStyle = "#1d1d1f";
      const taken = new Set();
      const bounds = map.getBounds().pad(0.05);
      for (const f of features()) {
        if (this.count >= MAX_LABELS) break;
        const c = f.geometry && f.geometry.type === "Point" ? f.geometry.coordinates : null;
        if (!c || !bounds.contains([c[1], c[0]])) continue;
        const text = name(f.properties || {});
        if (!text) continue;
        const p = map.latLngToContainerPoint([c[1], c[0]]);
        const x = p.x + 11; const y = p.y;
        const w = ctx.measureText(text).width;
        const cells = [];
        for (let gx = Math.floor(x / CELL); gx <= Math.floor((x + w) / CELL); gx++) {
          for (let gy = Math.floor((y - 8) / CELL); gy <= Math.floor((y + 8) / CELL); gy++) cells.push(`${gx},${gy}`);
        }
        if (cells.some((k) => taken.has(k))) continue;
        for (const k of cells) taken.add(k);
        ctx.strokeText(text, x, y);
        ctx.fillText(text, x, y);
        this.count += 1;
      }
      map.getContainer().dataset.siteLabels = String(this.count);
    },
  });
  const layer = new Layer();
  layer.count = 0;
  return layer;
}
