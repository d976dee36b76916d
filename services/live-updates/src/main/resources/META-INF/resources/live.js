// The live page: one EventSource on /events, the results kept as tables (the latest record per key, a tombstone
// removes its key), rendered at most every 250 ms. The browser reconnects by itself with Last-Event-ID; when the server
// refuses (503) this page reconnects with ?lastEventId= after a growing delay. On "resync" after an overflow the
// server has moved this page to the newest records and it goes on; on any other resync it starts over with the last
// three hours, at most once per RELOAD_PAUSE.
(function () {
  'use strict';

  const HISTORY = 'PT3H';
  const TOP_PAGES = 5;
  const VIEW_MINUTES = 60;
  const REVENUE_HOURS = 6;
  const FEED_SIZE = 12;
  const KEEP_MILLIS = 3 * 3600000;
  const RELOAD_PAUSE = 30000;
  const TYPES = ['page-views-per-minute', 'purchase-bursts', 'attributed-revenue-hourly', 'orders', 'cart-rejections'];

  const state = {
    views: new Map(),    // page@windowStart -> {page, start, count}
    revenue: new Map(),  // page@windowStart -> {page, start, revenueCents, purchases}
    bursts: new Map(),   // userId@windowStart -> {userId, start, end, purchases}
    orders: [],          // newest first, at most FEED_SIZE
    orderCount: 0,
    rejectionCount: 0,
    lastEventId: null,
    lastEventAt: null
  };
  const seen = { bursts: new Set(), orders: new Set() };
  let source = null;
  let retryDelay = 1000;
  let renderPending = false;
  let lastReload = 0;
  let viewsChart = null;
  let revenueChart = null;

  function setConnection(name) {
    const pill = document.getElementById('connection');
    pill.className = 'pill ' + name;
    pill.dataset.state = name;
    pill.textContent = name;
  }

  function connect(fresh) {
    const url = fresh || !state.lastEventId
      ? 'events?since=' + HISTORY
      : 'events?lastEventId=' + encodeURIComponent(state.lastEventId);
    setConnection('connecting');
    source = new EventSource(url);
    source.onopen = () => { setConnection('live'); retryDelay = 1000; };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        setConnection('closed');
        source.close();
        setTimeout(() => connect(false), retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      } else {
        setConnection('reconnecting');
      }
    };
    source.addEventListener('ready', (e) => { state.lastEventId = e.lastEventId; });
    source.addEventListener('resync', (e) => {
      state.lastEventId = e.lastEventId;
      let reason = '';
      try { reason = JSON.parse(e.data).reason; } catch (ignored) { /* reload below */ }
      setConnection('resync');
      if (reason === 'OVERFLOW') {
        setTimeout(() => { if (source.readyState === EventSource.OPEN) setConnection('live'); }, 2000);
        return;
      }
      source.close();
      clear();
      const wait = Math.max(0, lastReload + RELOAD_PAUSE - Date.now());
      lastReload = Date.now() + wait;
      setTimeout(() => connect(true), wait);
    });
    TYPES.forEach((type) => source.addEventListener(type, (e) => {
      state.lastEventId = e.lastEventId;
      state.lastEventAt = new Date();
      apply(type, JSON.parse(e.data));
      scheduleRender();
    }));
  }

  function clear() {
    state.views.clear();
    state.revenue.clear();
    state.bursts.clear();
    state.orders = [];
    state.orderCount = 0;
    state.rejectionCount = 0;
    state.lastEventId = null;
    scheduleRender();
  }

  function apply(type, record) {
    const value = record.value;
    switch (type) {
      case 'page-views-per-minute':
        if (value === null) state.views.delete(record.key);
        else state.views.set(record.key, { page: value.page, start: Date.parse(value.windowStart), count: value.count });
        break;
      case 'attributed-revenue-hourly':
        if (value === null) state.revenue.delete(record.key);
        else state.revenue.set(record.key, { page: value.page, start: Date.parse(value.windowStart),
          revenueCents: value.revenueCents || {}, purchases: value.purchases });
        break;
      case 'purchase-bursts':
        if (value === null) state.bursts.delete(record.key);
        else state.bursts.set(record.key, { key: record.key, userId: value.userId, start: Date.parse(value.windowStart),
          end: Date.parse(value.windowEnd), purchases: value.purchases });
        break;
      case 'orders':
        if (value !== null) {
          state.orders.unshift(value);
          state.orders.length = Math.min(state.orders.length, FEED_SIZE);
          state.orderCount++;
        }
        break;
      case 'cart-rejections':
        if (value !== null) state.rejectionCount++;
        break;
    }
  }

  function scheduleRender() {
    if (!renderPending) {
      renderPending = true;
      setTimeout(() => { renderPending = false; render(); }, 250);
    }
  }

  function render() {
    renderViews();
    renderRevenue();
    renderBursts();
    renderOrders();
    text('kpi-orders', state.orderCount.toLocaleString());
    text('kpi-rejections', state.rejectionCount.toLocaleString());
    text('kpi-bursts', state.bursts.size.toLocaleString());
    text('last-update', state.lastEventAt ? 'last event ' + state.lastEventAt.toLocaleTimeString([], { hour12: false }) : 'no event yet');
  }

  function newestOf(values, field) {
    return values.reduce((max, v) => (v[field] > max ? v[field] : max), -Infinity);
  }

  function prune(table, field, keepMillis) {
    const newest = newestOf([...table.values()], field);
    for (const [key, v] of table) if (!(v[field] >= newest - keepMillis)) table.delete(key);
  }

  function renderViews() {
    prune(state.views, 'start', KEEP_MILLIS);
    const starts = [...state.views.values()].map((v) => v.start);
    const newest = starts.length ? newestOf([...state.views.values()], 'start') : 0;
    const from = newest - (VIEW_MINUTES - 1) * 60000;
    const shown = [...state.views.values()].filter((v) => v.start >= from);
    const totals = new Map();
    shown.forEach((v) => totals.set(v.page, (totals.get(v.page) || 0) + v.count));
    const top = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP_PAGES).map((e) => e[0]);
    viewsChart.setOption({
      legend: { data: top },
      xAxis: { min: starts.length ? from : null, max: starts.length ? newest : null },
      series: top.map((page) => {
        const data = shown.filter((v) => v.page === page).sort((a, b) => a.start - b.start).map((v) => [v.start, v.count]);
        return { name: page, type: 'line', smooth: true, showSymbol: data.length < 20, symbolSize: 6, data };
      })
    }, { replaceMerge: ['series'] });
    const lastMinute = shown.filter((v) => v.start === newest).reduce((sum, v) => sum + v.count, 0);
    text('kpi-views', starts.length ? lastMinute.toLocaleString() : '–');
  }

  function renderRevenue() {
    prune(state.revenue, 'start', REVENUE_HOURS * 3600000);
    const starts = [...state.revenue.values()].map((r) => r.start);
    const newest = starts.length ? newestOf([...state.revenue.values()], 'start') : 0;
    const hours = [];
    for (let h = REVENUE_HOURS - 1; h >= 0 && starts.length; h--) hours.push(newest - h * 3600000);
    const perHour = new Map(hours.map((h) => [h, {}]));
    const currencies = new Set();
    for (const r of state.revenue.values()) {
      const sums = perHour.get(r.start);
      if (!sums) continue;
      for (const [currency, cents] of Object.entries(r.revenueCents)) {
        currencies.add(currency);
        sums[currency] = (sums[currency] || 0) + cents;
      }
    }
    const list = [...currencies].sort();
    revenueChart.setOption({
      legend: { data: list },
      xAxis: { data: hours.map((h) => new Date(h).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false })) },
      series: list.map((currency) => ({ name: currency, type: 'bar', data: hours.map((h) => (perHour.get(h)[currency] || 0) / 100) }))
    }, { replaceMerge: ['series'] });
    const latest = starts.length ? perHour.get(newest) : {};
    const shown = Object.entries(latest).sort().map(([currency, cents]) => money(cents, currency));
    text('kpi-revenue', shown.length ? shown.join(' · ') : '–');
  }

  function renderBursts() {
    prune(state.bursts, 'end', KEEP_MILLIS);
    const bursts = [...state.bursts.values()]
      .sort((a, b) => b.end - a.end || String(a.userId ?? '').localeCompare(String(b.userId ?? ''))).slice(0, FEED_SIZE);
    feed('bursts', bursts, seen.bursts, (b) => b.key, (b) => [b.userId,
      b.purchases + ' purchases · ' + clock(b.start) + '–' + clock(b.end)]);
  }

  function renderOrders() {
    feed('orders', state.orders, seen.orders, (o) => o.orderId, (o) => [o.userId,
      Object.entries(o.totalCents || {}).sort().map(([c, cents]) => money(cents, c)).join(' · ')
        + ' · ' + (o.lines || []).length + ((o.lines || []).length === 1 ? ' line' : ' lines')]);
  }

  function feed(id, items, seenKeys, keyOf, linesOf) {
    const list = document.getElementById(id);
    list.replaceChildren(...(items.length ? items.map((item) => {
      const li = document.createElement('li');
      const key = keyOf(item);
      li.dataset.key = key;
      if (!seenKeys.has(key)) { li.classList.add('fresh'); seenKeys.add(key); }
      const [who, what] = linesOf(item);
      const a = document.createElement('span'); a.className = 'who'; a.textContent = who;
      const b = document.createElement('span'); b.className = 'what'; b.textContent = what;
      li.append(a, b);
      return li;
    }) : [emptyItem()]));
  }

  function emptyItem() {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = 'none yet';
    return li;
  }

  function money(cents, currency) {
    try {
      return new Intl.NumberFormat([], { style: 'currency', currency }).format(cents / 100);
    } catch (e) {
      return (cents / 100).toFixed(2) + ' ' + currency;
    }
  }

  function clock(millis) {
    return new Date(millis).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
  }

  function text(id, value) {
    document.getElementById(id).textContent = value;
  }

  function charts() {
    const axis = { axisLine: { lineStyle: { color: '#2a313c' } }, splitLine: { lineStyle: { color: '#2a313c' } } };
    viewsChart = echarts.init(document.getElementById('views-chart'), 'dark', { renderer: 'canvas' });
    viewsChart.setOption({
      backgroundColor: 'transparent', animation: false, tooltip: { trigger: 'axis' },
      legend: { top: 0, textStyle: { color: '#e6edf3' } }, grid: { left: 40, right: 16, top: 40, bottom: 28 },
      xAxis: Object.assign({ type: 'time', axisLabel: { formatter: '{HH}:{mm}' } }, axis), yAxis: Object.assign({ type: 'value', minInterval: 1 }, axis), series: []
    });
    revenueChart = echarts.init(document.getElementById('revenue-chart'), 'dark', { renderer: 'canvas' });
    revenueChart.setOption({
      backgroundColor: 'transparent', animation: false, tooltip: { trigger: 'axis' },
      legend: { top: 0, textStyle: { color: '#e6edf3' } }, grid: { left: 56, right: 16, top: 40, bottom: 28 },
      xAxis: Object.assign({ type: 'category', data: [] }, axis), yAxis: Object.assign({ type: 'value' }, axis), series: []
    });
    window.addEventListener('resize', () => { viewsChart.resize(); revenueChart.resize(); });
  }

  // what a test or a curious operator can read from the console
  window.liveDashboard = { state, charts: () => ({ views: viewsChart, revenue: revenueChart }) };

  document.addEventListener('DOMContentLoaded', () => {
    charts();
    render();
    connect(true);
  });
})();
