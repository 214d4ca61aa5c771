/**
 * Removes secrets from an RPC URL before it reaches a log or report: user info,
 * query values, and path segments that look like API keys (long tokens).
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "<unparseable url redacted>";
  }
  if (url.username || url.password) {
    url.username = "redacted";
    url.password = "";
  }
  for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, "redacted");
  url.pathname = url.pathname
    .split("/")
    .map((segment) => (/^[A-Za-z0-9_-]{16,}$/.test(segment) ? "redacted" : segment))
    .join("/");
  return url.toString().replace(/\/$/, raw.endsWith("/") ? "/" : "");
}
