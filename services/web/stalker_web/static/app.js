// Shared by every page: JSON calls to the app's own /web/api with the session's CSRF token.
const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers ?? {}) };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if ((options.method ?? "GET") !== "GET") headers["X-CSRF-Token"] = csrf();
  const response = await fetch(path, {
    ...options,
    headers,
    credentials: "same-origin",
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 401) {
    window.location.assign(`/web/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new Error("signed out");
  }
  const body = response.status === 204 ? null : await response.json();
  if (!response.ok) {
    const error = new Error(body?.detail ?? body?.title ?? `HTTP ${response.status}`);
    error.status = response.status;
    error.problem = body;
    throw error;
  }
  return body;
}
