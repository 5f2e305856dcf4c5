let counter = 0;

/** A fresh client_msg_id: unique per client, valid under the protocol's id pattern. */
export function newClientMsgId(): string {
  const random =
    typeof globalThis.crypto?.randomUUID === "function"
      ? globalThis.crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  counter = (counter + 1) % 1_000_000;
  return `c-${random}-${counter}`;
}
