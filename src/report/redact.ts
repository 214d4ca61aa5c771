/**
 * Removes secrets from an RPC URL before it reaches a log or report: user info, query values,
 * and the whole path (providers put API keys there, short or long: /v3/<key>, /<key>/rpc).
 * What is left names the scheme, host and port, and where the path and query were.
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
  if (url.pathname !== "/" && url.pathname !== "") url.pathname = "/redacted";
  return url.toString().replace(/\/$/, raw.endsWith("/") ? "/" : "");
}

/** Anything URL-shaped in free text (fault labels, statuses) is redacted like an RPC URL. */
export function redactText(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s;,)]+/gi, (url) => redactUrl(url));
}
