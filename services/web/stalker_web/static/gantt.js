// The Schedule page: loads the chart's JSON, wires the toolbar (views, zoom, what-if) and follows a
// "Schedule now" job until it ends, then draws the new dates.
import { api } from "./app.js";
import { GanttView } from "./gantt-view.js";

const POLL_MS = 1000;
const app = document.getElementById("gantt-app");
if (app) start(app);

function start(root) {
  const $ = (id) => document.getElementById(id);
  const view = new GanttView(
    {
      body: $("gantt-body"),
      spacer: $("gantt-spacer"),
      rows: $("gantt-rows"),
      links: $("gantt-links"),
      labels: $("gantt-labels"),
      labelsPane: $("gantt-labels-pane"),
      axis: $("gantt-axis"),
    },
    root.dataset.taskUrl,
  );
  const page = { root, view, $ };
  wireViews(page);
  wireZoom(page);
  $("schedule-now").addEventListener("click", () => scheduleNow(page));
  load(page).then(() => loadScenario(page));
}

async function load(page) {
  const { $, view, root } = page;
  const message = $("gantt-message");
  try {
    const data = await api(root.dataset.source);
    const chart = $("gantt");
    chart.hidden = false;
    message.hidden = data.rows.length > 0;
    message.textContent = data.rows.length ? "" : "This project has no tasks yet.";
    message.classList.remove("error");
    const firstLoad = !view.tasks;
    view.setData(data);
    $("zoom-level").textContent = view.zoomName;
    if (firstLoad) view.scrollToToday();
  } catch (error) {
    message.hidden = false;
    message.textContent = `The schedule could not be loaded: ${error.message}`;
    message.classList.add("error");
  }
}

function wireViews({ $, view }) {
  const buttons = { tree: $("view-tree"), artist: $("view-artist") };
  for (const [mode, button] of Object.entries(buttons)) {
    button.addEventListener("click", () => {
      for (const [other, b] of Object.entries(buttons)) b.setAttribute("aria-pressed", String(other === mode));
      $("gantt-corner").textContent = mode === "tree" ? "Task" : "Artist";
      view.setMode(mode);
    });
  }
}

function wireZoom({ $, view }) {
  const zoom = (step) => {
    view.zoom(step);
    $("zoom-level").textContent = view.zoomName;
  };
  $("zoom-in").addEventListener("click", () => zoom(-1));
  $("zoom-out").addEventListener("click", () => zoom(1));
  $("go-today").addEventListener("click", () => view.scrollToToday());
  document.addEventListener("keydown", (event) => {
    if (event.target.closest?.("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.key === "+" || event.key === "=") zoom(-1);
    else if (event.key === "-" || event.key === "_") zoom(1);
    else if (event.key === "t") view.scrollToToday();
    else return;
    event.preventDefault();
  });
}

async function loadScenario({ $, view, root }) {
  let scenario;
  try {
    scenario = await api(root.dataset.scenario);
  } catch (error) {
    return; // the plan is shown all the same; a what-if is extra
  }
  if (!scenario.job_id) return;
  const moved = Object.keys(scenario.moves).length;
  $("what-if-job").textContent = `(job ${scenario.job_id}: ${moved} task${moved === 1 ? "" : "s"} moved)`;
  $("what-if-toggle").hidden = false;
  $("what-if").addEventListener("change", (event) => {
    view.setGhosts(event.target.checked ? scenario.moves : null);
  });
}

function showJob(status, job) {
  let text = `Job ${job.id}: ${job.status}`;
  if (job.status === "running" && job.parts) text += ` (${job.parts_done} of ${job.parts} parts)`;
  if (job.status === "completed") text += `, ${job.tasks_scheduled ?? 0} tasks scheduled`;
  if (job.status === "failed") {
    const why = [job.message, ...job.problems].filter(Boolean).join("; ");
    text += `: ${why || "no reason given"}`;
  }
  status.textContent = text;
  status.classList.toggle("error", job.status === "failed");
}

async function scheduleNow(page) {
  const { $ } = page;
  const button = $("schedule-now");
  const status = $("job-status");
  button.disabled = true;
  status.classList.remove("error");
  status.textContent = "Asking for a schedule run…";
  try {
    let job = await api(page.root.dataset.schedule, { method: "POST" });
    showJob(status, job);
    while (!job.done) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      job = await api(`${page.root.dataset.jobs}${job.id}`);
      showJob(status, job);
    }
    if (job.status === "completed") await load(page);
  } catch (error) {
    status.textContent = `Refused: ${error.message}`;
    status.classList.add("error");
  } finally {
    button.disabled = false;
  }
}
