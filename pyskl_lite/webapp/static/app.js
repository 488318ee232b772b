// The page of tools/serve.py: upload (or pick a sample), follow the job, show the results.
// Plain DOM and an SVG chart drawn here: nothing is loaded from elsewhere.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b'];
const STAGES = { extract: 'extracting the skeleton', recognise: 'recognising actions',
                 render: 'drawing the annotated video' };
let info = null;

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

function setBusy(busy) {
  $('upload-button').disabled = busy;
  $('sample-button').disabled = busy;
}

function setProgress(text, fraction) {
  $('progress-section').hidden = false;
  $('status').textContent = text;
  if (fraction === null) $('progress').removeAttribute('value');
  else $('progress').value = fraction;
}

function errorOf(body, status) {
  try { return JSON.parse(body).error || `HTTP ${status}`; } catch (e) { return `HTTP ${status}`; }
}

async function loadInfo() {
  const response = await fetch('/api/info');
  info = await response.json();
  $('model').textContent = `model: ${info.model} · ${info.classes.length} classes · windows of ` +
    `${info.window} skeleton frames every ${info.stride}`;
  $('limits').textContent = `Up to ${info.limits.max_mib} MiB and ${info.limits.max_seconds} s ` +
    `per video. The video stays on this server and is deleted after a while.`;
  for (const name of info.samples) {
    const option = document.createElement('option');
    option.value = option.textContent = name;
    $('sample').appendChild(option);
  }
  $('sample-form').hidden = info.samples.length === 0;
}

function startJob(request) {
  showError('');
  $('results').hidden = true;
  setBusy(true);
  request.then(follow).catch((error) => { showError(error.message); setBusy(false);
                                          $('progress-section').hidden = true; });
}

function upload(file) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/jobs?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) setProgress('uploading', event.loaded / event.total);
    };
    xhr.onload = () => (xhr.status === 202 ? resolve(JSON.parse(xhr.responseText))
                                            : reject(new Error(errorOf(xhr.responseText, xhr.status))));
    xhr.onerror = () => reject(new Error(`${file.name}: the upload failed (connection lost)`));
    setProgress('uploading', 0);
    xhr.send(file);
  });
}

async function analyseSample(name) {
  setProgress('starting', null);
  const response = await fetch(`/api/samples/${encodeURIComponent(name)}`, { method: 'POST' });
  const body = await response.text();
  if (response.status !== 202) throw new Error(errorOf(body, response.status));
  return JSON.parse(body);
}

