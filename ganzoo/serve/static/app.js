// The pages of `ganzoo serve`: Runs (/), a run (/runs/NAME) and Play (/play/NAME).
// Everything comes from the JSON API under /api (docs/explorer.md); the Play page's
// controls are the model's `ganzoo sample` options, as the API lists them.
"use strict";

const page = document.getElementById("page");
const crumbs = document.getElementById("crumbs");
let refreshTimer = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const enc = name => encodeURIComponent(name);
const api = name => `/api/runs/${enc(name)}`;

async function getJSON(url) {
  const response = await fetch(url, {cache: "no-store"});
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function showError(where, error) {
  where.replaceChildren(el("p", {class: "error"}, String(error.message || error)));
}

function stateBadge(state) { return el("span", {class: `state ${state}`}, state); }

function scoresText(evaluation) {
  const parts = [];
  for (const [metric, values] of Object.entries(evaluation || {})) {
    for (const [key, value] of Object.entries(values)) {
      parts.push(`${metric}.${key} ${Number.isInteger(value) ? value : value.toFixed(4)}`);
    }
  }
  return parts.join(", ");
}

function steps(run) {
  if (run.steps_done === null) return "–";
  if (run.total_steps) return `${run.steps_done} / ${run.total_steps}`;
  // A run asked for epochs, whose length run.json does not hold: its epochs tell how far it is.
  return run.epochs ? `${run.steps_done} (epoch ${run.epochs_done} / ${run.epochs})` : String(run.steps_done);
}

function every(seconds, action) {
  clearInterval(refreshTimer);
  refreshTimer = setInterval(action, seconds * 1000);
}

// ---------------------------------------------------------------- Runs
async function runsPage() {
  document.title = "ganzoo: runs";
  crumbs.replaceChildren();
  const draw = async () => {
    let runs;
    try { runs = await getJSON("/api/runs"); } catch (error) { return showError(page, error); }
    const rows = runs.map(run => el("tr", {"data-run": run.name},
      el("td", {class: "thumb"}, run.latest_grid !== null
        ? el("img", {src: `${api(run.name)}/grids/${run.latest_grid}.png`, alt: `latest grid of ${run.name}`})
        : el("span", {class: "muted"}, "no grid")),
      el("td", {}, el("a", {href: `/runs/${enc(run.name)}`}, run.name)),
      el("td", {}, run.plugin || "?"),
      el("td", {}, run.data || ""),
      el("td", {}, steps(run)),
      el("td", {}, stateBadge(run.state)),
      el("td", {class: "scores"}, scoresText(run.evaluation) || el("span", {class: "muted"}, "not evaluated")),
      el("td", {}, el("a", {href: `/play/${enc(run.name)}`}, "play"))));
    page.replaceChildren(
      el("h1", {}, `Runs (${runs.length})`),
      runs.length ? el("table", {id: "runs"},
        el("tr", {}, ["", "run", "plugin", "data", "steps", "state", "scores", ""].map(h => el("th", {}, h))),
        rows) : el("p", {class: "muted"}, "No run folders found (a run folder holds run.json)."));
    // Poll often while something trains, now and then otherwise (a new run may start).
    every(runs.some(run => run.state === "training") ? 3 : 15, draw);
  };
  await draw();
}

// ---------------------------------------------------------------- one run
function lossPlots(container, runs) {
  const columns = [];
  for (const run of runs) {
    for (const column of run.metrics.columns.slice(1)) if (!columns.includes(column)) columns.push(column);
  }
  container.replaceChildren();
  if (!columns.length) { container.append(el("p", {class: "muted"}, "metrics.csv has no rows yet.")); return; }
  for (const column of columns) {
    const canvas = el("canvas", {class: "plot", style: "width: 370px; height: 220px", "data-metric": column});
    container.append(el("div", {class: "card"}, canvas));
    const series = runs.map((run, i) => {
      const index = run.metrics.columns.indexOf(column);
      return {label: run.name, color: PLOT_COLORS[i % PLOT_COLORS.length],
              points: index < 0 ? [] : run.metrics.rows.map(row => [row[0], row[index]])};
    });
    plotLines(canvas, {title: column, xlabel: run0Axis(runs), series});
  }
}

function run0Axis(runs) { return runs[0].metrics.columns[0] || "epoch"; }

function gridViewer(run) {
  const box = el("div", {class: "grid-view card", id: "grids", "data-count": run.grids.length});
  if (!run.grids.length) { box.append(el("p", {class: "muted"}, "No grid yet.")); return box; }
  const image = el("img", {id: "grid-image", alt: "grid"});
  const label = el("span", {id: "grid-label"});
  const slider = el("input", {type: "range", id: "grid-slider", min: 0, max: run.grids.length - 1,
                              value: run.grids.length - 1, step: 1});
  const show = () => {
    const epoch = run.grids[Number(slider.value)];
    image.src = `${api(run.name)}/grids/${epoch}.png`;
    label.textContent = ` epoch ${epoch} (${Number(slider.value) + 1} of ${run.grids.length})`;
  };
  slider.addEventListener("input", show);
  show();
  box.append(el("div", {}, slider, label), image);
  return box;
}

function table(object) {
  return el("table", {}, Object.entries(object).map(([k, v]) =>
    el("tr", {}, el("th", {}, k), el("td", {}, typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)))));
}

