// The widget runs on a company's own site, another origin than loket's: the
// customer API answers CORS preflights and tells the browser which pages may
// read its answers (option widget_origins); the agent API does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, api } from './helpers.mjs';

test('widget_origins = * lets any origin use the customer API; preflights are answered', async (t) => {
  const srv = await startServer({ t, env: { LOKET_WIDGET_ORIGINS: '*' } });
  try {
    const pre = await fetch(`${srv.base}/api/v1/conversations/c_x/messages`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-headers'), /Authorization/i);
    assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
    const r = await api(srv, 'POST', '/api/v1/conversations', { body: {}, headers: { Origin: 'https://shop.example' } });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const agent = await api(srv, 'GET', '/api/v1/agent/queue', { headers: { Origin: 'https://shop.example' } });
    assert.equal(agent.status, 401);
    assert.equal(agent.headers.get('access-control-allow-origin'), null, 'the agent API is not for other sites');
  } finally {
    await stopServer(srv);
  }
});

test('widget_origins limits the pages that may read the answers', async (t) => {
  const srv = await startServer({ t, env: { LOKET_WIDGET_ORIGINS: 'https://shop.example https://www.shop.example' } });
  try {
    const ok = await api(srv, 'POST', '/api/v1/conversations', { body: {}, headers: { Origin: 'https://www.shop.example' } });
    assert.equal(ok.status, 201);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://www.shop.example');
    assert.match(ok.headers.get('vary') || '', /Origin/);
    const other = await api(srv, 'POST', '/api/v1/conversations', { body: {}, headers: { Origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  } finally {
    await stopServer(srv);
  }
});
