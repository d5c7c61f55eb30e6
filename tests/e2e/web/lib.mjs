// lib.mjs: shared helpers of the web page's end-to-end tests.
//
// The tests drive Debian's Chromium (/usr/bin/chromium) through
// playwright-core, installed by `npm ci` from this folder's lock file into
// WEB_E2E_DIR (the build dir; see CMakeLists.txt). They run against the
// ctest stack: BOXOFFICE_TEST_STACK/env names the URL, the mail sink's
// folder and the admin. Screenshots go to WEB_E2E_DIR/screenshots.
import { createRequire } from "node:module";
import { readFileSync, readdirSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

const E2E_DIR = process.env.WEB_E2E_DIR;
if (!E2E_DIR) throw new Error("WEB_E2E_DIR is not set (run through ctest)");
const require = createRequire(join(E2E_DIR, "package.json"));
const { chromium } = require("playwright-core");

export const SHOTS = join(E2E_DIR, "screenshots");
mkdirSync(SHOTS, { recursive: true });

export function stackEnv() {
  const dir = process.env.BOXOFFICE_TEST_STACK;
  if (!dir) throw new Error("BOXOFFICE_TEST_STACK is not set");
  const env = {};
  for (const line of readFileSync(join(dir, "env"), "utf8").split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
  return env;
}
export const ENV = stackEnv();
export const URL = ENV.BOXOFFICE_URL;

export function uniq(n = 4) {
  return randomBytes(n).toString("hex");
}
export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// POST an API route; returns data, throws an Error carrying status and slug.
export async function api(path, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  const res = await fetch(URL + path, { method: "POST", headers, body: JSON.stringify(body || {}) });
  const j = await res.json().catch(() => null);
  if (res.ok && j && j.code === 200) return j.data;
  const e = new Error(`${path}: ${res.status} ${j && j.error} ${JSON.stringify(j && j.data)}`);
  e.status = res.status;
  e.slug = j && j.error;
  e.data = j && j.data;
  throw e;
}

// Poll fn until it returns a truthy value or the deadline passes.
export async function until(what, fn, ms = 10000, every = 100) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ": " + last.message : ""}`);
    await sleep(every);
  }
}

let adminTok = null;
export async function admin() {
  if (!adminTok)
    adminTok = (await api("/admin/login", { mobile: ENV.ADMIN_MOBILE, password: ENV.ADMIN_PASSWORD })).accessToken;
  return adminTok;
}

// The newest 6-digit code the SMTP sink stored for email.
export function mailCode(email) {
  return until(`mail code for ${email}`, () => {
    const dir = ENV.MAIL_DIR;
    const files = readdirSync(dir).filter((f) => f.endsWith(".eml"))
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t);
    for (const { f } of files) {
      const m = readFileSync(join(dir, f), "utf8");
      const first = m.split("\n", 1)[0];
      if (!/^X-Rcpt:/i.test(first) || !first.toLowerCase().includes(email.toLowerCase())) continue;
      let body = m.split(/\r?\n\r?\n/).slice(1).join("\n\n");
      if (/Content-Transfer-Encoding:\s*base64/i.test(m)) body += Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
      const c = body.match(/\b(\d{6})\b/);
      if (c) return c[1];
    }
    return null;
  }, 15000, 200);
}

// A customer made through the API (for tests that do not test registration).
export async function customer(name = "Web Tester") {
  const u = uniq();
  const email = `web-${u}@example.com`;
  const mobile = "139" + String(randomBytes(4).readUInt32BE() % 100000000).padStart(8, "0");
  await api("/email/code/send", { email });
  const code = await mailCode(email);
  const password = "pw-" + uniq(6);
  await api("/user/register", { name, gender: 0, mobile, email, password, emailCode: code });
  const tok = (await api("/user/login", { email, password })).accessToken;
  return { email, mobile, password, token: tok, name };
}

// A film, a hall with every seat type and a screening two days ahead.
export async function catalogue(opts = {}) {
  const tok = await admin();
  const u = uniq();
  const film = await api("/film/create", {
    name: opts.filmName || `Harbour Lights ${u}`, desc: "A ferry captain's last winter on the fjord. Warm, funny and sad.",
    stock: 0, amount: 4500, screenwriter: "Ana Ruiz", director: "Tomas Berg", length: 110, isSelectSeat: 1,
    genre: "Drama", posterUrl: "/static/posters/lighthouse.svg",
  }, tok);
  const layout = opts.layout || [
    "XSSSS..SSSSX",
    "SSSSS..SSSSS",
    "SSSSS..SSSSS",
    "............",
    "WCSSS..SSSCW",
    "SSSHH..HHSSS",
    "VVVVV..VVVVV",
  ];
  const hall = await api("/hall/create", { name: `Hall ${u}`, layout }, tok);
  const day = 86400;
  const base = Math.floor(Date.now() / 1000 / 3600) * 3600 + (opts.daysAhead ?? 1) * day + 3 * 3600;
  const sc = await api("/screening/create", {
    filmId: film.id, hallId: hall.id, startAt: base,
    prices: { S: 4500, V: 6500, W: 3000, C: 3000 }, discounts: { child: 30, senior: 20 },
  }, tok);
  return { filmId: film.id, hallId: hall.id, screeningId: sc.id, startAt: base, layout };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    // root needs --no-sandbox; the rest keeps Chromium off the (closed) network
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

// A new page; phone: 360 px wide. lang: the browser's language. token: logged in.
export async function newPage(browser, { phone = false, lang = "en-US", token = null } = {}) {
  const ctx = await browser.newContext({
    viewport: phone ? { width: 360, height: 740 } : { width: 1280, height: 860 },
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    locale: lang,
    timezoneId: "Asia/Shanghai",
  });
  if (token) await ctx.addInitScript((t) => { if (!localStorage.getItem("bo.token")) localStorage.setItem("bo.token", t); }, token);
  const page = await ctx.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error" && !/WebSocket connection|Failed to load resource/.test(m.text())) page.errors.push(m.text()); });
  return page;
}

export async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, name + ".png"), fullPage: true });
}

export function check(cond, msg) {
  if (!cond) throw new Error("check failed: " + msg);
}

// Run one test: a browser, the body, a screenshot on failure, exit code.
export async function run(name, body) {
  const browser = await launch();
  const started = Date.now();
  let ok = false;
  try {
    await body(browser);
    ok = true;
  } catch (e) {
    console.error(`${name}: FAILED: ${e && e.stack || e}`);
    for (const ctx of browser.contexts())
      for (const p of ctx.pages()) {
        try {
          await p.screenshot({ path: join(SHOTS, `FAILED-${name}-${ctx.pages().indexOf(p)}.png`), fullPage: true });
        } catch { /* page gone */ }
        if (p.errors && p.errors.length) console.error("page errors:", p.errors.join("\n"));
      }
  } finally {
    await browser.close().catch(() => {});
  }
  console.log(`${name}: ${ok ? "ok" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(ok ? "1 passed, 0 failed" : "0 passed, 1 failed");
  process.exit(ok ? 0 : 1);
}