async function runPage(name) {
  document.title = `ganzoo: ${name}`;
  crumbs.replaceChildren(el("a", {href: "/"}, "runs"), el("span", {}, name));
  const compared = new URLSearchParams(location.search).getAll("compare");
  const draw = async (first) => {
    let run, all, others;
    try {
      [run, all] = await Promise.all([getJSON(api(name)), getJSON("/api/runs")]);
      others = await Promise.all(compared.map(other => getJSON(api(other))));
    } catch (error) { return showError(page, error); }
    if (!first) {   // while it trains: new curves and grids, the rest stays as the user left it
      lossPlots(document.getElementById("plots"), [run, ...others]);
      document.getElementById("state").replaceChildren(stateBadge(run.state), ` ${steps(run)} steps`);
      const grids = document.getElementById("grids");
      if (grids && Number(grids.dataset.count) !== run.grids.length) grids.replaceWith(gridViewer(run));
      return;
    }
    const plots = el("div", {class: "cards", id: "plots"});
    const choices = el("div", {class: "compare"}, Object.values(all).filter(r => r.name !== name).map(r =>
      el("label", {}, el("input", {type: "checkbox", value: r.name, checked: compared.includes(r.name),
        onchange: event => {
          const params = new URLSearchParams(location.search);
          const chosen = new Set(params.getAll("compare"));
          event.target.checked ? chosen.add(r.name) : chosen.delete(r.name);
          params.delete("compare");
          for (const c of chosen) params.append("compare", c);
          location.search = params.toString();
        }}), ` ${r.name}`)));
    const scores = run.evaluation_file
      ? [table(Object.fromEntries(Object.entries(run.evaluation).flatMap(([m, values]) =>
          Object.entries(values).map(([k, v]) => [`${m}.${k}`, v])))),
         el("p", {class: "muted"}, `source ${run.evaluation_file.source}, split ${run.evaluation_file.split}, ` +
            `n ${run.evaluation_file.n}, seed ${run.evaluation_file.seed}`)]
      : [el("p", {class: "muted"}, `Not evaluated yet: ganzoo evaluate RUN writes evaluation.json.`)];
    page.replaceChildren(
      el("h1", {}, `${name} `, el("span", {class: "muted"}, `${run.plugin}, ${run.data}`)),
      el("p", {id: "state"}, stateBadge(run.state), ` ${steps(run)} steps`, "  ",
         el("a", {href: `/play/${enc(name)}`, id: "play-link"}, "play with this model")),
      el("h2", {}, "Losses"), plots,
      choices.childElementCount ? el("div", {}, el("span", {class: "muted"}, "compare with: "), choices) : null,
      el("h2", {}, "Grids over the epochs"), gridViewer(run),
      el("h2", {}, "Scores (evaluation.json)"), ...scores,
      el("h2", {}, "Configuration (run.json)"), el("pre", {id: "config"}, JSON.stringify(run.run, null, 2)));
    lossPlots(plots, [run, ...others]);
    if (run.state === "training") every(5, () => draw(false)); else clearInterval(refreshTimer);
  };
  await draw(true);
}

// ---------------------------------------------------------------- Play
function control(option) {
  const id = `opt-${option.key}`;
  let input;
  if (option.upload) input = el("input", {type: "file", id, accept: "image/png,image/jpeg"});
  else if (option.is_flag) input = el("input", {type: "checkbox", id, checked: option.default === true});
  else if (option.type === "int") input = el("input", {type: "number", id, step: 1, value: option.default ?? ""});
  else if (option.type === "float") input = el("input", {type: "number", id, step: 0.05, value: option.default ?? ""});
  else input = el("input", {type: "text", id, value: option.default ?? ""});
  input.dataset.key = option.key;
  if (option.always) input.dataset.always = "1";
  input.dataset.default = option.default === null || option.default === undefined ? "" : String(option.default);
  return [el("label", {for: id}, option.flag), input, el("div", {class: "help"}, option.help)];
}

function queryOf(controls) {
  // Only what differs from the option's default: the URL and the command stay short.
  const params = new URLSearchParams();
  for (const input of controls) {
    const key = input.dataset.key;
    if (input.type === "file") continue;
    if (input.type === "checkbox") { if (input.checked) params.set(key, "1"); continue; }
    if (input.dataset.always) params.set(key, input.value || input.dataset.default);
    else if (input.value !== "" && input.value !== input.dataset.default) params.set(key, input.value);
  }
  return params;
}

