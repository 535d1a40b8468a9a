// The fixed parts of the --explain=html page: a light, large-type stylesheet meant for a
// projector, the body skeleton (labels filled in by the script), and the script that draws one
// step at a time from the JSON the page embeds. No network: nothing here loads anything.
#include "render/html_assets.h"

namespace layerlab::render {

const char kHtmlPageCss[] = R"CSS(
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font: 17px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: #14202b; background: #eef2f6; display: flex; flex-direction: column; }
code, .mono, #instruction, #files, #history-path { font-family: ui-monospace, "DejaVu Sans Mono",
  Menlo, Consolas, monospace; }
header { display: flex; align-items: center; gap: 16px; padding: 10px 18px; background: #1d3557;
  color: #fff; }
header h1 { font-size: 20px; margin: 0; flex: 1; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.nav { display: flex; align-items: center; gap: 12px; }
.nav button { font: inherit; font-weight: 600; padding: 6px 16px; border: 0; border-radius: 6px;
  background: #f1faee; color: #1d3557; cursor: pointer; }
.nav button:disabled { opacity: .4; cursor: default; }
#counter { font-size: 22px; font-weight: 700; min-width: 9em; text-align: center; }
.hint { opacity: .7; font-size: 14px; }
main { flex: 1; min-height: 0; display: grid; gap: 12px; padding: 12px;
  grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr);
  grid-template-rows: auto minmax(0, 1fr) minmax(0, 1.1fr);
  grid-template-areas: "step stack" "changes stack" "files history"; }
.card { background: #fff; border-radius: 10px; padding: 10px 14px; box-shadow: 0 1px 3px #0002;
  min-height: 0; overflow: auto; }
.card h2 { font-size: 15px; text-transform: uppercase; letter-spacing: .04em; color: #457b9d;
  margin: 4px 0 6px; display: flex; gap: 10px; align-items: center; }
#step-card { grid-area: step; }
#stack-card { grid-area: stack; display: flex; flex-direction: column; }
#changes-card { grid-area: changes; }
#files-card { grid-area: files; display: flex; flex-direction: column; }
#history-card { grid-area: history; }
.meta { display: flex; gap: 12px; color: #555; font-size: 15px; }
#position { font-weight: 700; color: #1d3557; }
#kind { font-weight: 700; color: #6a4c93; }
#instruction { font-size: 24px; font-weight: 600; margin: 6px 0; word-break: break-word; }
.cache-row { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
#cache { font-weight: 700; padding: 2px 10px; border-radius: 12px; font-size: 15px; }
#cache[data-cache="hit"] { background: #d8f3dc; color: #1b4332; }
#cache[data-cache="miss"] { background: #ffe5d9; color: #9d0208; }
#cache[data-cache="none"] { display: none; }
#cache-why { color: #333; }
#result { margin-top: 6px; font-weight: 600; color: #1d3557; }
#stack { list-style: none; margin: 0; padding: 0; flex: 1; overflow: auto; }
li.layer { display: grid; grid-template-columns: 3.2em minmax(0, 1fr) 6em; gap: 2px 8px;
  padding: 5px 8px; margin-bottom: 4px; border-radius: 6px; background: #f4f7fa;
  border-left: 5px solid #a8dadc; cursor: default; }
li.layer.clickable { cursor: pointer; }
li.layer.new { background: #fff3bf; border-left-color: #f4a261; }
li.layer.base { border-left-color: #999; }
li.layer.writable { border-left-color: #6a4c93; border-style: dashed; }
li.layer .idx { font-weight: 700; color: #457b9d; }
li.layer .by { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-size: 15px; }
li.layer .size { text-align: right; font-weight: 600; }
.bar { display: block; grid-column: 2 / 4; height: 10px; background: #e3e8ee; border-radius: 5px;
  overflow: hidden; }
.fill { display: block; height: 100%; background: #457b9d; border-radius: 5px; }
.fill.nonzero { min-width: 3px; }
li.layer.new .fill { background: #e76f51; }
#virtual-size { margin-top: 6px; font-weight: 700; font-size: 18px; }
#virtual-size .bar { height: 14px; margin-top: 4px; }
#waste { color: #666; font-size: 14px; }
#copyups, #whiteouts, #events, #history { margin: 0 0 8px; padding-left: 1.2em; }
li.copyup .path, li.whiteout .path, li.opaque .path { font-family: ui-monospace, monospace;
  font-weight: 700; }
li.copyup .from { color: #555; font-size: 14px; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 13px;
  font-weight: 700; background: #e9ecef; margin-right: 6px; }
.badge.whiteout { background: #343a40; color: #fff; }
.badge.opaque { background: #6c757d; color: #fff; }
li.empty { color: #888; list-style: none; margin-left: -1.2em; }
#events li { font-size: 13px; color: #444; }
#events .k { font-weight: 700; margin-right: 6px; }
#filter { font: inherit; font-size: 14px; padding: 2px 6px; margin-left: auto; width: 12em; }
#files { list-style: none; margin: 0; padding: 0; overflow: auto; flex: 1; font-size: 14px; }
li.file { padding: 1px 6px; border-radius: 4px; cursor: pointer; display: flex; gap: 8px; }
li.file:hover { background: #edf6f9; }
li.file .name { flex: 1; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
li.file .by { color: #457b9d; font-weight: 700; }
li.file .fsize { color: #666; min-width: 5em; text-align: right; }
li.file[data-change="D"] .name { text-decoration: line-through; color: #9d0208; }
li.file[data-touched="1"] { background: #fff3bf; font-weight: 700; }
li.file[data-future="1"] { opacity: .35; }
li.file.selected { outline: 2px solid #1d3557; }
li.file.hidden { display: none; }
#history li.hist { margin-bottom: 4px; }
#history li.hist.current { background: #fff3bf; }
#history .chg { font-weight: 700; }
#history .chg.A { color: #2d6a4f; } #history .chg.C { color: #b5651d; }
#history .chg.D { color: #9d0208; }
#history button, li.layer button { font: inherit; font-size: 13px; margin-left: 8px;
  cursor: pointer; }
#history-hint { color: #666; margin: 0; }
)CSS";

const char kHtmlPageBody[] = R"HTML(<header>
  <h1 id="title"></h1>
  <div class="nav">
    <button id="prev" type="button" data-label="prev"></button>
    <span id="counter"></span>
    <button id="next" type="button" data-label="next"></button>
    <span class="hint" data-label="keys"></span>
  </div>
</header>
<main>
  <section class="card" id="step-card">
    <div class="meta">
      <span id="kind"></span><span id="position"></span><span id="line"></span>
    </div>
    <div id="instruction"></div>
    <div class="cache-row">
      <span id="cache" data-cache="none"></span><span id="cache-why"></span>
    </div>
    <div id="result"></div>
  </section>
  <section class="card" id="stack-card">
    <h2 data-label="stack"></h2>
    <ol id="stack" data-count="0"></ol>
    <div id="virtual-size" data-bytes="-1"></div>
    <div id="waste"></div>
  </section>
  <section class="card" id="changes-card">
    <h2 data-label="copyups"></h2>
    <ul id="copyups" data-count="0"></ul>
    <h2 data-label="whiteouts"></h2>
    <ul id="whiteouts" data-count="0"></ul>
    <details id="events-box"><summary data-label="events"></summary><ol id="events"></ol></details>
  </section>
  <section class="card" id="files-card">
    <h2><span data-label="files"></span><input id="filter" type="search"></h2>
    <ul id="files" data-count="0"></ul>
  </section>
  <section class="card" id="history-card">
    <h2><span data-label="history"></span><code id="history-path"></code></h2>
    <p id="history-hint" data-label="pick"></p>
    <ol id="history" data-path=""></ol>
  </section>
</main>
)HTML";

const char kHtmlPageJs[] = R"JS(
(function () {
  'use strict';
  // Labels only: the trace's own text is shown as it was recorded.
  var LABELS = {
    en: {
      step: 'Step', prev: '◀ Prev', next: 'Next ▶', keys: '← → to step',
      cache_hit: 'cache hit', cache_miss: 'cache miss', reused: 'reuses image',
      new_layer: 'new layer', metadata: 'no layer, metadata only',
      unfinished: 'the step did not finish', stack: 'Layer stack', virtual_size: 'virtual size',
      base: 'base image (FROM)', writable: 'writable layer (container)', wasted: 'bytes wasted',
      efficiency: 'efficiency', copyups: 'Copy-ups', from: 'from', none: 'none',
      whiteouts: 'Whiteouts and opaque dirs', whiteout: 'whiteout', opaque: 'opaque dir',
      files: 'Files of the final image', filter: 'filter…', history: 'History',
      pick: 'Click a file: which instructions added, changed or deleted it?', A: 'added',
      C: 'changed', D: 'deleted', layer: 'layer', goto: 'go to step',
      events: 'All events of this step', no_report: 'No layer report: no files to show.'
    },
    fr: {
      step: 'Étape', prev: '◀ Précédent', next: 'Suivant ▶', keys: '← → pour avancer',
      cache_hit: 'dans le cache', cache_miss: 'pas dans le cache', reused: "réutilise l'image",
      new_layer: 'nouvelle couche', metadata: 'pas de couche, métadonnées seulement',
      unfinished: "l'étape ne s'est pas terminée", stack: 'Pile de couches',
      virtual_size: 'taille virtuelle', base: 'image de base (FROM)',
      writable: 'couche inscriptible (conteneur)', wasted: 'octets gaspillés',
      efficiency: 'efficacité', copyups: 'Copies vers le haut (copy-up)', from: 'depuis',
      none: 'aucune', whiteouts: 'Whiteouts et répertoires opaques', whiteout: 'whiteout',
      opaque: 'répertoire opaque', files: "Fichiers de l'image finale", filter: 'filtrer…',
      history: 'Historique',
      pick: "Cliquez sur un fichier : quelles instructions l'ont ajouté, modifié ou supprimé ?",
      A: 'ajouté', C: 'modifié', D: 'supprimé', layer: 'couche', goto: "aller à l'étape",
      events: 'Tous les événements de cette étape',
      no_report: 'Pas de rapport de couches : pas de fichiers à montrer.'
    }
  };
  var data = JSON.parse(document.getElementById('layerlab-data').textContent);
  var L = LABELS[data.lang] || LABELS.en, steps = data.steps, report = data.report || null;
  var cur = 0, selected = null, fileItems = {};
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  // Docker's sizes: decimal units, three significant digits ("1.98MB", "6B").
  function human(n) {
    if (n === undefined || n === null || n < 0) return '?';
    var u = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'], i = 0;
    while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return String(Number(n.toPrecision(3))) + u[i];
  }
  function short(id) { return id ? id.replace(/^sha256:/, '').slice(0, 12) : ''; }
  function reportLayer(i) { return report && report.layers[i - 1] ? report.layers[i - 1] : null; }

  var scale = 1;
  steps.forEach(function (s) {
    var sum = 0;
    s.stack.layers.forEach(function (l) { if (l.size > 0) sum += l.size; });
    scale = Math.max(scale, sum, s.stack.vsize || 0);
  });
  function bar(size) {
    var b = el('span', 'bar'), f = el('span', 'fill' + (size > 0 ? ' nonzero' : ''));
    f.style.width = (Math.max(size, 0) / scale * 100).toFixed(2) + '%';
    b.appendChild(f);
    return b;
  }

  document.documentElement.lang = data.lang;
  $('title').textContent = data.title;
  Array.prototype.forEach.call(document.querySelectorAll('[data-label]'), function (e) {
    e.textContent = L[e.getAttribute('data-label')] || '';
  });
  $('filter').placeholder = L.filter;

  // The file browser: built once; each step only changes its highlights.
  function buildFiles() {
    var ul = $('files');
    if (!report) { ul.appendChild(el('li', 'empty', L.no_report)); return; }
    ul.setAttribute('data-count', report.files.length);
    report.files.forEach(function (f) {
      var depth = f.p.split('/').length - 2;
      var li = el('li', 'file');
      li.setAttribute('data-path', f.p);
      li.setAttribute('data-change', f.c);
      li.setAttribute('data-type', f.t);
      var name = el('span', 'name', f.p.slice(f.p.lastIndexOf('/') + 1) + (f.t === 'd' ? '/' : ''));
      name.style.paddingLeft = (depth * 1.1) + 'em';
      var last = f.h.length ? f.h[f.h.length - 1] : null, rl = last ? reportLayer(last[0]) : null;
      var by = el('span', 'by', last ? 'L' + last[0] + ' ' + last[1] : '');
      if (rl) by.title = (L[last[1]] || last[1]) + ': ' + rl.by;
      li.appendChild(name);
      li.appendChild(by);
      li.appendChild(el('span', 'fsize', f.t === 'f' ? human(f.s) : ''));
      li.addEventListener('click', function () { select(f.p); render(); });
      fileItems[f.p] = { li: li, f: f };
      ul.appendChild(li);
    });
  }
  $('filter').addEventListener('input', function () {
    var q = this.value.toLowerCase();
    Object.keys(fileItems).forEach(function (p) {
      fileItems[p].li.classList.toggle('hidden', q !== '' && p.toLowerCase().indexOf(q) < 0);
    });
  });

  function select(path) {
    if (!fileItems[path]) return;
    if (selected && fileItems[selected]) fileItems[selected].li.classList.remove('selected');
    selected = path;
    fileItems[path].li.classList.add('selected');
  }

  function renderHistory(s) {
    var ol = $('history');
    clear(ol);
    ol.setAttribute('data-path', selected || '');
    $('history-path').textContent = selected || '';
    $('history-hint').style.display = selected ? 'none' : '';
    document.body.setAttribute('data-file', selected || '');
    if (!selected) return;
    fileItems[selected].f.h.forEach(function (h) {
      var rl = reportLayer(h[0]), li = el('li', 'hist');
      li.setAttribute('data-layer', h[0]);
      li.setAttribute('data-change', h[1]);
      if (rl && rl.step && s && rl.step === s.n) li.classList.add('current');
      li.appendChild(el('span', 'chg ' + h[1], L[h[1]] || h[1]));
      li.appendChild(document.createTextNode(' ' + L.layer + ' ' + h[0] + ' (' + human(h[2]) +
                                             ') — '));
      li.appendChild(el('code', '', rl ? rl.by : ''));
      if (rl && rl.step) {
        var b = el('button', '', L.goto + ' ' + rl.step);
        b.type = 'button';
        b.addEventListener('click', function () { go(rl.step - 1); });
        li.appendChild(b);
      }
      ol.appendChild(li);
    });
  }

  function renderStack(s) {
    var ol = $('stack'), layers = s.stack.layers;
    clear(ol);
    ol.setAttribute('data-count', layers.length);
    for (var i = layers.length - 1; i >= 0; i--) {
      var l = layers[i], li = el('li', 'layer');
      li.setAttribute('data-index', i + 1);
      li.setAttribute('data-diff-id', l.id);
      li.setAttribute('data-size', l.size);
      li.setAttribute('data-step', l.step);
      if (l['new']) { li.classList.add('new'); li.setAttribute('data-new', '1'); }
      if (l.base) li.classList.add('base');
      if (l.writable) li.classList.add('writable');
      li.appendChild(el('span', 'idx', l.base ? 'FROM' : l.writable ? 'RW' : 'L' + (i + 1)));
      var by = el('span', 'by', l.base ? L.base : l.writable ? L.writable : l.by);
      by.title = (l.id ? l.id + '\n' : '') + l.by;
      li.appendChild(by);
      li.appendChild(el('span', 'size', human(l.size)));
      li.appendChild(bar(l.size));
      if (l.step > 0 && !l.writable && data.build) {
        li.classList.add('clickable');
        li.addEventListener('click', go.bind(null, l.step - 1));
      }
      ol.appendChild(li);
    }
    var v = $('virtual-size');
    clear(v);
    v.setAttribute('data-bytes', s.stack.vsize);
    v.appendChild(document.createTextNode(L.virtual_size + ': ' + human(s.stack.vsize)));
    v.appendChild(bar(s.stack.vsize));
    $('waste').textContent = report ? L.wasted + ' ' + human(report.wasted) + ' · ' +
        L.efficiency + ' ' + (report.efficiency * 100).toFixed(1) + '%' : '';
  }

  function renderChanges(s) {
    var cu = $('copyups'), wo = $('whiteouts'), ev = $('events');
    clear(cu); clear(wo); clear(ev);
    cu.setAttribute('data-count', s.copyups.length);
    s.copyups.forEach(function (c) {
      var li = el('li', 'copyup');
      li.setAttribute('data-path', c.path);
      li.setAttribute('data-bytes', c.bytes);
      li.setAttribute('data-from', c.layer);
      li.appendChild(el('span', 'path', c.path));
      li.appendChild(document.createTextNode(' ' + human(c.bytes) + ' '));
      li.appendChild(el('span', 'from', c.from || (L.from + ' ' + short(c.layer))));
      if (c.why) li.title = c.why;
      cu.appendChild(li);
    });
    if (!s.copyups.length) cu.appendChild(el('li', 'empty', L.none));
    wo.setAttribute('data-count', s.whiteouts.length);
    s.whiteouts.forEach(function (w) {
      var li = el('li', w.kind);
      li.setAttribute('data-path', w.path);
      li.appendChild(el('span', 'badge ' + w.kind, L[w.kind]));
      li.appendChild(el('span', 'path', w.path));
      if (w.why) li.title = w.why;
      wo.appendChild(li);
    });
    if (!s.whiteouts.length) wo.appendChild(el('li', 'empty', L.none));
    s.events.forEach(function (e) {
      var li = el('li');
      li.appendChild(el('span', 'k', e.k));
      li.appendChild(document.createTextNode(e.s + (e.w ? ' — ' + e.w : '')));
      ev.appendChild(li);
    });
  }

  function renderFiles(s) {
    var touched = {}, maxRi = 0, first = null;
    s.touched.forEach(function (p) { touched[p] = true; });
    s.stack.layers.forEach(function (l) { if (l.ri > maxRi) maxRi = l.ri; });
    var dim = data.build && maxRi > 0;
    Object.keys(fileItems).forEach(function (p) {
      var it = fileItems[p], t = touched[p] ? '1' : '0';
      it.li.setAttribute('data-touched', t);
      it.li.setAttribute('data-future', dim && it.f.h.length && it.f.h[0][0] > maxRi ? '1' : '0');
      if (t === '1' && !first) first = it.li;
    });
    var ul = $('files');
    if (first) ul.scrollTop = first.offsetTop - ul.offsetTop - 40;
  }

  function render() {
    var n = steps.length, s = steps[cur];
    document.body.setAttribute('data-step', n ? cur + 1 : 0);
    document.body.setAttribute('data-steps', n);
    $('counter').textContent = L.step + ' ' + (n ? cur + 1 : 0) + ' / ' + n;
    $('prev').disabled = cur <= 0;
    $('next').disabled = cur >= n - 1;
    if (!s) { renderHistory(null); return; }
    $('kind').textContent = data.build ? '' : s.kind;
    $('position').textContent = s.position;
    $('line').textContent = s.line;
    $('instruction').textContent = s.instruction;
    var c = $('cache');
    c.setAttribute('data-cache', s.cache || 'none');
    c.textContent = s.cache === 'hit' ? L.cache_hit : s.cache === 'miss' ? L.cache_miss : '';
    $('cache-why').textContent = s.cache === 'miss' ? s.cache_why :
        s.cache === 'hit' ? L.reused + ' ' + short(s.cache_image) : (s.why || '');
    var r = $('result');
    r.setAttribute('data-layer', s.layer || '');
    r.setAttribute('data-result', s.result || '');
    r.textContent = s.result === 'layer' ? L.new_layer + ' ' + short(s.layer) + ' (' +
        human(s.bytes) + ')' : s.result === 'metadata' ? L.metadata :
        s.result === 'unfinished' ? L.unfinished : (s.detail || '');
    renderStack(s);
    renderChanges(s);
    renderFiles(s);
    renderHistory(s);
    try {
      window.history.replaceState(null, '', '#step=' + (cur + 1) +
          (selected ? '&file=' + encodeURIComponent(selected) : ''));
    } catch (e) { /* some file: URLs refuse it; the page works without */ }
  }

  function go(i) { cur = Math.max(0, Math.min(steps.length - 1, i)); render(); }
  function next() { go(cur + 1); }
  function prev() { go(cur - 1); }
  window.layerlab = {
    go: go, next: next, prev: prev, select: function (p) { select(p); render(); }
  };

  $('next').addEventListener('click', next);
  $('prev').addEventListener('click', prev);
  document.addEventListener('keydown', function (e) {
    if (e.target && e.target.tagName === 'INPUT') return;
    var k = e.key;
    if (k === 'ArrowRight' || k === 'PageDown') { next(); e.preventDefault(); }
    else if (k === 'ArrowLeft' || k === 'PageUp') { prev(); e.preventDefault(); }
    else if (k === 'Home') { go(0); e.preventDefault(); }
    else if (k === 'End') { go(steps.length - 1); e.preventDefault(); }
  });

  function params() {
    var out = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf('=');
      out[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : decodeURIComponent(kv.slice(i + 1));
    });
    return out;
  }
  function applyHash(initial) {
    var p = params(), n = parseInt(p.step, 10);
    if (n >= 1) cur = Math.min(n, steps.length) - 1;
    if (p.file) select(p.file);
    render();
    if (!initial) return;
    for (var k = parseInt(p.next || '0', 10); k > 0; k--) next();
    if (p.press) {
      document.dispatchEvent(new KeyboardEvent('keydown', { key: p.press, bubbles: true }));
    }
  }
  window.addEventListener('hashchange', function () { applyHash(false); });
  buildFiles();
  applyHash(true);
})();
)JS";

}  // namespace layerlab::render
