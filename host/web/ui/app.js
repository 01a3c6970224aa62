// Crumb's web UI: sign-in, chat (answers stream in over server-sent events)
// with resumable conversations, and the store owners' dashboard. No
// framework; every reply is drawn from its generic blocks (text, tables,
// server-rendered charts, cards), never from per-plugin code.
'use strict';

const TEXT = {
  ko: {
    skip: '질문 입력으로 건너뛰기', menu: '대화 목록 열기', 'nav.chat': '채팅', 'nav.dashboard': '대시보드',
    signout: '로그아웃', lang: 'English',
    'signin.title': 'Crumb에 로그인', 'signin.lead': '관리자에게 받은 API 토큰을 붙여 넣거나, crumb serve가 출력한 로그인 링크를 여세요.',
    'signin.token': 'API 토큰', 'signin.submit': '로그인',
    'signin.hint': '토큰 만들기: crumb token create --role marketer --name 이름 · 로그인 링크: crumb token link',
    'signin.expired': '로그인이 만료되었거나 토큰이 유효하지 않습니다. 다시 로그인하세요.',
    'chat.new': '+ 새 대화', 'chat.conversations': '대화 목록', 'chat.question': '질문', 'chat.send': '보내기',
    'chat.placeholder': '오늘 폐기될 상품은?', 'chat.empty': '무엇이든 물어보세요. 예:', 'chat.none': '아직 대화가 없습니다.',
    'chat.intent': '의도', 'chat.trace': '자세히', 'chat.thinking': '생각 중…', 'chat.rate': '요청이 너무 많습니다. {s}초 후 다시 시도하세요.',
    'dash.title': '오늘의 매장 현황', 'dash.refresh': '새로 고침', 'dash.atRisk': '폐기 위험 상품', 'dash.asOf': '기준 시각',
    'dash.stores': '매장', 'dash.threshold': '위험 기준 (예상 폐기율)', 'dash.waste': '매장별 · 상품별 폐기 위험',
    'dash.item': '상품', 'dash.stock': '재고', 'dash.remaining': '남은 예상 판매', 'dash.ewr': '예상 폐기율',
    'dash.pushes': '푸시 대기열', 'dash.noPushes': '이 날의 푸시가 없습니다.', 'dash.plugins': '플러그인 상태',
    'dash.status': '상태', 'dash.segment': '세그먼트', 'dash.attempts': '시도', 'dash.updated': '갱신',
    'dash.store': '매장', 'dash.plugin': '플러그인', 'dash.version': '버전', 'dash.health': '헬스', 'dash.restarts': '재시작',
    'dash.breaker': '차단기', 'dash.tools': '도구', 'dash.model': '모델', 'dash.noRisk': '위험 상품 없음', 'dash.items': '{n}개 위험',
    'dash.chart': '매장별 최고 예상 폐기율 차트',
    examples: [['오늘 폐기될 상품은?', 'waste_forecast'], ['VIP 고객은 뭘 사?', 'segment_insight'], ['강남점 크루아상 재고 몇 개야?', 'stock_lookup'],
      ['내일 크루아상 몇 개 팔릴까?', 'demand_forecast'], ['겨울 이벤트 기획해줘', 'event_plan'], ['마감 할인 푸시 문구 만들어줘', 'push_copy']],
  },
  en: {
    skip: 'Skip to the question', menu: 'Open the conversation list', 'nav.chat': 'Chat', 'nav.dashboard': 'Dashboard',
    signout: 'Sign out', lang: '한국어',
    'signin.title': 'Sign in to Crumb', 'signin.lead': 'Paste the API token an admin gave you, or open the sign-in link that crumb serve printed.',
    'signin.token': 'API token', 'signin.submit': 'Sign in',
    'signin.hint': 'Make a token: crumb token create --role marketer --name you · a sign-in link: crumb token link',
    'signin.expired': 'Your sign-in expired or the token is not valid. Please sign in again.',
    'chat.new': '+ New chat', 'chat.conversations': 'Conversations', 'chat.question': 'Question', 'chat.send': 'Send',
    'chat.placeholder': 'which items will be wasted today?', 'chat.empty': 'Ask anything, for example:', 'chat.none': 'No conversations yet.',
    'chat.intent': 'intent', 'chat.trace': 'Details', 'chat.thinking': 'Thinking…', 'chat.rate': 'Too many requests. Try again in {s} s.',
    'dash.title': 'Today in the stores', 'dash.refresh': 'Refresh', 'dash.atRisk': 'Items at risk of waste', 'dash.asOf': 'As of',
    'dash.stores': 'Stores', 'dash.threshold': 'Risk threshold (expected waste rate)', 'dash.waste': 'Waste risk by store and item',
    'dash.item': 'Item', 'dash.stock': 'Stock', 'dash.remaining': 'Still to sell', 'dash.ewr': 'Waste rate',
    'dash.pushes': 'Push queue', 'dash.noPushes': 'No pushes for this day.', 'dash.plugins': 'Plugin health',
    'dash.status': 'Status', 'dash.segment': 'Segment', 'dash.attempts': 'Attempts', 'dash.updated': 'Updated',
    'dash.store': 'Store', 'dash.plugin': 'Plugin', 'dash.version': 'Version', 'dash.health': 'Health', 'dash.restarts': 'Restarts',
    'dash.breaker': 'Breaker', 'dash.tools': 'Tools', 'dash.model': 'Model', 'dash.noRisk': 'no items at risk', 'dash.items': '{n} at risk',
    'dash.chart': 'Chart of the highest expected waste rate by store',
    examples: [['which items will be wasted today?', 'waste_forecast'], ['what do VIPs buy?', 'segment_insight'], ['how many croissants are in stock at Gangnam?', 'stock_lookup'],
      ['how many croissants will we sell tomorrow?', 'demand_forecast'], ['plan a winter event', 'event_plan'], ['write push copy for the closing-time discount', 'push_copy']],
  },
};