function shellWord(text) { return /^[\w.\/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`; }

function enlarge(image, width) {
  // Small pictures are shown larger, pixel for pixel (nearest neighbour), up to about `width`.
  const show = () => {
    const factor = Math.max(1, Math.floor(width / image.naturalWidth));
    image.style.width = `${image.naturalWidth * factor}px`;
  };
  if (image.complete && image.naturalWidth) show(); else image.addEventListener("load", show, {once: true});
}

async function playPage(name) {
  document.title = `ganzoo: play ${name}`;
  crumbs.replaceChildren(el("a", {href: "/"}, "runs"), el("a", {href: `/runs/${enc(name)}`}, name),
                         el("span", {}, "play"));
  let run;
  try { run = await getJSON(api(name)); } catch (error) { return showError(page, error); }
  const upload = run.sample_options.find(o => o.upload);
  // An image-to-image model draws no latents: its controls are its own only.
  const options = [
    ...(upload ? [] : [{key: "seed", flag: "--seed", type: "int", default: 0, always: true,
                        help: "latent seed: the same seed, the same images"},
                       {key: "n", flag: "--n", type: "int", default: 16, always: true,
                        help: "images (per label or caption, where the model takes them)"}]),
    ...run.sample_options];
  const rows = options.map(control);
  const inputs = rows.map(r => r[1]);
  const status = el("p", {id: "status", class: "muted"});
  const result = el("div", {class: "result", id: "result"});
  const command = el("pre", {id: "command"});
  const figure = (caption, src, id) => el("figure", {}, el("img", {src, id, alt: caption}), el("figcaption", {}, caption));
  let pending = 0;
  const draw = async () => {
    const params = queryOf(inputs);
    const ticket = ++pending;
    const file = upload ? document.getElementById(`opt-${upload.key}`).files[0] : null;
    if (upload && !file) { status.textContent = `Choose an image for ${upload.flag}.`; return; }
    status.textContent = "drawing…";
    const url = `${api(name)}/sample.png?${params}`;
    const flags = [...params].map(([k, v]) => {
      const o = options.find(o => o.key === k);
      return o.is_flag ? o.flag : `${o.flag} ${shellWord(v)}`; });
    if (file) flags.push(`${upload.flag} ${shellWord(file.name)}`);
    command.textContent = `ganzoo sample ${shellWord(run.name)} ${flags.join(" ")} --out sample.png`;
    try {
      const response = await fetch(url, file ? {method: "POST", body: file, headers: {"Content-Type": file.type}} : {});
      if (ticket !== pending) return;   // a newer request is on its way
      if (!response.ok) throw new Error((await response.json()).error);
      const output = URL.createObjectURL(await response.blob());
      if (!file) {
        const shown = figure(`seed ${params.get("seed")}`, output, "sample");
        enlarge(shown.querySelector("img"), 480);
        result.replaceChildren(shown);
      } else {
        const input = URL.createObjectURL(file);
        const shown = [figure("input", input, "input"), figure("output", output, "sample")];
        result.replaceChildren(...shown);
        const [inImage, outImage] = await Promise.all([input, output].map(src => new Promise(done => {
          const image = new Image(); image.onload = () => done(image); image.src = src; })));
        const scale = Math.round(outImage.naturalWidth / inImage.naturalWidth);
        // Side by side at one size: the input enlarged pixel for pixel, as wide as the output.
        const width = `${outImage.naturalWidth * Math.max(1, Math.floor(256 / outImage.naturalWidth))}px`;
        for (const f of shown) f.querySelector("img").style.width = width;
        if (scale > 1) {   // an enlarging model: show the bicubic baseline between input and output
          const bicubic = await fetch(`/api/bicubic.png?scale=${scale}`,
                                      {method: "POST", body: file, headers: {"Content-Type": file.type}});
          if (bicubic.ok) {
            shown.splice(1, 0, figure(`bicubic x${scale}`, URL.createObjectURL(await bicubic.blob()), "bicubic"));
            shown[1].querySelector("img").style.width = width;
            shown[2].querySelector("figcaption").textContent = `model x${scale}`;
            result.replaceChildren(...shown);
          }
        }
      }
      status.textContent = "";
    } catch (error) {
      if (ticket === pending) { result.replaceChildren(); status.replaceChildren(el("span", {class: "error"}, error.message)); }
    }
  };
  for (const input of inputs) input.addEventListener("change", draw);
  page.replaceChildren(
    el("h1", {}, `Play: ${name} `, el("span", {class: "muted"}, `${run.plugin}, ${run.task} task`)),
    el("div", {class: "cards"},
      el("div", {class: "card controls", id: "controls"}, rows.flat(),
         el("span", {}), el("div", {}, el("button", {id: "draw", onclick: draw}, "draw"), " ",
           upload ? null : el("button", {id: "next-seed", onclick: () => {
             const seed = document.getElementById("opt-seed"); seed.value = Number(seed.value || 0) + 1; draw(); }},
             "next seed"))),
      el("div", {}, status, result)),
    el("h2", {}, "The same picture from the command line"), command);
  await draw();
}

// ---------------------------------------------------------------- router
const [, section, ...rest] = location.pathname.split("/");
const runName = decodeURIComponent(rest.join("/"));
if (section === "runs" && runName) runPage(runName);
else if (section === "play" && runName) playPage(runName);
else runsPage();
