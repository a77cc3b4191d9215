// Security keys (WebAuthn): add a key on the security key page, or give one at the second
// step of a password login. The server side is django-otp-webauthn (accounts/webauthn.py).
// Markup: <div data-webauthn="register|authenticate" data-begin=URL data-complete=URL
// data-msg-*=texts> with a button, an optional name field and a role=status element.
(function () {
  "use strict";

  function toBytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function toText(buffer) {
    let binary = "";
    new Uint8Array(buffer).forEach((b) => { binary += String.fromCharCode(b); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map((d) => Object.assign({}, d, { id: toBytes(d.id) }));
  }

  function csrfToken(box) {
    const field = box.closest("form, main, body").querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  async function post(url, box, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken(box) },
      body: body === undefined ? "" : JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) {
      const error = new Error(data.detail || "");
      error.code = data.code || "";
      throw error;
    }
    return data;
  }

  async function register(box) {
    const name = box.querySelector("input[name=key_name]");
    const options = await post(box.dataset.begin, box);
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    const credential = await navigator.credentials.create({ publicKey: options });
    const r = credential.response;
    const query = name && name.value.trim() ? "?name=" + encodeURIComponent(name.value.trim()) : "";
    await post(box.dataset.complete + query, box, {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toText(r.clientDataJSON),
        attestationObject: toText(r.attestationObject),
        transports: typeof r.getTransports === "function" ? r.getTransports() : [],
      },
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    });
    window.location.reload();
  }

  async function authenticate(box) {
    const options = await post(box.dataset.begin, box);
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    const credential = await navigator.credentials.get({ publicKey: options });
    const r = credential.response;
    const next = box.dataset.next ? "?next=" + encodeURIComponent(box.dataset.next) : "";
    const answer = await post(box.dataset.complete + next, box, {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toText(r.clientDataJSON),
        authenticatorData: toText(r.authenticatorData),
        signature: toText(r.signature),
        userHandle: r.userHandle ? toText(r.userHandle) : undefined,
      },
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    });
    window.location.assign(answer.redirect_url || "/");
  }

  document.querySelectorAll("[data-webauthn]").forEach((box) => {
    const button = box.querySelector("button");
    const status = box.querySelector("[role=status]");
    if (!window.PublicKeyCredential || !navigator.credentials) {
      button.disabled = true;
      status.textContent = box.dataset.msgUnsupported;
      return;
    }
    button.addEventListener("click", async () => {
      button.disabled = true;
      status.textContent = box.dataset.msgBusy;
      try {
        await (box.dataset.webauthn === "register" ? register(box) : authenticate(box));
      } catch (error) {
        // Our own refusals are translated (accounts/webauthn.py); anything else gets the page's text.
        const ours = ["app_first", "no_pending_login"].includes(error.code);
        status.textContent = ours && error.message ? error.message : box.dataset.msgFailed;
        button.disabled = false;
        button.focus();
      }
    });
  });
})();
