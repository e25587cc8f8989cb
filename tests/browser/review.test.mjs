// The supervisor's desk in a real Chromium, against a real server with data an officer recorded
// through the real core (the command-line client): the queue, an inspection with a photo whose
// hash the browser checks, an approval signed by the browser's key that verifies in the analyst's
// export and the analyst's dashboard, a return that reaches the officer's device on its next sync, hostile notes rendered as
// text, and an officer's session kept out of supervisors' and administrators' pages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync, readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { startServer, launch, accessibilityProblems, shots, cli, cliJson, enrolBrowser } from "./harness.mjs";

const HOSTILE = `<script>window.pwned = 1</script> and <img src=x onerror="window.pwned = 2"> behind the R-134a rows`;

/** A small real PNG (a striped test card), so the thumbnail shows something. */
function png(width, height) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = [0];
    for (let x = 0; x < width; x++) {
      const band = Math.floor((x + y) / 12) % 3;
      row.push(...[[11, 92, 173], [245, 158, 11], [240, 240, 240]][band]);
    }
    rows.push(Buffer.from(row));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

let server, browser, ama, approveId, returnId;
before(async () => {
  server = await startServer();
  browser = await launch();
  // Officer ama records two inspections on her "phone" (the CLI's store) and syncs.
  ama = join(server.dir, "ama");
  cli(ama, "init", "--user", "ama", "--station", "GHTEM");
  cli(ama, "enroll", "--server", server.url, "--code", server.phoneCodes.ama);
  const record = (container, notes, caseRef) => {
    const id = cliJson(ama, "inspection", "new", "--container", container, "--consignee", "Accra Frost Ltd", "--notes", notes).inspection.id;
    const finding = cliJson(ama, "finding", "add", id, "--declared", "R-134a", "--identified", "R-22", "--cylinders", "40", "--kg-per-cylinder", "13.6", "--cylinder-type", "disposable").finding_id;
    const photo = join(server.dir, `${container}.png`);
    writeFileSync(photo, png(320, 200));
    cli(ama, "photo", "add", id, photo, "--finding", finding, "--caption", "relabelled cylinder");
    cli(ama, "seizure", "set", id, "--case-ref", caseRef, "--action", "seized", "--item", `${finding}=544:40`);
    cli(ama, "submit", id);
    return id;
  };
  approveId = record("MSKU 123456-5", HOSTILE, "GRA-CUS-2026-0901");
  returnId = record("TGHU 876543-6", "no seal on the door", "GRA-CUS-2026-0902");
  cli(ama, "sync");
});
after(async () => {
  await browser?.close();
  server?.stop();
});

test("a supervisor opens an inspection, checks its photo and approves it with the browser's key", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await enrolBrowser(page, server.url, "esi", server.codes.esi);
  await page.getByRole("link", { name: "Review queue" }).first().click();
  await page.getByRole("heading", { name: "Review queue" }).waitFor();
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(shots, "review-queue.png"), fullPage: true });

  // Search narrows the queue to one container.
  await page.getByLabel("Search").fill("msku 1234565");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForURL(/q=msku/);
  assert.equal(await page.locator("table.queue tbody tr").count(), 1);
  await page.getByRole("link", { name: "MSKU1234565" }).click();
  await page.getByRole("heading", { name: /Container MSKU1234565/ }).waitFor();

  // The photo's bytes hash, in this browser, to what the officer's phone recorded.
  await page.locator(".hash .check.ok").waitFor();
  assert.match(await page.textContent(".hash .check"), /verified in this browser/);
  const shown = await page.locator(".photos img").evaluate((img) => img.complete && img.naturalWidth);
  assert.equal(shown, 320, "the thumbnail is the photo");

  // The officer's notes are text: nothing in them ran.
  assert.ok((await page.textContent("main")).includes(HOSTILE));
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.locator("main img[src=x]").count(), 0);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(shots, "inspection.png"), fullPage: true });
  // On a tablet held upright: nothing wider than the screen, the decision still in reach.
  await page.setViewportSize({ width: 768, height: 1024 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, "no sideways scrolling");
  await page.getByRole("button", { name: "Sign and send" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, "inspection-tablet.png") });
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.getByLabel("Approve").check();
  await page.getByLabel(/Comment/).fill("identifier reading and labels checked");
  await page.getByRole("button", { name: "Sign and send" }).click();
  await page.getByText(/Recorded and signed/).waitFor();
  await page.waitForLoadState("load");
  await page.locator("h1 .badge", { hasText: "Approved" }).waitFor();
  assert.match(await page.textContent(".reviews"), /Approved by esi.*signature verified/s);
  await page.screenshot({ path: join(shots, "inspection-approved.png"), fullPage: true });

  // The analyst's export carries the approval, and its signature verifies.
  const csv = join(server.dir, "seizures.csv");
  cli(server.dir, "export", "seizures", "--server", server.url, "--token", server.analystToken, "--format", "csv", "--out", csv);
  assert.match(readFileSync(csv, "utf8"), /GRA-CUS-2026-0901/);
  const verdicts = cli(server.dir, "export", "verify", csv);
  assert.match(verdicts, new RegExp(`${approveId}\\s+\\S+\\s+esi\\s+valid`), verdicts);
  await page.close();
});