async function follow(job) {
  while (job.status !== 'done' && job.status !== 'failed') {
    if (job.status === 'queued') {
      setProgress(`queued: ${job.queue_position} video(s) before this one`, null);
    } else if (job.status === 'running') {
      const stage = STAGES[job.stage] || 'starting';
      setProgress(`${stage} (${Math.round(100 * job.progress)}%)`, job.progress);
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    const response = await fetch(`/api/jobs/${job.id}`);
    const body = await response.text();
    if (!response.ok) throw new Error(errorOf(body, response.status));
    job = JSON.parse(body);
  }
  setBusy(false);
  if (job.status === 'failed') {
    $('progress-section').hidden = true;
    showError(job.message);
    return;
  }
  setProgress('done', 1);
  const predictions = await (await fetch(job.links['predictions.json'])).json();
  showResults(job, predictions);
}

function showResults(job, predictions) {
  const video = predictions.video;
  $('video').src = job.links['annotated.webm'];
  $('video-caption').textContent = `${video.name}: ${video.frames} frames, ` +
    `${video.width}×${video.height}, ${video.fps.toFixed(1)} fps; person found in ` +
    `${predictions.frames_with_person} pose frames`;
  const list = $('top5');
  list.replaceChildren();
  for (const item of predictions.top5) {
    const li = document.createElement('li');
    li.textContent = `${item.name} ${(100 * item.score).toFixed(1)}%`;
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = `${Math.max(1, 100 * item.score)}%`;
    li.appendChild(bar);
    list.appendChild(li);
  }
  const stem = job.name.replace(/\.[^.]*$/, '');
  $('download-skeleton').href = job.links['skeleton.pkl'];
  $('download-skeleton').download = `${stem}_skeleton.pkl`;
  $('download-predictions').href = job.links['predictions.json'];
  $('download-predictions').download = `${stem}_predictions.json`;
  $('results').hidden = false;
  $('results').dataset.job = job.id;
  drawChart(predictions);
}

function svg(tag, attributes, parent, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  parent.appendChild(element);
  return element;
}

function niceStep(span) {
  const raw = span / 8;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
}

// One line per class of the video-level top-5: its score in each window, at the window's middle.
function drawChart(predictions) {
  const chart = $('chart');
  chart.replaceChildren();
  $('legend').replaceChildren();
  const [width, height] = [900, 280];
  const margin = { left: 48, right: 12, top: 10, bottom: 34 };
  const windows = predictions.windows.items;
  const seconds = predictions.video.seconds;
  const all = windows.flatMap((w) => w.scores);
  const probabilities = Math.min(...all) >= 0 && Math.max(...all) <= 1;
  const [low, high] = probabilities ? [0, 1] : [Math.min(...all), Math.max(...all) || 1];
  const x = (t) => margin.left + (width - margin.left - margin.right) * t / seconds;
  const y = (v) => height - margin.bottom -
    (height - margin.top - margin.bottom) * (v - low) / ((high - low) || 1);
  for (let i = 0; i <= 4; i += 1) {
    const value = low + (high - low) * i / 4;
    svg('line', { class: 'grid', x1: x(0), x2: x(seconds), y1: y(value), y2: y(value) }, chart);
    svg('text', { x: margin.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, chart,
        probabilities ? `${Math.round(100 * value)}%` : value.toFixed(1));
  }
  const step = niceStep(seconds);
  for (let t = 0; t <= seconds + 1e-9; t += step) {
    svg('line', { class: 'axis', x1: x(t), x2: x(t), y1: y(low), y2: y(low) + 5 }, chart);
    svg('text', { x: x(t), y: height - margin.bottom + 18, 'text-anchor': 'middle' }, chart,
        `${+t.toFixed(2)} s`);
  }
  svg('line', { class: 'axis', x1: x(0), x2: x(seconds), y1: y(low), y2: y(low) }, chart);
  predictions.top5.forEach((item, rank) => {
    const colour = COLOURS[rank % COLOURS.length];
    const points = windows.map((w) => `${x((w.start_s + w.end_s) / 2).toFixed(1)},` +
                                      `${y(w.scores[item.index]).toFixed(1)}`);
    if (points.length === 1) points.push(`${x(seconds).toFixed(1)},${points[0].split(',')[1]}`);
    svg('polyline', { class: 'series', points: points.join(' '), stroke: colour,
                      'data-class': item.name }, chart);
    const entry = document.createElement('span');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = colour;
    entry.append(swatch, item.name);
    $('legend').appendChild(entry);
  });
  const cursor = svg('line', { id: 'cursor', x1: x(0), x2: x(0), y1: y(high), y2: y(low) }, chart);
  const follow = () => {
    const t = Math.min($('video').currentTime, seconds);
    cursor.setAttribute('x1', x(t));
    cursor.setAttribute('x2', x(t));
  };
  $('video').ontimeupdate = follow;
  $('chart-caption').textContent = `(${windows.length} windows of ${predictions.windows.size} ` +
    `skeleton frames, every ${predictions.windows.stride}; the line marks the video's time)`;
}

$('upload-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const file = $('file').files[0];
  if (!file) { showError('choose a video file first'); return; }
  if (info && file.size > info.limits.max_mib * 1048576) {
    showError(`${file.name}: the file is over the ${info.limits.max_mib} MiB limit: ` +
              'upload a shorter or smaller clip');
    return;
  }
  startJob(upload(file));
});

$('sample-form').addEventListener('submit', (event) => {
  event.preventDefault();
  startJob(analyseSample($('sample').value));
});

loadInfo().catch((error) => showError(`cannot reach the server: ${error.message}`));
