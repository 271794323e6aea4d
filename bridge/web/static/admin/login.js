// Sign-in: the token is checked against the API before it is kept.
import { ApiError, api, signIn } from "./api.js";
import { $ } from "./dom.js";
import { showErrors } from "./errors.js";

export function start() {
  const form = $("#login-form");
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const token = form.token.value.trim();
    const user = form.user.value.trim();
    const details = [];
    if (!token) details.push({ path: "token", message: "Paste the admin token." });
    if (!user) details.push({ path: "user", message: "Write your name; the audit log shows it." });
    if (details.length) {
      showErrors(form, { details, message: "" }, { title: "Sign-in needs both fields." });
      return;
    }
    try {
      await api("GET", "/rules", undefined, { token });
    } catch (err) {
      const message = err instanceof ApiError && err.status === 401
        ? `The token was refused: ${err.message}` : err.message;
      showErrors(form, { details: [{ path: "token", message }], message },
        { title: "Could not sign in." });
      return;
    }
    signIn(token, user);
    const next = new URLSearchParams(location.search).get("next") || "";
    location.assign(next.startsWith("/admin") ? next : document.body.dataset.base);
  });
  form.token.focus();
}
