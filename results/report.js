
(function () {
  'use strict';
  const body = document.body;
  function fail(message) {
    body.setAttribute('data-rendered', 'error');
    const box = document.getElementById('render-error');
    box.textContent = 'The report could not draw its plots: ' + message;
    box.hidden = false;
  }
  window.addEventListener('error', (e) => fail(e.message));

  const OUTCOMES = ['ok', 'fail', 'info'];
  const OUTCOME_COLOR = ['#2e7d32', '#d32f2f', '#ef8f00'];
  const PALETTE = ['#90caf9', '#ce93d8', '#ffcc80', '#a5d6a7', '#f48fb1', '#80deea', '#e6ee9c', '#bcaaa4'];
  const LINE_PALETTE = ['#1565c0', '#6a1b9a', '#00838f', '#ef6c00', '#2e7d32', '#ad1457', '#4e342e', '#37474f'];
  const M = { left: 80, right: 16, top: 22, bottom: 36 };
  let D = null;
  let named = new Set();  // op indices the checkers blamed, outlined in the plots

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function hashColor(text, palette) {
    let h = 0;
    for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
    return palette[Math.abs(h) % palette.length];
  }
  function faultKind(f) { return f.replace(/^start-/, ''); }
  function fmtDuration(us) {
    if (us < 1000) return +us.toPrecision(3) + ' µs';
    if (us < 1e6) return +(us / 1000).toPrecision(3) + ' ms';
    return +(us / 1e6).toPrecision(3) + ' s';
  }
  function niceStep(range, n) {
    const raw = range / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
    return 10 * mag;
  }
  function fmtNumber(x, step) {
    const digits = Math.max(0, -Math.floor(Math.log10(step)));
    return x.toFixed(Math.min(6, digits));
  }

  // A canvas of the container's width with a plot area and a time axis from x0 to x1 (µs).
  function frame(parent, height, x0, x1, left) {
    const canvas = el('canvas');
    parent.appendChild(canvas);
    const width = Math.max(480, parent.clientWidth || 1000);
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    const ctx = canvas.getContext('2d');
    ctx.scale(dpr, dpr);
    const p = { canvas, ctx, width, height, x0, x1, left: left || M.left };
    p.plotW = width - p.left - M.right;
    p.plotH = height - M.top - M.bottom;
    p.x = (us) => p.left + (us - p.x0) / Math.max(1, p.x1 - p.x0) * p.plotW;
    p.t = (x) => p.x0 + (x - p.left) / p.plotW * Math.max(1, p.x1 - p.x0);
    return p;
  }
  function clear(p) {
    p.ctx.clearRect(0, 0, p.width, p.height);
  }
  function clipToPlot(p) {
    p.ctx.save();
    p.ctx.beginPath();
    p.ctx.rect(p.left, M.top, p.plotW, p.plotH);
    p.ctx.clip();
  }
  // Seconds, or op positions for a history without times (stored one per microsecond).
  function timeUnit() { return D.untimed ? 1 : 1e6; }
  function drawTimeAxis(p) {
    const ctx = p.ctx, unit = timeUnit(), s0 = p.x0 / unit, s1 = p.x1 / unit;
    const step = niceStep(Math.max(1e-6, s1 - s0), 10);
    ctx.fillStyle = '#555';
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'center';
    for (let s = Math.ceil(s0 / step) * step; s <= s1 + step * 1e-9; s += step) {
      const x = p.x(s * unit);
      ctx.fillRect(x, M.top + p.plotH, 1, 4);
      ctx.fillText(fmtNumber(s, step), x, M.top + p.plotH + 15);
    }
    ctx.fillText(D.untimed ? 'position in the history (it records no times)' : 'seconds since the run started',
                 p.left + p.plotW / 2, p.height - 4);
    ctx.strokeStyle = '#999';
    ctx.strokeRect(p.left + 0.5, M.top + 0.5, p.plotW, p.plotH);
  }
  // Fault windows shaded (labelled when asked) and lone nemesis ops as dashed lines.
  function drawFaults(p, labelled) {
    const ctx = p.ctx;
    clipToPlot(p);
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'left';
    D.faults.windows.forEach((w, i) => {
      const a = p.x(w.start_us), b = p.x(w.end_us);
      ctx.globalAlpha = 0.35;
      ctx.fillStyle = hashColor(faultKind(w.f), PALETTE);
      ctx.fillRect(a, M.top, Math.max(2, b - a), p.plotH);
      ctx.globalAlpha = 1;
      if (labelled) {
        ctx.fillStyle = '#333';
        ctx.fillText(w.f + (w.closed ? '' : ' (never stopped)'), a + 3, M.top + 11 + (i % 3) * 12);
      }
    });
    ctx.strokeStyle = '#555';
    ctx.setLineDash([3, 3]);
    D.faults.markers.forEach((m, i) => {
      const x = p.x(m.t_us);
      ctx.beginPath();
      ctx.moveTo(x + 0.5, M.top);
      ctx.lineTo(x + 0.5, M.top + p.plotH);
      ctx.stroke();
      if (labelled) {
        ctx.fillStyle = '#333';
        ctx.fillText(m.f, x + 3, M.top + p.plotH - 4 - (i % 3) * 12);
      }
    });
    ctx.setLineDash([]);
    ctx.restore();
  }
  function legend(parent, items) {
    const box = el('div', 'legend');
    for (const [color, label] of items) {
      const item = el('span');
      const swatch = el('span', 'swatch');
      swatch.style.background = color;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(label));
      box.appendChild(item);
    }
    parent.appendChild(box);
  }
  function faultLegend(parent) {
    const kinds = new Map();
    for (const w of D.faults.windows) kinds.set(faultKind(w.f), hashColor(faultKind(w.f), PALETTE));
    if (kinds.size) legend(parent, [...kinds].map(([k, c]) => [c, 'fault: ' + k]));
  }

  function renderLatency() {
    const host = document.getElementById('latency');
    const L = D.latency, points = L.points;
    if (D.untimed) { host.appendChild(el('p', 'note', 'The history records no times, so there are no latencies.')); return; }
    if (!points.length) { host.appendChild(el('p', 'note', 'No client operation completed.')); return; }
    if (!L.exact) {
      host.appendChild(el('p', 'note', points.length + ' points stand for ' + L.ops +
        ' operations: operations in the same small cell of time and latency are drawn as the slowest of them.'));
    }
    let lo = Infinity, hi = -Infinity;
    const byF = new Map();
    for (const pt of points) {
      lo = Math.min(lo, pt[1]);
      hi = Math.max(hi, pt[1]);
      if (!byF.has(pt[2])) byF.set(pt[2], []);
      byF.get(pt[2]).push(pt);
    }
    const ylo = Math.floor(Math.log10(lo)), yhi = Math.max(ylo + 1, Math.ceil(Math.log10(hi)));
    legend(host, OUTCOMES.map((o, i) => [OUTCOME_COLOR[i], o]));
    faultLegend(host);
    for (const f of [...byF.keys()].sort((a, b) => a - b)) {
      const pts = byF.get(f);
      const wrap = el('div', 'plot');
      host.appendChild(wrap);
      const counts = [0, 0, 0];
      for (const pt of pts) counts[pt[3]] += pt[4];
      wrap.appendChild(el('h3', null, ':' + D.fs[f] + ' — ' +
        OUTCOMES.map((o, i) => counts[i] + ' ' + o).join(', ')));
      const p = frame(wrap, 240, 0, D.duration_us);
      const y = (us) => M.top + p.plotH - (Math.log10(us) - ylo) / (yhi - ylo) * p.plotH;
      drawFaults(p, true);
      const ctx = p.ctx;
      ctx.font = '11px sans-serif';
      ctx.textAlign = 'right';
      for (let k = ylo; k <= yhi; k++) {
        const yy = Math.round(y(Math.pow(10, k))) + 0.5;
        ctx.strokeStyle = '#eee';
        ctx.beginPath(); ctx.moveTo(p.left, yy); ctx.lineTo(p.left + p.plotW, yy); ctx.stroke();
        ctx.fillStyle = '#555';
        ctx.fillText(fmtDuration(Math.pow(10, k)), p.left - 6, yy + 4);
      }
      // ok first, failures and unknowns on top so they stay visible.
      for (const outcome of [0, 2, 1]) {
        ctx.fillStyle = OUTCOME_COLOR[outcome];
        ctx.globalAlpha = outcome === 0 ? 0.5 : 0.85;
        for (const pt of pts) if (pt[3] === outcome) ctx.fillRect(p.x(pt[0]) - 1.5, y(pt[1]) - 1.5, 3, 3);
      }
      ctx.globalAlpha = 1;
      ctx.strokeStyle = '#000';
      for (const pt of pts) if (named.has(pt[5])) ctx.strokeRect(p.x(pt[0]) - 4.5, y(pt[1]) - 4.5, 9, 9);
      drawTimeAxis(p);
    }
  }

  function drawYAxisLinear(p, max, fmt) {
    const ctx = p.ctx, step = niceStep(max || 1, 5);
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'right';
    for (let v = 0; v <= max + step * 1e-9; v += step) {
      const yy = Math.round(p.y(v)) + 0.5;
      ctx.strokeStyle = '#eee';
      ctx.beginPath(); ctx.moveTo(p.left, yy); ctx.lineTo(p.left + p.plotW, yy); ctx.stroke();
      ctx.fillStyle = '#555';
      ctx.fillText(fmt(v, step), p.left - 6, yy + 4);
    }
  }
  function polyline(p, pts, color) {
    const ctx = p.ctx;
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    pts.forEach(([x, y], i) => (i ? ctx.lineTo(p.x(x), p.y(y)) : ctx.moveTo(p.x(x), p.y(y))));
    ctx.stroke();
    ctx.lineWidth = 1;
  }

  function renderThroughput() {
    const host = document.getElementById('throughput');
    const T = D.throughput, seconds = T.bucket_us / 1e6;
    if (D.untimed) { host.appendChild(el('p', 'note', 'The history records no times, so there is no throughput.')); return; }
    const series = OUTCOMES.map((o) => T[o].map((n, i) => [(i + 0.5) * T.bucket_us, n / seconds]));
    const max = Math.max(0, ...series.flat().map((s) => s[1]));
    if (max === 0) { host.appendChild(el('p', 'note', 'No client operation completed.')); return; }
    legend(host, OUTCOMES.map((o, i) => [OUTCOME_COLOR[i], o + ' per second']));
    const p = frame(host, 220, 0, D.duration_us);
    p.y = (v) => M.top + p.plotH - v / (max * 1.05) * p.plotH;
    drawFaults(p, true);
    drawYAxisLinear(p, max, (v, step) => fmtNumber(v, step));
    clipToPlot(p);
    series.forEach((s, i) => { if (s.some((x) => x[1] > 0)) polyline(p, s, OUTCOME_COLOR[i]); });
    p.ctx.restore();
    drawTimeAxis(p);
  }

  function renderClocks() {
    const host = document.getElementById('clocks');
    const nodes = Object.keys(D.clocks);
    if (!nodes.length) {
      host.appendChild(el('p', 'note', 'No clock offsets were recorded: no clock fault ran.'));
      return;
    }
    let lo = 0, hi = 0;
    for (const n of nodes) for (const s of D.clocks[n]) { lo = Math.min(lo, s[1]); hi = Math.max(hi, s[1]); }
    if (hi === lo) hi = lo + 1;
    legend(host, nodes.map((n, i) => [LINE_PALETTE[i % LINE_PALETTE.length], n]));
    const p = frame(host, 220, 0, D.duration_us);
    p.y = (v) => M.top + p.plotH - (v - lo) / (hi - lo) * p.plotH * 0.92 - p.plotH * 0.04;
    drawFaults(p, false);
    const ctx = p.ctx, step = niceStep(hi - lo, 5);
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'right';
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      ctx.fillStyle = '#555';
      ctx.fillText(fmtNumber(v, step) + ' s', p.left - 6, p.y(v) + 4);
    }
    clipToPlot(p);
    nodes.forEach((n, i) => {
      const color = LINE_PALETTE[i % LINE_PALETTE.length];
      const stepped = [];
      for (const [t, v] of D.clocks[n]) {
        if (stepped.length) stepped.push([t, stepped[stepped.length - 1][1]]);
        stepped.push([t, v]);
      }
      stepped.push([D.duration_us, stepped[stepped.length - 1][1]]);
      polyline(p, stepped, color);
      ctx.fillStyle = color;
      for (const [t, v] of D.clocks[n]) ctx.fillRect(p.x(t) - 2, p.y(v) - 2, 4, 4);
    });
    ctx.restore();
    drawTimeAxis(p);
  }

  // The timeline: one lane per process, a bar from invocation to completion. Large histories come
  // as aggregated cells plus a few windows of exact bars; drag to zoom, double-click to reset.
  function renderTimeline() {
    const host = document.getElementById('timeline');
    const TL = D.timeline, lanes = TL.lanes;
    const tooltip = document.getElementById('tooltip');
    if (!lanes.length) { host.appendChild(el('p', 'note', 'The history is empty.')); return; }
    const views = [];
    if (TL.mode === 'exact') {
      views.push({ label: 'whole run: every operation', bars: TL.bars });
    } else {
      views.push({ label: 'whole run: aggregated', cells: TL.cells });
      for (const w of TL.windows) views.push({ label: w.label + ' (every operation)', bars: w.bars });
    }
    const toolbar = el('div', 'toolbar');
    const select = el('select');
    views.forEach((v, i) => { const o = el('option', null, v.label); o.value = i; select.appendChild(o); });
    const reset = el('button', null, 'reset zoom');
    toolbar.appendChild(select);
    toolbar.appendChild(reset);
    toolbar.appendChild(el('span', 'note', TL.mode === 'exact'
      ? 'Hover a bar for its operation; operations a checker named are outlined. Drag to zoom, double-click to reset.'
      : 'The whole run is drawn as cells: each stacks the shares of its operations that were ok, info and fail, darker when busier; ' +
        'choose a window to see every operation in it (those a checker named are outlined). Drag to zoom, double-click to reset.'));
    if (TL.folded) toolbar.appendChild(el('span', 'note', 'Processes are folded into worker threads (process mod ' + (lanes.length - (lanes[0] === 'nemesis' ? 1 : 0)) + ').'));
    host.appendChild(toolbar);
    legend(host, OUTCOMES.map((o, i) => [OUTCOME_COLOR[i], o]));
    const laneH = lanes.length > 60 ? 6 : lanes.length > 25 ? 10 : 16;
    const canvasHost = el('div');
    host.appendChild(canvasHost);
    const p = frame(canvasHost, M.top + lanes.length * laneH + M.bottom, 0, D.duration_us, 110);
    let view = views[0], byLane = [];

    // The whole run spans the same time as the plots above; a window spans its own ops.
    function extent(v) {
      if (v === views[0]) return [0, D.duration_us];
      let a = Infinity, b = -Infinity;
      for (const bar of v.bars) { a = Math.min(a, bar[1]); b = Math.max(b, bar[2]); }
      return a <= b ? [a, Math.max(b, a + 1)] : [0, D.duration_us];
    }
    function choose(i) {
      view = views[i];
      byLane = lanes.map(() => []);
      for (const bar of view.bars || []) byLane[bar[0]].push(bar);
      [p.x0, p.x1] = extent(view);
      draw();
    }
    function draw() {
      clear(p);
      const ctx = p.ctx;
      drawFaults(p, true);
      ctx.font = '11px sans-serif';
      ctx.textAlign = 'right';
      ctx.fillStyle = '#555';
      const every = Math.ceil(12 / laneH);
      lanes.forEach((name, i) => { if (i % every === 0) ctx.fillText(name, p.left - 6, M.top + i * laneH + laneH / 2 + 4); });
      clipToPlot(p);
      if (view.bars) {
        for (const bar of view.bars) {
          if (bar[2] < p.x0 || bar[1] > p.x1) continue;
          const a = p.x(bar[1]), b = p.x(bar[2]);
          ctx.fillStyle = OUTCOME_COLOR[bar[3]];
          ctx.fillRect(a, M.top + bar[0] * laneH + 1, Math.max(1, b - a), laneH - 2);
          if (named.has(bar[5])) {
            ctx.strokeStyle = '#000';
            ctx.lineWidth = 2;
            ctx.strokeRect(a - 1, M.top + bar[0] * laneH, Math.max(1, b - a) + 2, laneH);
            ctx.lineWidth = 1;
          }
        }
      } else {
        const span = D.duration_us + 1, width = span / TL.columns;
        let most = 1;
        for (const c of view.cells) most = Math.max(most, c[2] + c[3] + c[4]);
        for (const c of view.cells) {
          const t0 = c[1] * width, t1 = t0 + width;
          if (t1 < p.x0 || t0 > p.x1) continue;
          const a = p.x(t0), b = p.x(t1), n = c[2] + c[3] + c[4];
          // A stack of the cell's outcomes: ok at the bottom, then info, failures on top.
          ctx.globalAlpha = 0.35 + 0.65 * n / most;
          let y = M.top + (c[0] + 1) * laneH - 1;
          for (const outcome of [0, 2, 1]) {
            const h = (laneH - 2) * c[2 + outcome] / n;
            if (!h) continue;
            y -= h;
            ctx.fillStyle = OUTCOME_COLOR[outcome];
            ctx.fillRect(a, y, Math.max(1, b - a), Math.max(1, h));
          }
        }
        ctx.globalAlpha = 1;
      }
      ctx.restore();
      drawTimeAxis(p);
    }
    function describeAt(x, y) {
      const lane = Math.floor((y - M.top) / laneH);
      if (lane < 0 || lane >= lanes.length || x < p.left || x > p.left + p.plotW) return null;
      const t = p.t(x), slack = 3 * (p.x1 - p.x0) / p.plotW;
      if (view.bars) {
        let best = null;
        for (const bar of byLane[lane])
          if (bar[1] - slack <= t && t <= bar[2] + slack && (!best || bar[2] - bar[1] < best[2] - best[1])) best = bar;
        if (!best) return null;
        return 'op ' + best[5] + ' · ' + lanes[lane] + ' · :' + D.fs[best[4]] + ' · ' + OUTCOMES[best[3]] +
          '\n' + (D.untimed ? 'positions ' + best[1] + ' → ' + best[2]
            : (best[1] / 1e6).toFixed(6) + ' s → ' + (best[2] / 1e6).toFixed(6) + ' s (' + fmtDuration(best[2] - best[1]) + ')') +
          '\n' + best[6];
      }
      const col = Math.floor(t / ((D.duration_us + 1) / TL.columns));
      const cell = view.cells.find((c) => c[0] === lane && c[1] === col);
      if (!cell) return null;
      return lanes[lane] + ' · ' + (D.untimed ? 'position ' + Math.round(t) : (t / 1e6).toFixed(3) + ' s') + '\n' + cell[2] + ' ok, ' + cell[3] + ' fail, ' + cell[4] + ' info';
    }
    let dragFrom = null;
    p.canvas.addEventListener('mousemove', (e) => {
      const r = p.canvas.getBoundingClientRect();
      const text = describeAt(e.clientX - r.left, e.clientY - r.top);
      tooltip.hidden = !text;
      if (text) {
        tooltip.textContent = text;
        tooltip.style.left = Math.min(e.clientX + 14, window.innerWidth - 320) + 'px';
        tooltip.style.top = (e.clientY + 14) + 'px';
      }
    });
    p.canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });
    p.canvas.addEventListener('mousedown', (e) => { dragFrom = e.clientX - p.canvas.getBoundingClientRect().left; });
    p.canvas.addEventListener('mouseup', (e) => {
      const to = e.clientX - p.canvas.getBoundingClientRect().left;
      if (dragFrom !== null && Math.abs(to - dragFrom) > 5) {
        const a = p.t(Math.min(dragFrom, to)), b = p.t(Math.max(dragFrom, to));
        [p.x0, p.x1] = [Math.max(p.x0, a), Math.min(p.x1, b)];
        draw();
      }
      dragFrom = null;
    });
    p.canvas.addEventListener('dblclick', () => { [p.x0, p.x1] = extent(view); draw(); });
    reset.addEventListener('click', () => { [p.x0, p.x1] = extent(view); draw(); });
    select.addEventListener('change', () => choose(+select.value));
    choose(0);
  }

  try {
    D = JSON.parse(document.getElementById('report-data').textContent);
    const rows = D.named_ops.rows;  // the shallowest in the evidence are the culprits
    named = new Set(rows.filter((r) => r.depth === rows[0].depth).map((r) => r.index));
    renderLatency();
    renderThroughput();
    renderClocks();
    renderTimeline();
    if (body.getAttribute('data-rendered') !== 'error') body.setAttribute('data-rendered', 'ok');
  } catch (e) {
    fail(String((e && e.message) || e));
  }
})();
