/**
 * WebSocket close codes shared by server and client. The 44xx codes mirror HTTP statuses.
 * A client reconnects after the retryable ones and stops after 4401/4403/4404.
 */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  /** The frame exceeded the transport limit (ws maxPayload). */
  MessageTooBig: 1009,
  InternalError: 1011,
  /** The edge is draining for a restart: reconnect elsewhere at once. */
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadRequest: 4400,
  Unauthorized: 4401,
  Forbidden: 4403,
  NotFound: 4404,
  IdleTimeout: 4408,
  TooLarge: 4413,
  TooMany: 4429,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which reconnecting cannot help (the client must change something first). */
export const terminalCloseCodes: ReadonlySet<number> = new Set([
  CloseCode.Unauthorized,
  CloseCode.Forbidden,
  CloseCode.NotFound,
  CloseCode.BadRequest,
  CloseCode.TooLarge,
]);
