// Copy the map libraries' built files from node_modules into the package's static folder,
// so the app serves them itself (no CDN; the page works offline).
// Run after `npm ci`:  npm run vendor
// Output: src/bastion/platform/web/static/vendor/{leaflet,leaflet.markercluster,swagger-ui-dist,chart.js}/ and
// tests/web/vendor/axe-core/ (test-only), both gitignored.
import { copyFileSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const target = resolve(here, "..", "src", "bastion", "platform", "web", "static", "vendor");

const files = {
  leaflet: [
    "dist/leaflet.js",
    "dist/leaflet.js.map",
    "dist/leaflet.css",
    "dist/images/layers.png",
    "dist/images/layers-2x.png",
    "dist/images/marker-icon.png",
    "dist/images/marker-icon-2x.png",
    "dist/images/marker-shadow.png",
    "LICENSE",
  ],
  "leaflet.markercluster": [
    "dist/leaflet.markercluster.js",
    "dist/leaflet.markercluster.js.map",
    "dist/MarkerCluster.css",
    "dist/MarkerCluster.Default.css",
    "MIT-LICENCE.txt",
  ],
  // the API docs page (/docs): served locally like the map libraries, under the strict CSP
  "swagger-ui-dist": [
    "swagger-ui-bundle.js",
    "swagger-ui.css",
    "favicon-32x32.png",
    "LICENSE",
    "NOTICE",
  ],
  // the region dashboard's charts (a UMD build: a classic script, global Chart)
  "chart.js": [
    "dist/chart.umd.min.js",
    "LICENSE.md",
  ],
};

// Test-only: axe-core (MPL-2.0) is injected by the Playwright accessibility test, never served by the app.
const testFiles = {
  "axe-core": ["axe.min.js", "LICENSE"],
};
const testTarget = resolve(here, "..", "tests", "web", "vendor");

rmSync(target, { recursive: true, force: true });
rmSync(testTarget, { recursive: true, force: true });
let copied = 0;
for (const [pkg, list, dir] of [
  ...Object.entries(files).map(([p, l]) => [p, l, target]),
  ...Object.entries(testFiles).map(([p, l]) => [p, l, testTarget]),
]) {
  for (const rel of list) {
    const src = join(modules, pkg, rel);
    if (!existsSync(src)) {
      console.error(`copy-vendor: missing ${src}; run "npm ci" in frontend/ first`);
      process.exit(1);
    }
    // Keep the dist/ layout flat so leaflet.css finds images/ next to it.
    const dest = join(dir, pkg, rel.replace(/^dist\//, ""));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(src, dest);
    copied += 1;
  }
}
console.log(`copy-vendor: ${copied} files -> ${target}`);
