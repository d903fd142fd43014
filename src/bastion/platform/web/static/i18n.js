/* Bastion map page: the translation layer. Every visible string goes through t(key, params).
   Translations are flat JSON files served at {i18n_base}/{lang}.json; English is the fallback. */
import { getJSON, humanise } from "./util.js";

const current = { lang: "en", dict: {}, fallback: {} };

/** The language in use ("en" or "zh-CN"). */
export const lang = () => current.lang;

export const LANGS = ["en", "zh-CN"];

export const LS_LANG = "bastion.lang";

/** Translate key; {name} placeholders filled from params; fallback: English, then `otherwise`, then key. */
export function t(key, params, otherwise) {
  let s = current.dict[key];
  if (s === undefined) s = current.fallback[key];
  if (s === undefined) s = otherwise !== undefined ? otherwise : key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, p) => (p in params ? String(params[p]) : m));
  return s;
}

export const categoryName = (cat) => t(`category.${cat}`, null, humanise(cat));

export const kindName = (kind) => t(`kind.${kind}`, null, humanise(kind));

export const siteName = (p) => p.name || t("results.unnamed", { kind: kindName(p.kind) });

export const fmtNumber = (n, opts) => new Intl.NumberFormat(current.lang, opts).format(n);

export function formatDate(iso) {
  const date = new Date(iso);
  if (isNaN(date)) return String(iso);
  return new Intl.DateTimeFormat(current.lang, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function pickInitialLanguage() {
  const fromUrl = new URLSearchParams(location.search).get("lang");
  if (LANGS.includes(fromUrl)) return fromUrl;
  let stored = null;
  try { stored = localStorage.getItem(LS_LANG); } catch (_) { /* storage disabled */ }
  if (LANGS.includes(stored)) return stored;
  const fromServer = document.body.dataset.defaultLang;
  return LANGS.includes(fromServer) ? fromServer : null;
}

export async function loadLanguage(lang, base) {
  const wanted = [getJSON(`${base}/${lang}.json`)];
  if (lang !== "en" && !Object.keys(current.fallback).length) wanted.push(getJSON(`${base}/en.json`));
  const [dict, en] = await Promise.all(wanted);
  current.dict = dict;
  if (lang === "en") current.fallback = dict;
  else if (en) current.fallback = en;
  current.lang = lang;
  document.documentElement.lang = lang;
}

export function applyStaticTranslations(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of node.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
  document.title = `${t("app.title")} · ${t("app.subtitle")}`;
}
