// The deckgen page: fills the prospect form from the library's choices, shows the plan with
// thumbnails and builds the deck, all through the same HTTP API a CRM button uses.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);
const FIELDS = ["recipe", "company", "logo", "segment", "industry", "competitors", "objections", "contact", "values"];

async function api(path, options = {}) {
  const headers = Object.assign({"X-CSRF-Token": csrf}, options.headers || {});
  const response = await fetch(path, Object.assign({credentials: "same-origin"}, options, {headers}));
  const type = response.headers.get("content-type") || "";
  const body = type.includes("application/json") ? await response.json() : null;
  if (!response.ok) {
    const error = new Error(body && body.error ? body.error.message : response.statusText);
    error.problems = body && body.error ? body.error.problems : [];
    throw error;
  }
  return body;
}

function clearErrors() {
  document.querySelectorAll(".error[data-for]").forEach((p) => { p.textContent = ""; });
  document.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
}

function showErrors(error) {
  const problems = error.problems && error.problems.length ? error.problems : [{field: null, message: error.message}];
  for (const problem of problems) {
    const field = FIELDS.includes(problem.field) ? problem.field : "";
    const slot = document.querySelector(`.error[data-for="${field}"]`);
    const text = problem.severity === "warning" ? `warning: ${problem.message}` : problem.message;
    slot.textContent = (slot.textContent ? slot.textContent + "\n" : "") + text;
    const input = $(field === "contact" ? "contact-name" : field);
    if (input) input.classList.add("invalid");
  }
}

function option(select, value, label) {
  const item = document.createElement("option");
  item.value = value;
  item.textContent = label;
  select.appendChild(item);
}

function checkboxes(container, name, values) {
  container.textContent = "";
  for (const value of values) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = name;
    box.value = value;
    label.append(box, value);
    container.appendChild(label);
  }
}

function addValueRow(name = "", value = "") {
  const row = document.createElement("div");
  row.className = "value-row";
  const key = document.createElement("input");
  key.placeholder = "name, e.g. annual_savings";
  key.className = "value-name";
  key.value = name;
  const val = document.createElement("input");
  val.placeholder = "value";
  val.className = "value-value";
  val.value = value;
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = "×";
  remove.title = "Remove";
  remove.addEventListener("click", () => row.remove());
  row.append(key, val, remove);
  $("values").appendChild(row);
}

