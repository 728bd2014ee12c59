/* Passkeys (WebAuthn) without inline script (CSP script-src 'self').
   A form[data-passkey=register|login] carries data-options-url and data-verify-url and its
   messages (data-msg-*, already translated by the page). Submitting it: POST the options URL,
   turn the base64url fields into bytes, ask the browser (navigator.credentials.create/get),
   turn the answer's bytes back into base64url, POST it to the verify URL; on success go where
   the server says, else show its message. */
(function () {
  "use strict";

  function toBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = window.atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return window.btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      return { type: d.type, id: toBytes(d.id), transports: d.transports };
    });
  }

  function creationOptions(o) {
    o.challenge = toBytes(o.challenge);
    o.user.id = toBytes(o.user.id);
    o.excludeCredentials = descriptors(o.excludeCredentials);
    return { publicKey: o };
  }

  function requestOptions(o) {
    o.challenge = toBytes(o.challenge);
    o.allowCredentials = descriptors(o.allowCredentials);
    return { publicKey: o };
  }

  function encode(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) { response.userHandle = toText(r.userHandle); }
    }
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || null
    };
  }

  function post(form, url, body) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw { server: data.error || form.dataset.msgFailed }; }
        return data;
      });
    });
  }

  function message(form, error) {
    if (error && error.server) { return error.server; }
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "AbortError") { return form.dataset.msgCancelled; }
    if (name === "SecurityError") { return form.dataset.msgInsecure; }
    if (name === "InvalidStateError" && form.dataset.msgExists) { return form.dataset.msgExists; }
    if (name === "NotSupportedError") { return form.dataset.msgUnsupported; }
    return form.dataset.msgFailed;
  }

  function ceremony(form) {
    var status = form.querySelector(".passkey-status");
    var button = form.querySelector("button[type=submit]");
    var register = form.dataset.passkey === "register";
    function show(text, isError) {
      status.textContent = text;
      status.className = "passkey-status" + (isError ? " errorlist" : "");
    }
    if (!window.PublicKeyCredential || !navigator.credentials) {
      show(form.dataset.msgUnsupported, true);
      button.disabled = true;
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      show(form.dataset.msgWaiting, false);
      post(form, form.dataset.optionsUrl)
        .then(function (options) {
          return register
            ? navigator.credentials.create(creationOptions(options))
            : navigator.credentials.get(requestOptions(options));
        })
        .then(function (credential) {
          if (!credential) { throw { name: "NotAllowedError" }; }
          var body = { credential: encode(credential) };
          var name = form.querySelector("input[name=name]");
          if (name) { body.name = name.value; }
          return post(form, form.dataset.verifyUrl, body);
        })
        .then(function (data) { window.location.assign(data.redirect); })
        .catch(function (error) {
          show(message(form, error), true);
          button.disabled = false;
        });
    });
  }

  document.querySelectorAll("form[data-passkey]").forEach(ceremony);
})();
