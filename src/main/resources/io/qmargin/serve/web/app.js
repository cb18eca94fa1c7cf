// The verifier's page: plain JavaScript against the /v1 API, no libraries, nothing from elsewhere.
'use strict';

const state = { key: sessionStorage.getItem('qmarginKey') || '', info: null };

function $(id) { return document.getElementById(id); }

function show(message) { $('message').textContent = message || ''; }

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + state.key };
  const response = await fetch(path, { method, headers, body });
  if (!response.ok) {
    let text = response.status + ' ' + response.statusText;
    try { text = (await response.json()).error; } catch (e) { /* not JSON: keep the status */ }
    throw new Error(text);
  }
  return response;
}

function fmt(x, digits) { return Number(x).toPrecision(digits || 4); }

/** A false accept rate: 9.00e-5 reads better than 0.0000900. */
function rate(x) { return Number(x).toExponential(2); }

async function connect(event) {
  if (event) { event.preventDefault(); }
  state.key = $('api-key').value.trim();
  sessionStorage.setItem('qmarginKey', state.key);
  show('');
  try {
    const info = await (await api('GET', '/v1/info')).json();
    state.info = info;
    const op = info.operating_point;
    $('model-id').textContent = info.model_id;
    $('sample-kind').textContent = info.sample_kind === 'image' ? 'aligned face crops' : 'speech';
    $('threshold').textContent = fmt(op.threshold, 6);
    $('far').textContent = rate(op.far) + ' (target ' + rate(op.target_far) + ', '
      + op.impostors + ' impostor trials)';
    $('tar').textContent = fmt(op.tar, 4) + ' [' + fmt(op.tar_low, 4) + ', ' + fmt(op.tar_high, 4)
      + '] on ' + op.genuines + ' genuine trials';
    $('source').textContent = op.source;
    const accept = info.sample_kind === 'image' ? 'image/*' : 'audio/*,.wav,.flac,.ogg';
    for (const id of ['enrol-files', 'verify-file', 'identify-file']) { $(id).accept = accept; }
    await showFigures(info.figures);
    for (const id of ['model', 'enrol', 'verify', 'identify']) { $(id).hidden = false; }
  } catch (e) {
    show(e.message);
  }
}

async function showFigures(names) {
  const box = $('figures');
  box.textContent = '';
  for (const name of names) {
    const blob = await (await api('GET', '/v1/figures/' + name)).blob();
    const img = document.createElement('img');
    img.id = 'figure-' + name;
    img.alt = name.toUpperCase() + ' of the evaluation';
    img.src = URL.createObjectURL(blob);
    box.appendChild(img);
  }
}

function form(fields) {
  const data = new FormData();
  for (const [name, value] of fields) { data.append(name, value); }
  return data;
}

async function enrol(event) {
  event.preventDefault();
  show('');
  const subject = $('enrol-subject').value.trim();
  const fields = [];
  if (!$('enrol-add').checked) { fields.push(['subject_id', subject]); }
  for (const f of $('enrol-files').files) { fields.push(['sample', f]); }
  const path = $('enrol-add').checked
    ? '/v1/subjects/' + encodeURIComponent(subject) + '/samples' : '/v1/subjects';
  try {
    const r = await (await api('POST', path, form(fields))).json();
    $('enrol-result').textContent = 'enrolled ' + r.subject_id + ' with '
      + r.sample_ids.length + ' sample(s)';
  } catch (e) {
    $('enrol-result').textContent = '';
    show(e.message);
  }
}

function decisionLine(accepted) {
  const span = document.createElement('span');
  span.className = accepted ? 'accept' : 'reject';
  span.textContent = accepted ? 'accept' : 'reject';
  return span;
}

/** A bar from -1 to 1 with the score filled in and the threshold marked. */
function bar(score, threshold) {
  const pos = (x) => Math.max(0, Math.min(100, (x + 1) * 50)) + '%';
  const outer = document.createElement('div');
  outer.className = 'bar';
  const fill = document.createElement('div');
  fill.className = 'score';
  fill.style.width = pos(score);
  const mark = document.createElement('div');
  mark.className = 'threshold';
  mark.style.left = pos(threshold);
  outer.append(fill, mark);
  return outer;
}

async function verify(event) {
  event.preventDefault();
  show('');
  const out = $('verify-result');
  out.textContent = '';
  const data = form([['subject_id', $('verify-subject').value.trim()],
    ['sample', $('verify-file').files[0]]]);
  try {
    const r = await (await api('POST', '/v1/verify', data)).json();
    const line = document.createElement('p');
    line.id = 'verify-decision';
    line.append(decisionLine(r.accepted), ': score ' + fmt(r.score) + ' against threshold '
      + fmt(r.threshold) + ' (operating FAR ' + rate(r.far) + ')');
    line.dataset.score = r.score;
    line.dataset.accepted = r.accepted;
    out.append(line, bar(r.score, r.threshold));
  } catch (e) {
    show(e.message);
  }
}

async function identify(event) {
  event.preventDefault();
  show('');
  const table = $('identify-result');
  table.textContent = '';
  const data = form([['sample', $('identify-file').files[0]], ['k', $('identify-k').value]]);
  try {
    const r = await (await api('POST', '/v1/identify', data)).json();
    const head = table.insertRow();
    for (const h of ['subject', 'score', 'decision']) {
      const th = document.createElement('th');
      th.textContent = h;
      head.appendChild(th);
    }
    for (const c of r.candidates) {
      const row = table.insertRow();
      row.className = 'candidate';
      row.insertCell().textContent = c.subject_id;
      row.insertCell().textContent = fmt(c.score);
      row.insertCell().append(decisionLine(c.accepted));
    }
    if (r.candidates.length === 0) { show('no subjects enrolled'); }
  } catch (e) {
    show(e.message);
  }
}

$('key-form').addEventListener('submit', connect);
$('enrol-form').addEventListener('submit', enrol);
$('verify-form').addEventListener('submit', verify);
$('identify-form').addEventListener('submit', identify);
if (state.key) { $('api-key').value = state.key; connect(); }
