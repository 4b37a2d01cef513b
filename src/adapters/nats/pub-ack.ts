import type { Msg } from '@nats-io/transport-node';

/** The JSON a stream answers a publish with. */
interface PubAck {
  readonly stream?: string;
  readonly seq?: number;
  readonly duplicate?: boolean;
  readonly error?: { readonly code?: number; readonly err_code?: number; readonly description?: string };
}

const decoder = new TextDecoder();

/**
 * Checks a stream's answer to a publish: returns when the stream stored the message, or had it
 * already (`duplicate: true`, an earlier publish of the same `Nats-Msg-Id`); throws otherwise.
 */
export function checkPubAck(reply: Msg): void {
  let ack: PubAck;
  try {
    ack = JSON.parse(decoder.decode(reply.data)) as PubAck;
  } catch {
    throw new Error(
      `JetStream answered a publish with status ${reply.headers?.code ?? 0} and no acknowledgement`,
    );
  }
  if (ack.error) {
    const code = ack.error.err_code ?? ack.error.code ?? 0;
    throw new Error(`JetStream refused the click: ${code} ${ack.error.description ?? ''}`.trim());
  }
  if (typeof ack.seq !== 'number') throw new Error('JetStream answered a publish without a sequence');
}