const state = {
  lang: localStorage.getItem('crumb.lang') || ((navigator.language || '').toLowerCase().startsWith('ko') ? 'ko' : 'en'),
  token: sessionStorage.getItem('crumb.token') || '',
  me: null,
  conversation: new URLSearchParams(location.search).get('c') || '',
  busy: false,
  nav: 0, // bumped by every navigation: a late answer for an older view is dropped
};

const $ = (id) => document.getElementById(id);
const t = (key, vars) => {
  let s = (TEXT[state.lang] && TEXT[state.lang][key]) || TEXT.en[key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace('{' + k + '}', v);
  return s;
};

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'style') e.style.cssText = v; // CSSOM, which the page's CSP allows (a style attribute it would not)
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) e.append(c);
  return e;
}

// ---- API ----------------------------------------------------------------

class APIError extends Error {
  constructor(status, body, retryAfter) {
    super((body && body.error && body.error.message) || ('HTTP ' + status));
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + state.token };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (!res.ok) throw apiFailure(res, data);
  return data;
}

function apiFailure(res, data) {
  const err = new APIError(res.status, data, res.headers.get('Retry-After'));
  if (res.status === 401) signedOut(t('signin.expired'));
  return err;
}

function errorText(err) {
  if (err.status === 429) return t('chat.rate', { s: err.retryAfter || '1' });
  return err.message;
}

// streamChat posts a question and calls onEvent with each server-sent
// event (intent, tool_start, tool_done, reply, error) as it arrives.
async function streamChat(body, onEvent) {
  const res = await fetch('/v1/chat/stream', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + state.token, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    let data = null;
    try { data = await res.json(); } catch (_) { /* not JSON */ }
    throw apiFailure(res, data);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const chunk = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = 'message';
      const data = [];
      for (const line of chunk.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(event, JSON.parse(data.join('\n')));
    }
    if (done) return;
  }
}

// ---- sign-in ------------------------------------------------------------

function signedOut(message) {
  state.token = '';
  state.me = null;
  state.conversation = '';
  if (location.search) history.replaceState(null, '', location.pathname); // the conversation was the last user's
  sessionStorage.removeItem('crumb.token');
  $('app').hidden = true;
  $('nav').hidden = true;
  $('menu').hidden = true;
  $('signout').hidden = true;
  $('who').textContent = '';
  $('signin').hidden = false;
  $('signin-error').textContent = message || '';
  $('token').focus();
}

async function signedIn() {
  try {
    state.me = await api('GET', '/v1/me');
  } catch (err) {
    if (err.status !== 401) signedOut(errorText(err));
    return;
  }
  $('signin').hidden = true;
  $('app').hidden = false;
  $('nav').hidden = false;
  $('menu').hidden = false;
  $('signout').hidden = false;
  $('who').replaceChildren(state.me.name, el('span', { class: 'role', text: state.me.role }));
  applyLang(); // the examples depend on the role
  route();
}

