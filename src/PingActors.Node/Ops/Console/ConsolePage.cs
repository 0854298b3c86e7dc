using System.Text;

namespace PingActors.Node.Ops.Console;

/// <summary>
/// The console page: inline CSS and JavaScript, no external asset, so it works offline and under a
/// <c>default-src 'none'</c> policy. Every figure is written with textContent: channel names come from clients.
/// The ids are what the browser specs read (tests/PingActors.Tests/Ops/ConsoleBrowserSpecs.cs).
/// </summary>
internal static class ConsolePage
{
    public static readonly ReadOnlyMemory<byte> Html = Encoding.UTF8.GetBytes("""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PingActors console</title>
<style>
  :root { --bg: #f6f7f9; --card: #fff; --ink: #1d2330; --dim: #667085; --line: #e3e6eb; --pub: #2f6fdf; --del: #1e9e5a; --bad: #c0362c; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
  header { display: flex; gap: 1.5em; align-items: baseline; padding: .8em 1.2em; background: var(--ink); color: #fff; flex-wrap: wrap; }
  header h1 { font-size: 1.1em; margin: 0; }
  header span { color: #c9cfdb; font-size: .9em; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1em; padding: 1em 1.2em; }
  section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .8em 1em; overflow-x: auto; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: .95em; margin: 0 0 .6em; color: var(--dim); text-transform: uppercase; letter-spacing: .04em; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: .3em .5em; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { color: var(--dim); font-weight: 600; font-size: .85em; }
  td.num, th.num { text-align: right; }
  .tiles { display: flex; gap: 1em; flex-wrap: wrap; }
  .tile { flex: 1 1 8em; padding: .5em .8em; border: 1px solid var(--line); border-radius: 6px; }
  .tile b { display: block; font-size: 1.6em; font-variant-numeric: tabular-nums; }
  .tile small { color: var(--dim); }
  .bad { color: var(--bad); }
  .dim { color: var(--dim); }
  #error { background: #fdecea; color: var(--bad); padding: .6em 1.2em; margin: 0; }
  svg { width: 100%; height: 180px; display: block; }
  .legend span { margin-right: 1.2em; }
  .legend i { display: inline-block; width: 1em; height: .25em; vertical-align: middle; margin-right: .3em; }
</style>
</head>
<body>
<header>
  <h1>PingActors console</h1>
  <span>this node: <b id="self">…</b></span>
  <span>leader: <b id="leader">…</b></span>
  <span>updated: <b id="updated">never</b></span>
</header>
<p id="error" hidden></p>
<main>
  <section class="wide">
    <h2>Cluster</h2>
    <div class="tiles">
      <div class="tile"><b id="total-members">0</b><small>members up / all: <span id="members-up">0</span></small></div>
      <div class="tile"><b id="total-connections">0</b><small>connections</small></div>
      <div class="tile"><b id="total-channels">0</b><small>subscribed channels (per node, summed)</small></div>
      <div class="tile"><b id="rate-published">0</b><small>published / s</small></div>
      <div class="tile"><b id="rate-delivered">0</b><small>delivered / s</small></div>
      <div class="tile"><b id="total-slow">0</b><small>slow-consumer disconnects</small></div>
      <div class="tile"><b id="total-dropped">0</b><small>dropped messages</small></div>
    </div>
  </section>
  <section class="wide">
    <h2>Message rates, last <span id="chart-span">0</span> s (all nodes)</h2>
    <div class="legend"><span><i style="background: var(--pub)"></i>published / s</span><span><i style="background: var(--del)"></i>delivered / s</span><span class="dim">peak <b id="chart-peak">0</b> / s</span></div>
    <svg id="chart" viewBox="0 0 600 160" preserveAspectRatio="none" role="img" aria-label="messages per second" data-points="0" data-peak="0">
      <line x1="0" y1="159.5" x2="600" y2="159.5" stroke="#e3e6eb"/>
      <line x1="0" y1="80" x2="600" y2="80" stroke="#eef0f3" stroke-dasharray="4 4"/>
      <polyline id="line-delivered" fill="none" stroke="#1e9e5a" stroke-width="1.5" vector-effect="non-scaling-stroke" points=""/>
      <polyline id="line-published" fill="none" stroke="#2f6fdf" stroke-width="1.5" vector-effect="non-scaling-stroke" points=""/>
    </svg>
  </section>
  <section>
    <h2>Members</h2>
    <table><thead><tr><th>address</th><th>status</th><th>reachable</th><th>roles</th></tr></thead><tbody id="members"></tbody></table>
  </section>
  <section>
    <h2>Busiest channels, last minute</h2>
    <table><thead><tr><th>channel</th><th class="num">messages</th><th class="num">/ s (10 s)</th><th>sequenced on</th></tr></thead><tbody id="busiest"></tbody></table>
  </section>
  <section class="wide">
    <h2>Nodes</h2>
    <table><thead><tr><th>address</th><th class="num">connections</th><th class="num">channels</th><th class="num">sequenced</th><th class="num">published / s</th><th class="num">delivered / s</th><th class="num">slow-consumer disconnects</th><th class="num">dropped</th><th class="num">fan-out backlog</th></tr></thead><tbody id="nodes"></tbody></table>
  </section>
</main>
<script>
'use strict';
const $ = id => document.getElementById(id);
const text = (id, value) => { $(id).textContent = String(value); };
const last = a => a.length ? a[a.length - 1] : 0;
const rate = v => v.toFixed(1);

function cell(row, value, cls) {
  const td = row.insertCell();
  td.textContent = String(value);
  if (cls) td.className = cls;
  return td;
}

function rows(id, items, fill) {
  const body = $(id);
  body.replaceChildren();
  for (const item of items) fill(body.insertRow(), item);
  if (!items.length) {
    const td = body.insertRow().insertCell();
    td.colSpan = body.parentElement.tHead.rows[0].cells.length;
    td.className = 'dim';
    td.textContent = 'none';
  }
}

function chart(rates) {
  const n = rates.published.length;
  const peak = Math.max(0, ...rates.published, ...rates.delivered);
  const top = Math.max(1, peak);
  const points = series => series.map((v, i) => {
    const x = n > 1 ? (i * 600 / (n - 1)) : 600;
    return x.toFixed(1) + ',' + (159 - v * 150 / top).toFixed(1);
  }).join(' ');
  $('line-published').setAttribute('points', points(rates.published));
  $('line-delivered').setAttribute('points', points(rates.delivered));
  const svg = $('chart');
  svg.dataset.points = String(n);
  svg.dataset.peak = String(peak);
  text('chart-peak', rate(peak));
  text('chart-span', Math.round(n * rates.interval_ms / 1000));
}

function render(d) {
  text('self', d.self);
  text('leader', d.leader || 'none');
  text('updated', new Date(d.at_ms).toLocaleTimeString());
  text('total-members', d.members.length);
  text('members-up', d.members.filter(m => m.status === 'Up').length);
  text('total-connections', d.totals.connections);
  text('total-channels', d.totals.channels);
  text('total-slow', d.totals.slow_consumer_disconnects);
  text('total-dropped', d.totals.dropped);
  text('rate-published', rate(last(d.rates.published)));
  text('rate-delivered', rate(last(d.rates.delivered)));
  chart(d.rates);
  rows('members', d.members, (r, m) => {
    cell(r, m.address + (m.address === d.self ? ' (this node)' : '') + (m.address === d.leader ? ' ★' : ''));
    cell(r, m.status, m.status === 'Up' ? '' : 'bad');
    cell(r, m.reachable ? 'yes' : 'no', m.reachable ? '' : 'bad');
    cell(r, m.roles.join(', '));
  });
  rows('busiest', d.busiest, (r, b) => {
    cell(r, b.channel);
    cell(r, b.last_minute, 'num');
    cell(r, rate(b.per_second), 'num');
    cell(r, b.node, 'dim');
  });
  rows('nodes', d.nodes, (r, n) => {
    cell(r, n.address);
    const f = n.figures;
    if (!f) {
      const td = cell(r, 'no answer', 'bad');
      td.colSpan = 8;
      return;
    }
    cell(r, f.connections, 'num');
    cell(r, f.channels, 'num');
    cell(r, f.channel_entities, 'num');
    cell(r, rate(last(f.rates.published)), 'num');
    cell(r, rate(last(f.rates.delivered)), 'num');
    cell(r, f.slow_consumer_disconnects, f.slow_consumer_disconnects ? 'num bad' : 'num');
    cell(r, f.dropped, 'num');
    cell(r, f.fanout_backlog, 'num');
  });
  document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
}

function problem(message) {
  const e = $('error');
  e.textContent = message;
  e.hidden = false;
}

async function refresh() {
  let wait = 1000;
  try {
    const response = await fetch('/@console/data', { cache: 'no-store', credentials: 'same-origin' });
    if (response.status === 401) {
      problem('Not signed in (or the token changed): open /?token=<pingactors.ops.auth-token> again.');
      wait = 5000;
    } else if (!response.ok) {
      problem('The node answered ' + response.status + '.');
    } else {
      render(await response.json());
      $('error').hidden = true;
    }
  } catch (e) {
    problem('No answer from the node: ' + e.message);
  }
  setTimeout(refresh, wait);
}

refresh();
</script>
</body>
</html>
""");
}
