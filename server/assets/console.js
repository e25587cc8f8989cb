// The console's only script (an ES module from the server itself; the Content-Security-Policy
// allows no other). It keeps the browser's signing key: an Ed25519 key made here with WebCrypto,
// not extractable, stored in IndexedDB; the server only ever sees its public half and signatures.
// Nothing typed by a person is ever written as HTML: text goes through textContent.

const DB = "quayside-console";
const STORE = "device";

function idb() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function stored(value) {
  const db = await idb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, value === undefined ? "readonly" : "readwrite");
    const req = value === undefined ? tx.objectStore(STORE).get("this") : tx.objectStore(STORE).put(value, "this");
    req.onsuccess = () => resolve(value === undefined ? req.result : value);
    req.onerror = () => reject(req.error);
  });
}

const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

async function post(url, body, csrf) {
  const headers = { "content-type": "application/json" };
  if (csrf) headers["x-csrf-token"] = csrf;
  const res = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers,
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.error || `the server answered ${res.status}`);
  return answer;
}

function say(text, error = false) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.classList.toggle("error", error);
}

/** What this browser signs to sign in (the server builds the same text). */
const signInPayload = (deviceId, nonce) => `quayside-console-sign-in-v1\n${deviceId}\n${nonce}`;

async function enrol(form) {
  const user = form.user.value.trim();
  const code = form.code.value.trim();
  say("Making this browser's key and enrolling…");
  const keys = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const publicKey = hex(await crypto.subtle.exportKey("raw", keys.publicKey));
  const deviceId = crypto.randomUUID();
  await post("/console/enrol", {
    user,
    code,
    public_key: publicKey,
    actor: hex(crypto.getRandomValues(new Uint8Array(16))),
    device_id: deviceId,
  });
  await stored({ deviceId, user, keys });
  location.assign("/console/");
}

async function signIn(device) {
  say("Signing in…");
  const { nonce } = await post("/console/challenge", { device_id: device.deviceId });
  const bytes = new TextEncoder().encode(signInPayload(device.deviceId, nonce));
  const signature = hex(await crypto.subtle.sign({ name: "Ed25519" }, device.keys.privateKey, bytes));
  await post("/console/sign-in", { device_id: device.deviceId, nonce, signature });
  location.assign("/console/");
}

async function signInPage() {
  const form = document.getElementById("enrol");
  if (!form) return;
  if (!window.isSecureContext || !crypto.subtle) {
    document.getElementById("insecure").hidden = false;
    form.querySelector("button").disabled = true;
    return;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    enrol(form).catch((e) => say(`Not enrolled: ${e.message}`, true));
  });
  const device = await stored().catch(() => undefined);
  if (device && device.keys) {
    document.getElementById("known-user").textContent = device.user;
    document.getElementById("by-key").hidden = false;
    document.getElementById("sign-in").addEventListener("click", () => {
      signIn(device).catch((e) => say(`Not signed in: ${e.message}`, true));
    });
  }
}

/**
 * What a supervisor's decision signs (the server and the phones build the same text:
 * core/src/signing.rs review_payload).
 */
function reviewPayload(inspection, heads, decision, comment, reviewer, at) {
  const sorted = [...heads].sort();
  return `quayside-review-v1\n${inspection}\n${sorted.join(",")}\n${decision}\n${reviewer}\n${at}\n${comment}`;
}

/**
 * Approve or return: the server checks the decision against the inspection as it is now and
 * stamps it (id, time); this browser rebuilds the text to sign from what the page showed and
 * what the supervisor chose, refuses to sign anything else, signs it with its own key and sends
 * the signature. The server verifies it as it verifies a phone's.
 */
async function decide(form) {
  const device = await stored().catch(() => undefined);
  if (!device || !device.keys || device.deviceId !== form.dataset.device) {
    throw new Error("this browser no longer holds the key it enrolled with; sign out and enrol it again");
  }
  const choice = form.querySelector("input[name=decision]:checked");
  if (!choice) throw new Error("choose approve or return");
  const decision = choice.value;
  const comment = form.comment.value.trim();
  if (decision === "returned" && !comment) {
    form.comment.focus();
    throw new Error("say in the comment what the officer should change");
  }
  const inspection = form.dataset.inspection;
  const heads = form.dataset.heads.split(",").filter(Boolean);
  const csrf = form.dataset.csrf;
  const base = `/console/inspections/${encodeURIComponent(inspection)}/decision`;
  say("Preparing the decision…");
  const prepared = await post(`${base}/prepare`, { decision, comment, heads }, csrf);
  const mine = reviewPayload(inspection, heads, decision, comment, form.dataset.reviewer, prepared.decided_at);
  if (prepared.payload !== mine) {
    throw new Error("the server asked this browser to sign something other than what this page shows; nothing was signed");
  }
  say("Signing with this browser's key…");
  const bytes = new TextEncoder().encode(mine);
  const signature = hex(await crypto.subtle.sign({ name: "Ed25519" }, device.keys.privateKey, bytes));
  const answer = await post(base, { id: prepared.id, decided_at: prepared.decided_at, decision, comment, heads, signature }, csrf);
  say(`Recorded and signed. The inspection is now: ${answer.label}.`);
  form.querySelector("button[type=submit]").disabled = true;
  setTimeout(() => location.reload(), 800);
}

function decisionForm() {
  const form = document.getElementById("decision");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    decide(form).catch((e) => {
      say(`Not recorded: ${e.message}`, true);
      button.disabled = false;
    });
  });
}

/** Each photo's bytes hashed in this browser and compared with the SHA-256 the officer's phone recorded. */
async function verifyPhotos() {
  for (const el of document.querySelectorAll(".hash[data-sha256]")) {
    const out = el.querySelector(".check");
    if (el.hasAttribute("data-missing")) {
      out.textContent = "not yet received";
      continue;
    }
    try {
      const res = await fetch(el.dataset.url, { credentials: "same-origin" });
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      const digest = hex(await crypto.subtle.digest("SHA-256", await res.arrayBuffer()));
      const ok = digest === el.dataset.sha256;
      out.textContent = ok ? "verified in this browser" : `DOES NOT MATCH (the bytes hash to ${digest})`;
      out.classList.add(ok ? "ok" : "bad");
    } catch (e) {
      out.textContent = `not verified: ${e.message}`;
      out.classList.add("bad");
    }
  }
}

signInPage();
decisionForm();
verifyPhotos();
