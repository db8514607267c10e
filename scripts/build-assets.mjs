// Builds the front-end files Django serves from shire/core/static/shire/:
//   shire.css              assets/shire.scss compiled (GOV.UK Frontend with the council's settings)
//   govuk-frontend.min.js  GOV.UK Frontend's ES module (imported by shire.js), with its source map
//   assets/...             every image or font that shire.css refers to, and nothing else
//   axe.min.js             axe-core, injected into pages by the accessibility tests
// Run with `npm run build` after `npm ci`. The outputs are git-ignored.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const out = join(root, "shire", "core", "static", "shire");
const govukDist = join(dirname(require.resolve("govuk-frontend/package.json")), "dist", "govuk");
const axeDir = dirname(require.resolve("axe-core/package.json"));

function fail(message) {
  console.error(`build-assets: ${message}`);
  process.exit(1);
}

mkdirSync(out, { recursive: true });

// 1. Sass. `pkg:govuk-frontend` is resolved through node_modules by Sass's Node package importer.
const source = join(root, "assets", "shire.scss");
let css;
try {
  css = sass.compile(source, {
    style: "compressed",
    sourceMap: false,
    importers: [new sass.NodePackageImporter(root)],
    // GOV.UK Frontend warns about its own deprecated internals; our code's warnings still show.
    quietDeps: true,
  }).css;
} catch (error) {
  fail(`Sass could not compile ${relative(root, source)}:\n${error.message}`);
}
writeFileSync(join(out, "shire.css"), css + "\n");

// 2. The files shire.css refers to. The Sass sets $govuk-assets-path to "assets/", a path
// relative to shire.css, so /static/shire/shire.css finds them under /static/shire/assets/
// whatever STATIC_URL is. Copy exactly those files, and fail if one is missing.
rmSync(join(out, "assets"), { recursive: true, force: true });
const referenced = new Set();
for (const match of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
  const url = match[1];
  if (url.startsWith("data:") || url.startsWith("#")) continue;
  if (!url.startsWith("assets/")) fail(`shire.css refers to ${url}, outside assets/: check $govuk-assets-path`);
  referenced.add(url.split(/[?#]/)[0]);
}
for (const url of referenced) {
  const from = join(govukDist, url);
  if (!existsSync(from)) fail(`shire.css refers to ${url}, which govuk-frontend does not ship`);
  mkdirSync(dirname(join(out, url)), { recursive: true });
  copyFileSync(from, join(out, url));
}

// 3. JavaScript: GOV.UK Frontend's module and axe-core for the tests. The module's last line
// names a source map that we don't ship (a dangling reference breaks Django's manifest
// storage and fills browser consoles with 404s), so that line is dropped.
const govukJs = readFileSync(join(govukDist, "govuk-frontend.min.js"), "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
writeFileSync(join(out, "govuk-frontend.min.js"), govukJs);
copyFileSync(join(axeDir, "axe.min.js"), join(out, "axe.min.js"));

const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`))).version;
console.log(
  `build-assets: shire.css (${(css.length / 1024).toFixed(0)} KiB, ${referenced.size} asset file(s)), ` +
    `govuk-frontend ${version("govuk-frontend")}, axe-core ${version("axe-core")} -> ${relative(root, out)}/`,
);