test("the approval counts in the analyst's dashboard: totals, charts, the case, and the same selection as a file", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await enrolBrowser(page, server.url, "nana", server.codes.nana);
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Seizures" }).click();
  await page.getByRole("heading", { name: "Seizures", exact: true }).waitFor();
  // Only what a supervisor approved: the case esi approved above (40 cylinders, 544 kg of HCFC-22).
  const totals = await page.textContent(".totals-cards");
  assert.match(totals, /1\s*cases/);
  assert.match(totals, /544\s*kg/);
  assert.ok((await page.textContent("#cases-title + .scroll")).includes("GRA-CUS-2026-0901"));
  assert.equal(await page.locator("svg[role=img]").count(), 5, "five charts");
  assert.ok((await page.locator("section.chart").filter({ hasText: "By substance" }).textContent()).includes("HCFC-22"));
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(shots, "seizures.png"), fullPage: true });
  await page.setViewportSize({ width: 768, height: 1024 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, "no sideways scrolling");
  await page.screenshot({ path: join(shots, "seizures-tablet.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV" }).click()]);
  const csv = readFileSync(await file.path(), "utf8");
  assert.match(file.suggestedFilename(), /^quayside-seizures-GH.*\.csv$/);
  assert.match(csv, /GRA-CUS-2026-0901/);
  assert.equal(csv.trim().split("\n").length, 2, "a header and the one approved row");

  // Charts in CO2-eq tonnes; the case opens, without a decision form.
  await page.getByLabel("Charts in").selectOption("co2e");
  await page.getByRole("button", { name: "Show" }).click();
  await page.getByRole("heading", { name: /By month \(CO2-eq tonnes\)/ }).waitFor();
  await page.getByRole("link", { name: "GRA-CUS-2026-0901" }).click();
  await page.getByRole("heading", { name: /Container MSKU1234565/ }).waitFor();
  assert.equal(await page.locator("#decision").count(), 0);
  await page.close();
});

test("a return reaches the officer's device on its next sync, with the comment as written", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // esi's browser from the first test is another context: this one enrols with a fresh code.
  await enrolBrowser(page, server.url, "esi", await server.mintCode("esi"));
  await page.goto(`${server.url}/console/inspections/${returnId}`);
  const comment = `<img src=x onerror="window.pwned = 3"> seal number missing: add it and submit again`;
  await page.getByLabel("Return to the officer").check();
  await page.getByLabel(/Comment/).fill(comment);
  await page.getByRole("button", { name: "Sign and send" }).click();
  await page.locator("h1 .badge", { hasText: "Returned" }).waitFor();
  assert.ok((await page.textContent(".reviews")).includes(comment));
  assert.equal(await page.evaluate(() => window.pwned), undefined);

  cli(ama, "sync");
  const view = cliJson(ama, "show", returnId);
  assert.equal(view.review_state, "returned");
  assert.equal(view.reviews.at(-1).comment, comment);
  assert.equal(view.reviews.at(-1).signature_verified, true);
  await context.close();
});

test("an officer's session reaches neither the review queue, an inspection, nor the admin pages", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await enrolBrowser(page, server.url, "ama", server.codes.ama);
  assert.equal(await page.getByRole("link", { name: "Review queue" }).count(), 0);
  for (const path of ["/console/review", `/console/inspections/${approveId}`, "/console/admin/devices"]) {
    const res = await page.goto(`${server.url}${path}`);
    assert.equal(res.status(), 403, path);
    await page.getByRole("heading", { name: "Not for your role" }).waitFor();
  }
  await context.close();
});
