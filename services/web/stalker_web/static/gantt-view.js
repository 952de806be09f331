// The Gantt chart's drawing: rows in tree order or one lane per artist, virtualized (a tall spacer, only
// the rows in view exist in the page, redrawn on scroll in an animation frame), with the time axis, today's
// and the project end's lines, dependency arrows between the visible rows and a what-if's ghost bars.
import { DAY, Scale, ZOOMS, formatTime, parseTime, zoneClock } from "./gantt-scale.js";

export const ROW_HEIGHT = 28;
const OVERSCAN = 10;
const INDENT = 16;
const SVG = "http://www.w3.org/2000/svg";
// Shots and sequences without tasks yet are no one's work: not in the "Unassigned" lane.
const GROUPS = new Set(["shot", "sequence"]);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The API's compact rows as objects, with their times in ms and whether they have children. */
export function toTasks(data) {
  const index = Object.fromEntries(data.columns.map((name, i) => [name, i]));
  const tasks = data.rows.map((row) => {
    const task = Object.fromEntries(data.columns.map((name) => [name, row[index[name]]]));
    return { ...task, s: parseTime(task.start), e: parseTime(task.end), hasChildren: false };
  });
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const task of tasks) {
    const parent = byId.get(task.parent_id);
    if (parent) parent.hasChildren = true;
  }
  return { tasks, byId };
}

/** One lane per resource (by name), each with its leaf tasks by start; then the unassigned ones. */
export function artistLanes(tasks, users) {
  const lanes = new Map();
  const unassigned = [];
  for (const task of tasks) {
    if (task.hasChildren) continue;
    if (!task.resources.length && !GROUPS.has(task.kind)) unassigned.push(task);
    for (const user of task.resources) {
      if (!lanes.has(user)) lanes.set(user, []);
      lanes.get(user).push(task);
    }
  }
  const name = (user) => users[String(user)] ?? `User ${user}`;
  const rows = [...lanes.keys()]
    .sort((a, b) => name(a).localeCompare(name(b)))
    .map((user) => ({ key: `user-${user}`, label: name(user), depth: 0, bars: lanes.get(user) }));
  if (unassigned.length) rows.push({ key: "unassigned", label: "Unassigned", depth: 0, bars: unassigned });
  for (const row of rows) row.bars.sort((a, b) => a.s - b.s || a.id - b.id);
  return rows;
}

export class GanttView {
  constructor(parts, taskUrl) {
    this.parts = parts;
    this.taskUrl = taskUrl;
    this.mode = "tree";
    this.zoomIndex = null;
    this.collapsed = new Set();
    this.ghosts = null;
    this.rows = [];
    this.frame = 0;
    this.usable = false;
    parts.body.addEventListener("scroll", () => this.redraw(), { passive: true });
    parts.labelsPane.addEventListener("wheel", (event) => {
      parts.body.scrollTop += event.deltaY;
    }, { passive: true });
    parts.labels.addEventListener("click", (event) => this.toggle(event));
    new ResizeObserver(() => this.redraw()).observe(parts.body);
  }

  setData(data) {
    const { tasks, byId } = toTasks(data);
    this.data = data;
    this.tasks = tasks;
    this.byId = byId;
    this.now = parseTime(data.now);
    this.local = zoneClock(data.time_zone);
    this.projectEnd = parseTime(data.project.end || data.project.computed_end);
    const times = tasks.flatMap((t) => [t.s, t.e]).concat([this.now, this.projectEnd]);
    const known = times.filter(Number.isFinite);
    const from = known.length ? Math.min(...known) : Date.now();
    const to = known.length ? Math.max(...known) : Date.now();
    this.span = [from - 7 * DAY, to + 14 * DAY];
    if (this.zoomIndex === null) this.zoomIndex = this.fittingZoom(to - from);
    this.layout();
  }

  /** The most detailed zoom that shows the whole schedule at once; weeks when none does. */
  fittingZoom(spanMs) {
    const width = this.parts.body.clientWidth || 1000;
    const fits = ZOOMS.findIndex((zoom) => (spanMs / DAY + 21) * zoom.dayWidth <= width);
    return fits === -1 ? 1 : fits;
  }