async function redeemSigninLink() {
  const m = /^#signin=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (!m) return;
  history.replaceState(null, '', location.pathname + location.search); // the code is used once; drop it from the address bar
  const res = await fetch('/v1/auth/signin', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code: m[1] }) });
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    signedOut((data && data.error && data.error.message) || ('HTTP ' + res.status));
    return false;
  }
  state.token = data.token;
  sessionStorage.setItem('crumb.token', data.token);
  return true;
}

// ---- language -----------------------------------------------------------

function applyLang() {
  document.documentElement.lang = state.lang;
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of document.querySelectorAll('[data-i18n-placeholder]')) e.placeholder = t(e.dataset.i18nPlaceholder);
  for (const e of document.querySelectorAll('[data-i18n-label]')) e.setAttribute('aria-label', t(e.dataset.i18nLabel));
  const other = state.lang === 'ko' ? 'en' : 'ko';
  $('lang').textContent = t('lang');
  $('lang').lang = other;
  $('lang').setAttribute('aria-label', other === 'en' ? 'Switch to English' : '한국어로 보기');
  // Only examples the signed-in role may ask about (GET /v1/me lists its intents).
  const allowed = (state.me && state.me.intents) || [];
  $('examples').replaceChildren(...TEXT[state.lang].examples.filter(([, intent]) => !state.me || allowed.includes(intent)).map(([q]) =>
    el('li', {}, el('button', { type: 'button', text: q, onclick: () => { $('q').value = q; ask(); } }))));
}

// ---- rendering replies --------------------------------------------------

const numberFormat = () => new Intl.NumberFormat(state.lang === 'ko' ? 'ko-KR' : 'en-US', { maximumFractionDigits: 1 });

function renderTable(tb) {
  const fmt = numberFormat();
  const table = el('table', {},
    tb.title ? el('caption', { text: tb.title }) : null,
    el('thead', {}, el('tr', {}, (tb.columns || []).map((c) => el('th', { scope: 'col', text: c })))),
    el('tbody', {}, (tb.rows || []).map((r) => el('tr', {}, r.map((v) =>
      typeof v === 'number' ? el('td', { class: 'num', text: fmt.format(v) }) : el('td', { text: v === null ? '' : String(v) }))))));
  return el('div', { class: 'tablewrap', tabindex: '0', role: 'region', 'aria-label': tb.title || 'table' }, table);
}

function renderChart(svg, spec) {
  if (!svg) return null;
  const title = (spec && spec.title) || 'chart';
  let alt = title;
  if (spec && spec.labels && spec.series && spec.series[0]) {
    const vals = spec.series[0].values || [];
    alt += ': ' + spec.labels.slice(0, 8).map((l, i) => l + ' ' + numberFormat().format(vals[i]) + (spec.unit || '')).join(', ');
  }
  return el('img', { class: 'chart', alt, src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg) });
}

// A card is a plan, a product or a push preview: which one is read from
// its kind; its content is only ever its generic fields.
function renderCard(c) {
  const fields = (c.fields || []).length ? el('dl', {}, c.fields.map((f) => [el('dt', { text: f.label }), el('dd', { text: f.value })])) : null;
  if (/push/i.test(c.kind || '')) {
    return el('article', { class: 'card push', 'aria-label': c.title },
      el('div', { class: 'pushapp' }, el('span', { class: 'icon', 'aria-hidden': 'true', text: 'C' }), 'Crumb Bakery · ' + (state.lang === 'ko' ? '지금' : 'now')),
      el('h3', { text: c.title }),
      c.body ? el('div', { text: c.body }) : null,
      c.subtitle ? el('div', { class: 'cta', text: c.subtitle }) : null,
      fields);
  }
  return el('article', { class: 'card' },
    c.kind ? el('span', { class: 'kind', text: c.kind.replace(/_/g, ' ') }) : null,
    el('h3', { text: c.title }),
    c.subtitle ? el('p', { class: 'sub', text: c.subtitle }) : null,
    c.body ? el('p', { text: c.body }) : null,
    fields);
}

