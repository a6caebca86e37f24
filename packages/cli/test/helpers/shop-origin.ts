import type { IncomingMessage, ServerResponse } from 'node:http';
import { startOrigin, type TestOrigin } from '@capture/core/testing';

const USERS = [
  { id: 1, email: 'ann@acme-shop.test', name: 'Ann', role: 'admin', created_at: '2024-01-12T09:30:00Z' },
  { id: 2, email: 'bob@acme-shop.test', name: 'Bob', role: 'member', created_at: '2024-02-12T09:30:00Z' },
];

/** A small shop API on 127.0.0.1: users by number, orders by UUID, a form login, JSON errors. */
export function startShopOrigin(): Promise<TestOrigin> {
  return startOrigin((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://origin');
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const user = /^\/api\/users\/(\d+)$/.exec(url.pathname);
      if (url.pathname === '/api/users') {
        if (req.method === 'POST') return json(201, { ...JSON.parse(Buffer.concat(chunks).toString('utf8')), id: 3 });
        return json(200, { data: USERS, page: Number(url.searchParams.get('page') ?? 1) });
      }
      if (user) {
        const found = USERS.find((candidate) => candidate.id === Number(user[1]));
        return found ? json(200, found) : json(404, { error: 'not_found' });
      }
      if (/^\/api\/users\/\d+\/orders\/[0-9a-f-]{36}$/.test(url.pathname)) return json(200, { id: url.pathname.split('/').pop(), total: 12.5 });
      if (url.pathname === '/api/login') return json(200, { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bG9naW4tdG9rZW4tc2ln', expires_in: 3600 });
      json(404, { error: 'not_found' });
    });
  });
}