  setMode(mode) {
    this.mode = mode;
    this.parts.body.scrollTop = 0; // other rows: their top, not the same offset
    this.layout();
  }

  setGhosts(moves) {
    this.ghosts = moves;
    this.redraw();
  }

  zoom(step) {
    const target = Math.min(Math.max(this.zoomIndex + step, 0), ZOOMS.length - 1);
    if (target === this.zoomIndex || !this.scale) return;
    const body = this.parts.body;
    const center = this.scale.time(body.scrollLeft + body.clientWidth / 2);
    this.zoomIndex = target;
    this.layout();
    body.scrollLeft = Math.max(this.scale.xOfLocal(center) - body.clientWidth / 2, 0);
    this.redraw();
  }

  get zoomName() {
    return ZOOMS[this.zoomIndex ?? 0].name;
  }

  scrollToToday() {
    if (!this.scale || !Number.isFinite(this.now)) return;
    const body = this.parts.body;
    body.scrollLeft = Math.max(this.scale.x(this.now) - body.clientWidth / 3, 0);
  }

  /** The rows to draw, the spacer's size and the lines that span every row. */
  layout() {
    if (!this.tasks) return;
    this.scale = new Scale(this.span[0], this.span[1], ZOOMS[this.zoomIndex], this.local);
    this.rows = this.mode === "tree" ? this.treeRows() : artistLanes(this.tasks, this.data.users);
    this.rowOf = new Map();
    this.rows.forEach((row, i) => {
      if (row.task) this.rowOf.set(row.task.id, i);
    });
    const height = Math.max(this.rows.length * ROW_HEIGHT, 1);
    const { spacer, labels, axis } = this.parts;
    spacer.style.width = `${this.scale.width}px`;
    spacer.style.height = `${height}px`;
    labels.style.height = `${height}px`;
    axis.style.width = `${this.scale.width}px`;
    const body = this.parts.body;
    body.scrollTop = Math.min(body.scrollTop, Math.max(height - body.clientHeight, 0));
    this.drawLines();
    this.redraw();
  }

  treeRows() {
    const rows = [];
    let hiddenBelow = Infinity;
    for (const task of this.tasks) {
      if (task.depth > hiddenBelow) continue;
      hiddenBelow = this.collapsed.has(task.id) ? task.depth : Infinity;
      rows.push({ key: `task-${task.id}`, label: task.name, depth: task.depth, task, bars: [task] });
    }
    return rows;
  }

  toggle(event) {
    const button = event.target.closest("button[data-toggle]");
    if (!button) return;
    const id = Number(button.dataset.toggle);
    if (this.collapsed.has(id)) this.collapsed.delete(id);
    else this.collapsed.add(id);
    this.layout(); // draw() puts the focus back on this group's new toggle
  }

  drawLines() {
    const { spacer } = this.parts;
    spacer.querySelectorAll(".gantt-line").forEach((line) => line.remove());
    this.parts.axis.querySelectorAll(".gantt-line").forEach((line) => line.remove());
    const lines = [
      [this.now, "gantt-line gantt-today", "Today"],
      [this.projectEnd, "gantt-line gantt-end", "Project end"],
    ];
    for (const [ms, className, title] of lines) {
      if (!Number.isFinite(ms)) continue;
      for (const parent of [spacer, this.parts.axis]) {
        const line = element("div", className);
        line.style.left = `${Math.round(this.scale.x(ms))}px`;
        line.title = `${title}: ${formatTime(ms, this.local)}`;
        parent.append(line);
      }
    }
  }

  redraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  draw() {
    if (!this.scale) return;
    const body = this.parts.body;
    const top = body.scrollTop;
    const first = Math.max(Math.floor(top / ROW_HEIGHT) - OVERSCAN, 0);
    const last = Math.min(Math.ceil((top + body.clientHeight) / ROW_HEIGHT) + OVERSCAN, this.rows.length);
    const left = body.scrollLeft;
    const span = [left - body.clientWidth, left + 2 * body.clientWidth];
    // Drawing replaces the bars and labels: the one that had the focus gets it back (Enter on a toggle
    // keeps the focus on that group's toggle).
    const focused = document.activeElement?.closest?.(".gantt-bar")?.dataset.taskId;
    const toggle = document.activeElement?.closest?.("button[data-toggle]")?.dataset.toggle;
    this.drawRows(first, last, span);
    this.drawLabels(first, last);
    this.drawAxis(left, left + body.clientWidth);
    this.drawLinks(first, last);
    this.parts.labels.style.transform = `translateY(${-top}px)`;
    this.parts.axis.style.transform = `translateX(${-left}px)`;
    if (focused) this.parts.rows.querySelector(`.gantt-bar[data-task-id="${focused}"]`)?.focus({ preventScroll: true });
    if (toggle) this.parts.labels.querySelector(`button[data-toggle="${toggle}"]`)?.focus({ preventScroll: true });
    if (!this.usable && this.rows.length) {
      this.usable = true;
      performance.mark("gantt:usable");
    }
  }