function renderReply(box, r) {
  box.querySelector('.text').textContent = r.text || '';
  box.setAttribute('lang', r.locale || state.lang);
  box.setAttribute('aria-busy', 'false');
  const b = r.blocks || {};
  for (const tb of b.tables || []) box.append(renderTable(tb));
  (r.charts_svg || []).forEach((svg, i) => { const img = renderChart(svg, (b.charts || [])[i]); if (img) box.append(img); });
  if ((b.cards || []).length) box.append(el('div', { class: 'cards' }, b.cards.map(renderCard)));
  const steps = box.querySelector('.steps');
  if (steps && !steps.children.length) {
    for (const c of r.tool_calls || []) steps.append(stepItem(c.id || c.tool, c.error || c.failure ? 'failed' : 'done', c.duration_ms));
  }
  const trace = { intent: r.intent, sub_intent: r.sub_intent, confidence: r.confidence, slots: r.slots, tool_calls: (r.tool_calls || []).map((c) => ({ id: c.id, args: c.args, failure: c.failure, error: c.error, ms: c.duration_ms })), timings: r.timings };
  box.append(el('details', { class: 'trace' }, el('summary', { text: t('chat.trace') }), el('pre', { text: JSON.stringify(trace, null, 1) })));
}

function stepItem(name, cls, ms) {
  return el('li', { class: cls, 'data-tool': name, text: name + (ms !== undefined ? ' · ' + Math.round(ms) + ' ms' : '') });
}

function addUser(text) {
  const m = el('div', { class: 'msg user', text });
  $('log').append(m);
  $('empty').hidden = true;
  return m;
}

function addBot() {
  const box = el('div', { class: 'msg bot', 'aria-busy': 'true' }, el('ul', { class: 'steps', 'aria-label': 'steps' }), el('div', { class: 'text', text: t('chat.thinking') }));
  $('log').append(box);
  return box;
}

// ---- chat ---------------------------------------------------------------

async function ask() {
  const q = $('q');
  const text = q.value.trim();
  if (!text || state.busy) return;
  state.busy = true;
  $('send').disabled = true;
  $('chat-error').textContent = '';
  q.value = '';
  autosize();
  const asked = addUser(text);
  const box = addBot();
  box.scrollIntoView({ block: 'end' });
  const steps = box.querySelector('.steps');
  try {
    await streamChat({ text, conversation_id: state.conversation || undefined }, (event, data) => {
      switch (event) {
        case 'intent':
          steps.append(el('li', { class: 'done', text: t('chat.intent') + ': ' + data.intent + (data.sub_intent ? ' › ' + data.sub_intent : '') + ' (' + Math.round((data.confidence || 0) * 100) + '%)' }));
          break;
        case 'tool_start':
          steps.append(stepItem(data.tool, 'running'));
          break;
        case 'tool_done': {
          const li = [...steps.querySelectorAll('li[data-tool]')].find((x) => x.dataset.tool === data.tool && x.className === 'running');
          const c = data.call || {};
          const done = stepItem(data.tool, c.error || c.failure ? 'failed' : 'done', c.duration_ms);
          if (li) li.replaceWith(done); else steps.append(done);
          break;
        }
        case 'reply': {
          const r = data.reply;
          const fresh = !state.conversation;
          state.conversation = r.conversation_id;
          if (fresh) history.pushState(null, '', '/?c=' + encodeURIComponent(r.conversation_id));
          renderReply(box, r);
          asked.scrollIntoView({ block: 'start' }); // the answer reads from its top
          break;
        }
        case 'error':
          box.querySelector('.text').textContent = data.error.message;
          box.setAttribute('aria-busy', 'false');
          break;
      }
    });
    loadConversations();
  } catch (err) {
    box.remove();
    $('chat-error').textContent = errorText(err);
  } finally {
    state.busy = false;
    $('send').disabled = false;
    q.focus();
  }
}

