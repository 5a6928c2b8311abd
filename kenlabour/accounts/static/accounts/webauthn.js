// Security keys and passkeys (WebAuthn): registers a key, or uses one as the second factor.
//
// Each form marked data-webauthn="register" or "authenticate" is hidden in the page and
// shown here only when the browser can do WebAuthn: without JavaScript (or without
// WebAuthn) no dead button is shown, and the code form keeps working. The server side is
// django-otp-webauthn's ceremonies (accounts/webauthn.py); this script only carries their
// options to the browser and its answer back. Messages come from the page (translated
// there) and are written as text, never as HTML.
(() => {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  const toBytes = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };

  const toText = (buffer) => {
    let binary = "";
    for (const byte of new Uint8Array(buffer)) {
      binary += String.fromCharCode(byte);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  const withIds = (list) => (list || []).map((item) => ({ ...item, id: toBytes(item.id) }));

  const creationOptions = (json) => ({
    ...json,
    challenge: toBytes(json.challenge),
    user: { ...json.user, id: toBytes(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials),
  });

  const requestOptions = (json) => ({
    ...json,
    challenge: toBytes(json.challenge),
    allowCredentials: withIds(json.allowCredentials),
  });

  const registrationJSON = (credential) => ({
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toText(credential.response.clientDataJSON),
      attestationObject: toText(credential.response.attestationObject),
      transports: credential.response.getTransports ? credential.response.getTransports() : [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
  });

  const assertionJSON = (credential) => ({
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      authenticatorData: toText(credential.response.authenticatorData),
      clientDataJSON: toText(credential.response.clientDataJSON),
      signature: toText(credential.response.signature),
      userHandle: credential.response.userHandle
        ? toText(credential.response.userHandle)
        : undefined,
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
  });

  class Failure extends Error {
    constructor(kind) {
      super(kind);
      this.kind = kind;
    }
  }

  const post = async (url, csrf, body) => {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrf,
        },
        body: JSON.stringify(body || {}),
      });
    } catch {
      throw new Failure("network");
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      throw new Failure("server");
    }
    if (!response.ok) {
      throw new Failure(data && data.code === "user_not_verified" ? "notVerified" : "refused");
    }
    return data;
  };

  const browserFailure = (error) => {
    if (error instanceof Failure) {
      return error;
    }
    if (error && error.name === "NotAllowedError") {
      return new Failure("cancelled");
    }
    if (error && error.name === "InvalidStateError") {
      return new Failure("known");
    }
    return new Failure("refused");
  };

  const setUp = (form) => {
    const button = form.querySelector("button[type=submit]");
    const status = form.querySelector("[data-webauthn-status]");
    const error = form.querySelector("[data-webauthn-error]");
    const label = button.textContent;
    const registering = form.dataset.webauthn === "register";

    const busy = (on) => {
      button.disabled = on;
      button.setAttribute("aria-busy", on ? "true" : "false");
      button.textContent = on ? form.dataset.msgBusy : label;
      status.textContent = on ? form.dataset.msgBusy : "";
    };

    const fail = (kind) => {
      busy(false);
      const key = "msg" + kind.charAt(0).toUpperCase() + kind.slice(1);
      error.textContent = form.dataset[key] || form.dataset.msgRefused;
      error.focus();
    };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (button.disabled) {
        return;
      }
      error.textContent = "";
      busy(true);
      const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      const next = encodeURIComponent(form.dataset.next || "");
      try {
        let answer;
        if (registering) {
          const name = form.querySelector("input[name=name]").value;
          const options = await post(form.dataset.postBegin, csrf, { name });
          const credential = await navigator.credentials.create({
            publicKey: creationOptions(options),
          });
          answer = await post(
            `${form.dataset.postComplete}?next=${next}`,
            csrf,
            registrationJSON(credential),
          );
        } else {
          const options = await post(form.dataset.postBegin, csrf);
          const credential = await navigator.credentials.get({
            publicKey: requestOptions(options),
          });
          answer = await post(
            `${form.dataset.postComplete}?next=${next}`,
            csrf,
            assertionJSON(credential),
          );
        }
        status.textContent = form.dataset.msgDone;
        const target = answer && answer.redirect_url;
        window.location.assign(
          typeof target === "string" && target.startsWith("/") && !target.startsWith("//")
            ? target
            : "/",
        );
      } catch (problem) {
        fail(browserFailure(problem).kind);
      }
    });
    form.hidden = false;
  };

  for (const form of document.querySelectorAll("form[data-webauthn]")) {
    setUp(form);
  }
})();
