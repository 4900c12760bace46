/// <reference lib="dom" />
/**
 * The page's one way to ask the server for something: `POST /api/action/NAME` with the token and a
 * JSON body; the server's answer, or its error message (a refusal says what to do) as an Error.
 */
export async function action (token: string, name: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`/api/action/${name}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  const answer = await res.json() as { ok?: boolean, result?: Record<string, unknown>, error?: string }
  if (!res.ok) throw new Error(answer.error ?? `${res.status} ${res.statusText}`)
  return answer.result ?? {}
}
