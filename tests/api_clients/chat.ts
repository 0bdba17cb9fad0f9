// A streamed chat answer (where the project renders the LLM integration): Server-Sent
// Events whose `data` is a ChatStreamEvent, narrowed on its `type`.
import type { ChatIn, ChatStreamEvent, ChatUsage } from './client';
import { client } from './client/client.gen';

export async function streamChat(
  messages: ChatIn['messages'],
  onText: (text: string) => void,
): Promise<ChatUsage> {
  const body: ChatIn = { messages, stream: true };
  const { stream } = await client.sse.post<{ 200: ChatStreamEvent }>({
    url: '/api/v1/ai/chat',
    body,
    headers: { 'Content-Type': 'application/json' },
    security: [{ scheme: 'bearer', type: 'http' }],
    // A chat spends quota: never sent again on its own.
    sseMaxRetryAttempts: 1,
  });
  for await (const event of stream) {
    switch (event.type) {
      case 'delta':
        onText(event.text);
        break;
      case 'done':
        return event.usage;
      case 'error':
        throw new Error(`${event.error.code}: ${event.error.message}`);
    }
  }
  throw new Error('The stream ended without a done event.');
}
