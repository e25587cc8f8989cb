// The console's door in a real Chromium: a supervisor enrols the browser with a one-time code,
// its key is made by WebCrypto and cannot be read back, sign-out and sign-in again by that key
// work, the pages pass axe-core with no serious violation, and the Content-Security-Policy blocks
// inline script. Screenshots of each page go to build/browser/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, launch, accessibilityProblems, shots, enrolBrowser } from "./harness.mjs";

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

test("a supervisor enrols this browser, signs out, and signs in again with its own key", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/console/`);
  assert.equal(new URL(page.url()).pathname, "/console/sign-in");
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(shots, "sign-in.png"), fullPage: true });

  await page.getByLabel("User name").fill("esi");
  await page.getByLabel("Enrolment code").fill(server.codes.esi);
  await page.getByRole("button", { name: "Enrol and sign in" }).click();
  await page.waitForURL(`${server.url}/console/`);
  await page.getByRole("heading", { name: "Welcome, esi" }).waitFor();
  assert.match(await page.textContent("main"), /Supervisor/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(shots, "home-supervisor.png"), fullPage: true });

  // The private key is in the browser's storage and cannot be exported.
  const key = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("quayside-console", 1);
        open.onsuccess = () => {
          const req = open.result.transaction("device").objectStore("device").get("this");
          req.onsuccess = () => resolve({ extractable: req.result.keys.privateKey.extractable, algorithm: req.result.keys.privateKey.algorithm.name });
          req.onerror = () => reject(req.error);
        };
      }),
  );
  assert.deepEqual(key, { extractable: false, algorithm: "Ed25519" });

  // No inline script runs, whatever gets into a page.
  const injected = await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__injected = true";
    document.body.append(s);
    return window.__injected === true;
  });
  assert.equal(injected, false);

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(`${server.url}/console/sign-in`);
  await page.getByRole("heading", { name: "This browser is enrolled" }).waitFor();
  assert.equal(await page.textContent("#known-user"), "esi");
  await page.screenshot({ path: join(shots, "sign-in-again.png"), fullPage: true });
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${server.url}/console/`);
  await page.getByRole("heading", { name: "Welcome, esi" }).waitFor();

  // On a tablet too.
  await page.setViewportSize({ width: 820, height: 1180 });
  await page.screenshot({ path: join(shots, "home-tablet.png"), fullPage: true });
  await page.close();
});

test("a wrong code is refused in words and enrols nothing", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/console/sign-in`);
  await page.getByLabel("User name").fill("nana");
  await page.getByLabel("Enrolment code").fill("NOTACODE2345");
  await page.getByRole("button", { name: "Enrol and sign in" }).click();
  await page.locator("#status.error").waitFor();
  assert.match(await page.textContent("#status"), /^Not enrolled: /);
  assert.equal(new URL(page.url()).pathname, "/console/sign-in");
  await page.close();
});

test("an officer and an analyst each get their own home, in the same console", async () => {
  for (const [user, role] of [["ama", "Officer"], ["nana", "Ozone-unit analyst"]]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console/sign-in`);
    await page.getByLabel("User name").fill(user);
    await page.getByLabel("Enrolment code").fill(server.codes[user]);
    await page.getByRole("button", { name: "Enrol and sign in" }).click();
    await page.getByRole("heading", { name: `Welcome, ${user}` }).waitFor();
    assert.match(await page.textContent(".facts"), new RegExp(role));
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.screenshot({ path: join(shots, `home-${user}.png`), fullPage: true });
    await context.close();
  }
});

test("an administrator revokes a supervisor's browser from the devices page; it is signed out at once", async () => {
  const enrol = async (user, code) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console/sign-in`);
    await page.getByLabel("User name").fill(user);
    await page.getByLabel("Enrolment code").fill(code);
    await page.getByRole("button", { name: "Enrol and sign in" }).click();
    await page.getByRole("heading", { name: `Welcome, ${user}` }).waitFor();
    return { context, page };
  };
  const esi = await enrol("esi", await server.mintCode("esi"));
  const deviceId = await esi.page.evaluate(
    () =>
      new Promise((resolve) => {
        indexedDB.open("quayside-console", 1).onsuccess = (e) => {
          const req = e.target.result.transaction("device").objectStore("device").get("this");
          req.onsuccess = () => resolve(req.result.deviceId);
        };
      }),
  );

  const admin = await enrol("admin", server.codes.admin);
  const page = admin.page;
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Devices" }).click();
  await page.getByRole("heading", { name: "Devices" }).waitFor();
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(shots, "admin-devices.png"), fullPage: true });

  const row = page.getByRole("row").filter({ hasText: deviceId });
  await row.getByRole("button", { name: "Revoke Web console of esi" }).click();
  await page.waitForURL(`${server.url}/console/admin/devices`);
  assert.match(await row.textContent(), /Revoked /);

  // esi's next page: her session is over.
  await esi.page.reload();
  assert.equal(new URL(esi.page.url()).pathname, "/console/sign-in");
  await esi.context.close();
  await admin.context.close();
});

test("an administrator adds a station and a user and gives the user's phone a code as a QR code", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await enrolBrowser(page, server.url, "admin", await server.mintCode("admin"));
  const nav = page.getByRole("navigation", { name: "Console" });

  await nav.getByRole("link", { name: "Stations" }).click();
  await page.getByLabel("UN/LOCODE").fill("ghtkd");
  await page.getByLabel("Name", { exact: true }).fill("Takoradi port");
  await page.getByRole("button", { name: "Add" }).click();
  await page.getByRole("row").filter({ hasText: "GHTKD" }).waitFor();
  assert.deepEqual(await accessibilityProblems(page), []);

  await nav.getByRole("link", { name: "Users" }).click();
  await page.getByLabel("User name").fill("kwame");
  await page.getByLabel("Role").selectOption("officer");
  await page.getByLabel(/Takoradi port/).check();
  await page.getByRole("button", { name: "Add user" }).click();
  const row = page.getByRole("row").filter({ hasText: "kwame" });
  await row.waitFor();
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(shots, "admin-users.png"), fullPage: true });

  await row.getByRole("button", { name: "New enrolment code for kwame" }).click();
  await page.getByRole("heading", { name: "Enrolment code for kwame" }).waitFor();
  const qr = page.getByRole("img", { name: /QR code of the enrolment link/ });
  assert.ok((await qr.evaluate((img) => img.complete && img.naturalWidth)) >= 240, "the QR code is drawn");
  assert.match(await page.textContent("figcaption"), /^quayside:\/\/enrol\?server=http/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(shots, "admin-code.png"), fullPage: true });

  await nav.getByRole("link", { name: "API tokens" }).click();
  await page.getByRole("button", { name: "Make token" }).click();
  await page.getByRole("heading", { name: /API token for/ }).waitFor();
  await nav.getByRole("link", { name: "API tokens" }).click();
  assert.deepEqual(await accessibilityProblems(page), []);
  await context.close();
});