  drawRows(first, last, [spanLeft, spanRight]) {
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i += 1) {
      const row = this.rows[i];
      const line = element("div", i % 2 ? "gantt-row odd" : "gantt-row");
      line.style.top = `${i * ROW_HEIGHT}px`;
      for (const task of row.bars) {
        if (!Number.isFinite(task.s) || !Number.isFinite(task.e)) continue;
        const x1 = this.scale.x(task.s);
        const x2 = this.scale.x(task.e);
        if (x2 < spanLeft || x1 > spanRight) continue;
        const ghost = this.ghosts?.[String(task.id)];
        if (ghost) line.append(this.ghostBar(task, ghost));
        line.append(this.bar(task, x1, x2));
      }
      fragment.append(line);
    }
    this.parts.rows.replaceChildren(fragment);
  }

  bar(task, x1, x2) {
    const kind = task.hasChildren ? "container" : task.kind;
    const bar = element("a", `gantt-bar kind-${kind} status-${String(task.status).toLowerCase()}`);
    bar.href = `${this.taskUrl}${task.id}`;
    bar.dataset.taskId = String(task.id);
    bar.dataset.start = task.start;
    bar.dataset.end = task.end;
    const [start, end] = [formatTime(task.s, this.local), formatTime(task.e, this.local)];
    bar.setAttribute("aria-label", `${task.name}, ${start} to ${end}`);
    bar.title = `${task.name}\n${start} → ${end}\n${task.status}`;
    bar.style.left = `${Math.round(x1)}px`;
    bar.style.width = `${Math.max(Math.round(x2 - x1), 3)}px`;
    if (x2 - x1 > 48 && !task.hasChildren) bar.append(element("span", "gantt-bar-text", task.name));
    return bar;
  }

  ghostBar(task, [start, end]) {
    const x1 = this.scale.x(parseTime(start));
    const x2 = this.scale.x(parseTime(end));
    const ghost = element("div", "gantt-ghost");
    ghost.dataset.taskId = String(task.id);
    ghost.dataset.start = start;
    ghost.dataset.end = end;
    const [from, to] = [formatTime(parseTime(start), this.local), formatTime(parseTime(end), this.local)];
    ghost.title = `What-if: ${task.name}\n${from} → ${to}`;
    ghost.style.left = `${Math.round(x1)}px`;
    ghost.style.width = `${Math.max(Math.round(x2 - x1), 3)}px`;
    return ghost;
  }

  drawLabels(first, last) {
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i += 1) {
      const row = this.rows[i];
      const label = element("div", i % 2 ? "gantt-label odd" : "gantt-label");
      label.style.top = `${i * ROW_HEIGHT}px`;
      label.style.paddingLeft = `${8 + row.depth * INDENT}px`;
      if (row.task?.hasChildren) {
        const open = !this.collapsed.has(row.task.id);
        const toggle = element("button", "gantt-toggle link", open ? "▾" : "▸");
        toggle.type = "button";
        toggle.dataset.toggle = String(row.task.id);
        toggle.setAttribute("aria-expanded", String(open));
        toggle.setAttribute("aria-label", `${open ? "Collapse" : "Expand"} ${row.label}`);
        label.append(toggle);
      } else if (row.task) {
        label.append(element("span", "gantt-toggle-space"));
      }
      if (row.task) {
        const link = element("a", `gantt-name kind-${row.task.kind}`, row.label);
        link.href = `${this.taskUrl}${row.task.id}`;
        link.tabIndex = -1;
        label.append(link);
      } else {
        label.append(element("span", "gantt-name gantt-lane", row.label));
      }
      label.title = row.label;
      fragment.append(label);
    }
    this.parts.labels.replaceChildren(fragment);
  }

  drawAxis(left, right) {
    const axis = this.parts.axis;
    axis.querySelectorAll(".gantt-tick").forEach((tick) => tick.remove());
    const zoom = ZOOMS[this.zoomIndex];
    const fragment = document.createDocumentFragment();
    for (const [unit, row] of [[zoom.major, "major"], [zoom.minor, "minor"]]) {
      for (const tick of this.scale.ticks(unit, left - 200, right)) {
        const node = element("div", `gantt-tick ${row}`, tick.label);
        node.style.left = `${Math.round(tick.x)}px`;
        fragment.append(node);
      }
    }
    axis.append(fragment);
  }

  drawLinks(first, last) {
    const svg = this.parts.links;
    svg.replaceChildren();
    if (this.mode !== "tree") return;
    // Only as tall as the drawn rows: an arrow from a row far above leaves it (overflow is visible).
    const offset = first * ROW_HEIGHT;
    svg.style.top = `${offset}px`;
    svg.setAttribute("width", String(this.scale.width));
    svg.setAttribute("height", String(Math.max((last - first) * ROW_HEIGHT, 1)));
    svg.append(arrowHead());
    const middle = ROW_HEIGHT / 2 - offset;
    for (let i = first; i < last; i += 1) {
      const task = this.rows[i].task;
      for (const id of task?.depends ?? []) {
        const before = this.byId.get(id);
        const from = this.rowOf.get(id);
        if (from === undefined || !Number.isFinite(before.e) || !Number.isFinite(task.s)) continue;
        const x1 = this.scale.x(before.e);
        const x2 = this.scale.x(task.s);
        const y1 = from * ROW_HEIGHT + middle;
        const y2 = i * ROW_HEIGHT + middle;
        const path = document.createElementNS(SVG, "path");
        path.setAttribute("d", arrowPath(x1, y1, x2, y2));
        path.setAttribute("marker-end", "url(#gantt-arrow)");
        path.dataset.from = String(id);
        path.dataset.to = String(task.id);
        svg.append(path);
      }
    }
  }
}

/** From the end of one bar to the start of another: a curve when there is room, else around the gap. */
function arrowPath(x1, y1, x2, y2) {
  if (x2 - x1 >= 16) {
    const bend = Math.min((x2 - x1) / 2, 24);
    return `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
  }
  const between = y2 > y1 ? y2 - ROW_HEIGHT / 2 : y2 + ROW_HEIGHT / 2;
  return `M${x1},${y1} h6 V${between} H${x2 - 8} V${y2} H${x2}`;
}

function arrowHead() {
  const defs = document.createElementNS(SVG, "defs");
  const marker = document.createElementNS(SVG, "marker");
  for (const [name, value] of Object.entries({
    id: "gantt-arrow", viewBox: "0 0 8 8", refX: "8", refY: "4", markerWidth: "7", markerHeight: "7", orient: "auto",
  })) marker.setAttribute(name, value);
  const tip = document.createElementNS(SVG, "path");
  tip.setAttribute("d", "M0,0 L8,4 L0,8 z");
  marker.append(tip);
  defs.append(marker);
  return defs;
}
