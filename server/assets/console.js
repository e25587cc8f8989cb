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

async function post(url, body) {
  const res = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
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

signInPage();