function parseValue(text) {
  const trimmed = text.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (/^[\[{]/.test(trimmed)) { try { return JSON.parse(trimmed); } catch (e) { /* keep text */ } }
  return trimmed;
}

function prospect() {
  const data = {company: $("company").value, segment: $("segment").value};
  if ($("industry").value.trim()) data.industry = $("industry").value;
  if ($("logo-value").value) data.logo = $("logo-value").value;
  for (const name of ["competitors", "objections"]) {
    data[name] = [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
  }
  const contact = {};
  if ($("contact-name").value.trim()) contact.name = $("contact-name").value.trim();
  if ($("contact-title").value.trim()) contact.title = $("contact-title").value.trim();
  if (Object.keys(contact).length) data.contact = contact;
  const values = {};
  document.querySelectorAll(".value-row").forEach((row) => {
    const name = row.querySelector(".value-name").value.trim();
    if (name) values[name] = parseValue(row.querySelector(".value-value").value);
  });
  if (Object.keys(values).length) data.values = values;
  return data;
}

function request() {
  return JSON.stringify({recipe: $("recipe").value, prospect: prospect()});
}

function fill(data) {
  $("company").value = data.company || "";
  $("industry").value = data.industry || "";
  $("segment").value = data.segment || "";
  for (const name of ["competitors", "objections"]) {
    const wanted = [].concat(data[name] || []);
    document.querySelectorAll(`input[name="${name}"]`).forEach((box) => { box.checked = wanted.includes(box.value); });
  }
  const contact = data.contact || {};
  $("contact-name").value = contact.name || "";
  $("contact-title").value = contact.title || "";
  $("values").textContent = "";
  for (const [name, value] of Object.entries(data.values || {})) {
    addValueRow(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  $("logo").value = "";
  $("logo-value").value = data.logo || "";
  $("logo-note").textContent = data.logo ? `Logo: ${data.logo}` : "";
}

function renderPlan(plan) {
  $("plan-summary").textContent = `${plan.title} for ${plan.prospect}: ${plan.slides.length} slides`;
  const list = $("plan");
  list.textContent = "";
  for (const slide of plan.slides) {
    const item = document.createElement("li");
    item.dataset.key = slide.key;
    if (slide.thumbnail) {
      const image = document.createElement("img");
      image.src = slide.thumbnail;
      image.alt = slide.title;
      image.loading = "lazy";
      item.appendChild(image);
    }
    const key = document.createElement("div");
    key.className = "key";
    key.textContent = `${slide.position}. ${slide.title || slide.key}`;
    const rule = document.createElement("div");
    rule.className = "rule";
    rule.textContent = `${slide.key} (${slide.module} #${slide.number}): ${slide.rule}`;
    item.append(key, rule);
    list.appendChild(item);
  }
  const skipped = $("skipped");
  skipped.textContent = "";
  for (const skip of plan.skipped) {
    const item = document.createElement("li");
    item.textContent = `skipped ${skip.key || ""} (section '${skip.section}'): ${skip.reason}`;
    skipped.appendChild(item);
  }
  for (const warning of plan.warnings) {
    const item = document.createElement("li");
    item.textContent = `warning: ${warning}`;
    skipped.appendChild(item);
  }
}

async function busy(button, work) {
  button.disabled = true;
  clearErrors();
  try { await work(); } catch (error) { showErrors(error); } finally { button.disabled = false; }
}

async function showPlan() {
  const plan = await api("/api/plan", {method: "POST", headers: {"Content-Type": "application/json"}, body: request()});
  renderPlan(plan);
  if (plan.problems.length) showErrors({problems: plan.problems});   // e.g. a name too long for its box
  return plan;
}

async function build() {
  await showPlan();
  $("result").textContent = "Building…";
  try {
    const built = await api("/api/build", {method: "POST", body: request(),
      headers: {"Content-Type": "application/json", "Accept": "application/json"}});
    $("result").textContent = "";
    for (const [label, href] of [["Download .pptx", built.pptx], ["Download PDF", built.pdf]]) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = label;
      link.id = label.includes("PDF") ? "download-pdf" : "download-pptx";
      link.setAttribute("download", "");
      $("result").appendChild(link);
    }
    const note = document.createElement("span");
    note.className = "note";
    note.textContent = `${built.deck}: ${built.slides} slides`;
    $("result").appendChild(note);
  } catch (error) {
    $("result").textContent = "";
    throw error;
  }
  await loadRecent();
}

async function uploadLogo() {
  const file = $("logo").files[0];
  if (!file) return;
  clearErrors();
  const form = new FormData();
  form.append("logo", file);
  try {
    const stored = await api("/api/logos", {method: "POST", body: form});
    $("logo-value").value = stored.logo;
    $("logo-note").textContent = `Logo: ${file.name}`;
  } catch (error) {
    $("logo").value = "";
    $("logo-value").value = "";
    $("logo-note").textContent = "";
    showErrors(error);
  }
}

async function loadRecent() {
  const {decks} = await api("/api/decks");
  const body = document.querySelector("#recent tbody");
  body.textContent = "";
  for (const deck of decks) {
    const row = document.createElement("tr");
    for (const text of [deck.company, deck.recipe, deck.slides, (deck.built_at || "").replace("T", " "), deck.built_by]) {
      const cell = document.createElement("td");
      cell.textContent = text == null ? "" : String(text);
      row.appendChild(cell);
    }
    const links = document.createElement("td");
    for (const [label, href] of [[".pptx", deck.pptx], ["PDF", deck.pdf]]) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = label;
      link.style.marginRight = ".6rem";
      links.appendChild(link);
    }
    row.appendChild(links);
    body.appendChild(row);
  }
}

async function start() {
  const {recipes, choices} = await api("/api/recipes");
  for (const recipe of recipes) option($("recipe"), recipe.name, recipe.title === recipe.name ? recipe.name : `${recipe.title} (${recipe.name})`);
  if (recipes.some((r) => r.name === "first-call")) $("recipe").value = "first-call";
  option($("segment"), "", "(choose)");
  for (const segment of choices.segment) option($("segment"), segment, segment);
  checkboxes($("competitors"), "competitors", choices.competitors);
  checkboxes($("objections"), "objections", choices.objections);
  const {prospects} = await api("/api/prospects");
  const rows = new Map();
  for (const row of prospects) {
    rows.set(row.id, row.prospect);
    option($("crm-row"), row.id, `${row.company} (${row.label})`);
  }
  $("crm-row").addEventListener("change", () => { if (rows.has($("crm-row").value)) fill(rows.get($("crm-row").value)); });
  $("add-value").addEventListener("click", () => addValueRow());
  $("logo").addEventListener("change", uploadLogo);
  $("deck-form").addEventListener("submit", (event) => { event.preventDefault(); busy($("show-plan"), showPlan); });
  $("build").addEventListener("click", () => busy($("build"), build));
  document.body.dataset.ready = "true";
  await loadRecent();
}

start().catch(showErrors);