async function loadConversations() {
  let data;
  try { data = await api('GET', '/v1/conversations'); } catch (err) { $('chat-error').textContent = errorText(err); return; }
  const fmt = new Intl.DateTimeFormat(state.lang === 'ko' ? 'ko-KR' : 'en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const list = data.conversations || [];
  $('convs').replaceChildren(...(list.length ? list.map((c) => el('li', {},
    el('button', { type: 'button', 'aria-current': c.id === state.conversation ? 'true' : 'false', 'data-id': c.id, title: c.title,
      onclick: () => { history.pushState(null, '', '/?c=' + encodeURIComponent(c.id)); closeMenu(); route(); } },
    c.title, el('span', { class: 'when', text: c.channel + ' · ' + fmt.format(new Date(c.updated_at)) })))) : [el('li', { class: 'empty', text: t('chat.none') })]));
}

async function openConversation(id) {
  const nav = state.nav;
  $('log').replaceChildren();
  $('empty').hidden = !!id;
  if (!id) return;
  let data;
  try {
    data = await api('GET', '/v1/conversations/' + encodeURIComponent(id));
  } catch (err) {
    if (nav !== state.nav) return;
    if (err.status === 404) { // not this user's (any more): start afresh
      history.replaceState(null, '', '/');
      state.conversation = '';
      $('empty').hidden = false;
    }
    $('chat-error').textContent = errorText(err);
    return;
  }
  if (nav !== state.nav) return; // the user went elsewhere meanwhile
  let lastAsked = null;
  for (const m of data.messages || []) {
    if (m.role === 'user') { lastAsked = addUser(m.text); continue; }
    const box = addBot();
    if (m.reply) renderReply(box, m.reply); else { box.querySelector('.text').textContent = m.text; box.setAttribute('aria-busy', 'false'); }
  }
  if (lastAsked) lastAsked.scrollIntoView({ block: 'start' });
}

// ---- dashboard ----------------------------------------------------------

async function loadDashboard() {
  const nav = state.nav;
  const body = $('dash-body');
  body.setAttribute('aria-busy', 'true');
  $('dash-error').textContent = '';
  let d;
  try { d = await api('GET', '/v1/dashboard?locale=' + state.lang); } catch (err) { $('dash-error').textContent = errorText(err); body.setAttribute('aria-busy', 'false'); return; }
  if (nav !== state.nav) return;
  const fmt = numberFormat();
  const w = d.waste || {};
  const nodes = [];
  nodes.push(el('div', { class: 'tiles' },
    tile(t('dash.atRisk'), w.error ? '—' : String(w.at_risk), w.at_risk > 0 ? 'risk' : ''),
    tile(t('dash.asOf'), w.date ? w.date + ' ' + w.time : '—'),
    tile(t('dash.threshold'), w.threshold ? fmt.format(w.threshold) + '%' : '—'),
    tile(t('dash.stores'), String((w.stores || []).length))));
  const wastePanel = el('section', { class: 'panel', 'aria-labelledby': 'p-waste' }, el('h2', { id: 'p-waste', text: t('dash.waste') }));
  if (w.error) wastePanel.append(el('p', { class: 'error', text: w.error }));
  if (w.chart_svg) wastePanel.append(el('img', { class: 'chart', id: 'dash-chart', alt: t('dash.chart'), src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(w.chart_svg) }));
  wastePanel.append(el('div', { class: 'stores' }, (w.stores || []).map((s, i) => el('details', { class: 'store', open: s.at_risk > 0 && i < 4 },
    el('summary', {}, el('span', { class: 'name', text: s.name }),
      el('span', { class: 'badge ' + (s.at_risk ? 'risk' : 'ok'), text: s.at_risk ? t('dash.items', { n: s.at_risk }) : t('dash.noRisk') })),
    el('div', { class: 'tablewrap' }, el('table', {},
      el('thead', {}, el('tr', {}, [t('dash.item'), t('dash.stock'), t('dash.remaining'), t('dash.ewr')].map((c) => el('th', { scope: 'col', text: c })))),
      el('tbody', {}, s.items.slice(0, 8).map((it) => el('tr', {},
        el('td', { text: it.name }), el('td', { class: 'num', text: fmt.format(it.stock) }), el('td', { class: 'num', text: fmt.format(it.predicted_remaining) }),
        el('td', { class: 'num' }, el('span', { class: 'meter' + (it.at_risk ? ' risk' : ''), style: 'width:' + Math.round(Math.max(2, Math.min(100, it.ewr)) * 0.4) + 'px' }), ' ' + fmt.format(it.ewr) + '%'))))))))));
  nodes.push(wastePanel);

  const p = d.pushes || {};
  const pushPanel = el('section', { class: 'panel', 'aria-labelledby': 'p-push' }, el('h2', { id: 'p-push', text: t('dash.pushes') + ' · ' + (p.date || '') }));
  if (p.error) pushPanel.append(el('p', { class: 'error', text: p.error }));
  pushPanel.append(el('div', { class: 'chips' }, Object.entries(p.counts || {}).map(([k, v]) => el('span', { class: 'badge', text: k + ' ' + v }))));
  if ((p.items || []).length) {
    pushPanel.append(renderTable({ columns: [t('dash.store'), t('dash.item'), t('dash.status'), t('dash.segment'), t('dash.attempts'), t('dash.updated')],
      rows: p.items.map((it) => [it.store, it.product, it.status + (it.last_error ? ' (' + it.last_error + ')' : ''), it.segment, it.attempts, new Date(it.updated_at).toLocaleTimeString(state.lang)]) }));
  } else if (!p.error) pushPanel.append(el('p', { class: 'empty', text: t('dash.noPushes') }));
  nodes.push(pushPanel);

  const plugins = d.plugins || [];
  nodes.push(el('section', { class: 'panel', 'aria-labelledby': 'p-plugins' }, el('h2', { id: 'p-plugins', text: t('dash.plugins') }),
    el('div', { class: 'tablewrap' }, el('table', {},
      el('thead', {}, el('tr', {}, [t('dash.plugin'), t('dash.version'), t('dash.status'), t('dash.health'), t('dash.restarts'), t('dash.breaker'), t('dash.tools')].map((c) => el('th', { scope: 'col', text: c })))),
      el('tbody', {}, plugins.map((pl) => el('tr', {},
        el('td', { text: pl.name }), el('td', { text: pl.version }),
        el('td', {}, el('span', { class: 'dot ' + (pl.state === 'running' ? 'ok' : 'bad'), 'aria-hidden': 'true' }), pl.state),
        el('td', { text: pl.health + (pl.last_error ? ' — ' + pl.last_error : '') }), el('td', { class: 'num', text: String(pl.restarts) }),
        el('td', { text: pl.breaker }), el('td', { text: (pl.tools || []).join(', ') }))))))));
  body.replaceChildren(...nodes);
  body.setAttribute('aria-busy', 'false');
}

function tile(label, value, cls) {
  return el('div', { class: 'tile ' + (cls || '') }, el('div', { class: 'v', text: value }), el('div', { class: 'l', text: label }));
}

// ---- navigation ---------------------------------------------------------

function route() {
  if (!state.me) return;
  state.nav++;
  const dash = location.pathname === '/dashboard';
  $('chat').hidden = dash;
  $('side').hidden = dash;
  $('dash').hidden = !dash;
  $('menu').hidden = dash;
  $('nav-chat').toggleAttribute('aria-current', !dash);
  $('nav-dash').toggleAttribute('aria-current', dash);
  if (!dash) $('nav-chat').setAttribute('aria-current', 'page'); else $('nav-dash').setAttribute('aria-current', 'page');
  if (dash) { loadDashboard(); return; }
  state.conversation = new URLSearchParams(location.search).get('c') || '';
  openConversation(state.conversation);
  loadConversations();
}

function navigate(ev) {
  const a = ev.target.closest('a[href^="/"]');
  if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  ev.preventDefault();
  history.pushState(null, '', a.getAttribute('href'));
  route();
}

function closeMenu() {
  $('side').classList.remove('open');
  $('menu').setAttribute('aria-expanded', 'false');
}

function autosize() {
  const q = $('q');
  q.style.height = 'auto';
  q.style.height = Math.min(q.scrollHeight + 2, 160) + 'px';
}

async function start() {
  applyLang();
  $('lang').addEventListener('click', () => {
    state.lang = state.lang === 'ko' ? 'en' : 'ko';
    localStorage.setItem('crumb.lang', state.lang);
    applyLang();
    if (state.me) route();
  });
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.token = $('token').value.trim();
    $('token').value = '';
    sessionStorage.setItem('crumb.token', state.token);
    signedIn();
  });
  $('signout').addEventListener('click', async () => {
    try { await api('POST', '/v1/auth/signout'); } catch (_) { /* signed out anyway */ }
    signedOut('');
  });
  $('ask').addEventListener('submit', (ev) => { ev.preventDefault(); ask(); });
  $('q').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); ask(); }
  });
  $('q').addEventListener('input', autosize);
  $('new').addEventListener('click', () => { history.pushState(null, '', '/'); closeMenu(); route(); $('q').focus(); });
  $('refresh').addEventListener('click', loadDashboard);
  $('menu').addEventListener('click', () => {
    const open = $('side').classList.toggle('open');
    $('menu').setAttribute('aria-expanded', String(open));
    if (open) $('new').focus();
  });
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') closeMenu(); });
  $('nav').addEventListener('click', navigate);
  window.addEventListener('popstate', route);

  if (await redeemSigninLink() === false) return;
  if (state.token) signedIn(); else signedOut('');
}

document.addEventListener('DOMContentLoaded', start);
