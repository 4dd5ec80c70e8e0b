// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The dashboard: one self-contained HTML page, served at `/`.
///
/// It loads nothing from anywhere: styles and script are inline. Every second it fetches
/// `/dashboard/state` (a `DashboardDocument`) and updates the page in place. Data reaches the page
/// only through `textContent` and attributes, never as HTML. Tiles carry `data-vm` and
/// `data-status`, event rows `data-vm` and `data-kind`, and `<body>` counts its refreshes in
/// `data-refreshes`, so a browser test can read the state from the DOM.
public enum DashboardPage {
    /// The page.
    public static let html = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>GuestSDK host agent</title>
        <style>
        :root { --green: #1f9d55; --red: #d93838; --gray: #8c96a3; --ink: #1d2430; --muted: #687385;
                --line: #e3e7ed; --bg: #f3f5f8; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
               color: var(--ink); background: var(--bg); }
        header { display: flex; align-items: center; gap: 18px; padding: 14px 24px; background: #17202c;
                 color: #fff; }
        header h1 { font-size: 17px; margin: 0; font-weight: 600; letter-spacing: .2px; }
        .summary { display: flex; gap: 10px; flex-wrap: wrap; }
        .chip { padding: 2px 10px; border-radius: 999px; background: #2a3544; font-size: 13px; }
        .chip b { font-variant-numeric: tabular-nums; }
        .chip.green b { color: #6ee7a0; } .chip.red b { color: #ff8a8a; } .chip.gray b { color: #c7ced8; }
        .conn { margin-left: auto; font-size: 12px; color: #aab4c3; }
        .conn[data-connection="lost"] { color: #ff8a8a; font-weight: 600; }
        main { padding: 20px 24px; }
        #tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 14px; }
        .tile { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--gray);
                border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(20, 30, 50, .05); }
        .tile[data-status="green"] { border-left-color: var(--green); }
        .tile[data-status="red"] { border-left-color: var(--red); background: #fff6f6; }
        .top { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
        .name { font-weight: 600; font-size: 15px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .pill { font-size: 11px; font-weight: 700; letter-spacing: .6px; color: #fff; padding: 2px 8px;
                border-radius: 999px; background: var(--gray); text-transform: uppercase; }
        .tile[data-status="green"] .pill { background: var(--green); }
        .tile[data-status="red"] .pill { background: var(--red); }
        .facts { display: grid; grid-template-columns: auto 1fr; gap: 1px 10px; margin: 8px 0 6px;
                 font-size: 13px; }
        .facts dt { color: var(--muted); } .facts dd { margin: 0; font-variant-numeric: tabular-nums; }
        svg.timeline { display: block; width: 100%; height: 26px; background: #f7f8fa; border-radius: 4px; }
        .axis { display: flex; justify-content: space-between; font-size: 11px; color: var(--muted); }
        .tile ul { list-style: none; margin: 8px 0 0; padding: 6px 0 0; border-top: 1px solid var(--line);
                   font-size: 12px; color: var(--muted); min-height: 20px; }
        .tile li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        section { margin-top: 26px; }
        section h2 { font-size: 15px; margin: 0 0 8px; }
        table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line);
                border-radius: 8px; overflow: hidden; font-size: 13px; }
        th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); }
        th { background: #f7f8fa; color: var(--muted); font-weight: 600; }
        td.when { font-variant-numeric: tabular-nums; color: var(--muted); white-space: nowrap; }
        .dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 6px;
               background: var(--gray); }
        .dot.green { background: var(--green); } .dot.red { background: var(--red); }
        tr[data-kind^="reset"] td.kind, tr[data-kind="heartbeat-missed"] td.kind { color: var(--red);
               font-weight: 600; }
        .empty { color: var(--muted); padding: 24px; text-align: center; }
        </style>
        </head>
        <body data-refreshes="0">
        <header>
          <h1>GuestSDK host agent</h1>
          <div class="summary">
            <span class="chip"><b id="count-vms">0</b> VMs</span>
            <span class="chip green"><b id="count-green">0</b> green</span>
            <span class="chip red"><b id="count-red">0</b> red</span>
            <span class="chip gray"><b id="count-gray">0</b> gray</span>
            <span class="chip"><b id="count-events">0</b> events</span>
          </div>
          <span class="conn" id="conn" data-connection="connecting">connecting…</span>
        </header>
        <main>
          <div id="tiles"><div class="empty">Waiting for the agent…</div></div>
          <section>
            <h2>Latest events</h2>
            <table>
              <thead><tr><th>Time</th><th>VM</th><th>Event</th><th>Details</th><th>Status after</th></tr></thead>
              <tbody id="events"></tbody>
            </table>
          </section>
        </main>
        <script>
        "use strict";
        const SVG = "http://www.w3.org/2000/svg";
        const tiles = new Map();
        let refreshes = 0;

        function el(tag, cls, text) {
          const node = document.createElement(tag);
          if (cls) node.className = cls;
          if (text !== undefined) node.textContent = text;
          return node;
        }

        function duration(seconds) {
          if (seconds === undefined || seconds === null) return "none yet";
          if (seconds < 60) return seconds.toFixed(1) + " s";
          const s = Math.floor(seconds);
          if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
          return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
        }

        function clock(ms) {
          return new Date(ms).toLocaleTimeString([], { hour12: false });
        }

        function eventText(event) {
          return clock(event.dateMilliseconds) + "  " + event.kind + (event.details ? "  " + event.details : "");
        }

        function makeTile(name) {
          const tile = el("div", "tile");
          tile.dataset.vm = name;
          const top = el("div", "top");
          top.append(el("span", "name", name), el("span", "pill", "gray"));
          const facts = el("dl", "facts");
          const values = {};
          for (const [key, label] of [["beat", "Last heartbeat"], ["up", "Uptime"], ["resets", "Resets"],
                                      ["state", "App state"]]) {
            facts.append(el("dt", "", label));
            values[key] = el("dd", "");
            facts.append(values[key]);
          }
          const svg = document.createElementNS(SVG, "svg");
          svg.setAttribute("class", "timeline");
          svg.setAttribute("preserveAspectRatio", "none");
          const paths = {};
          for (const [key, color] of [["y", "#c3cad3"], ["g", "#1f9d55"], ["r", "#d93838"]]) {
            paths[key] = document.createElementNS(SVG, "path");
            paths[key].setAttribute("fill", color);
            svg.append(paths[key]);
          }
          const axis = el("div", "axis");
          const axisStart = el("span", "");
          axis.append(axisStart, el("span", "", "now"));
          const list = el("ul", "");
          tile.append(top, facts, svg, axis, list);
          return { tile, pill: top.lastChild, values, svg, paths, axisStart, list };
        }

        function drawTimeline(parts, timeline, slotSeconds) {
          const n = timeline.length;
          parts.svg.setAttribute("viewBox", "0 0 " + n + " 20");
          const d = { y: "", g: "", r: "" };
          for (let i = 0; i < n; i++) {
            const code = timeline[i];
            if (code === ".") continue;
            const key = code.toLowerCase();
            const height = code === key ? 5 : 18;
            d[key] += "M" + i + " " + (20 - height) + "h0.8v" + height + "h-0.8z";
          }
          for (const key of Object.keys(d)) parts.paths[key].setAttribute("d", d[key]);
          const span = n * slotSeconds;
          parts.axisStart.textContent = "−" + (span >= 60 && span % 60 === 0 ? span / 60 + " min" : duration(span));
        }

        function updateTile(parts, vm, slotSeconds) {
          parts.tile.dataset.status = vm.status;
          parts.pill.textContent = vm.status;
          parts.values.beat.textContent = vm.enabled || vm.secondsSinceHeartbeat !== undefined
            ? (vm.secondsSinceHeartbeat === undefined ? "none yet" : duration(vm.secondsSinceHeartbeat) + " ago")
            : "monitoring off";
          parts.values.up.textContent = duration(vm.uptimeSeconds);
          let resets = vm.resetsDone + " done, " + vm.resetsHeldBack + " held back";
          if (vm.pendingReset) resets += " · reset pending";
          if (vm.heldBackReason) resets += " · holding: " + vm.heldBackReason;
          parts.values.resets.textContent = resets;
          parts.values.state.textContent = vm.appState + " · fails after " + vm.failureInterval + " s";
          drawTimeline(parts, vm.timeline, slotSeconds);
          parts.list.replaceChildren(...vm.events.map(event => {
            const item = el("li", "", eventText(event));
            item.dataset.kind = event.kind;
            return item;
          }));
        }

        function render(doc) {
          const grid = document.getElementById("tiles");
          const seen = new Set();
          const counts = { green: 0, red: 0, gray: 0 };
          if (doc.vms.length === 0) grid.replaceChildren(el("div", "empty", "No VMs configured."));
          else if (grid.querySelector(".empty")) grid.replaceChildren();
          for (const vm of doc.vms) {
            seen.add(vm.name);
            counts[vm.status] = (counts[vm.status] || 0) + 1;
            let parts = tiles.get(vm.name);
            if (!parts) {
              parts = makeTile(vm.name);
              tiles.set(vm.name, parts);
            }
            updateTile(parts, vm, doc.slotSeconds);
            grid.append(parts.tile);
          }
          for (const [name, parts] of tiles) {
            if (!seen.has(name)) { parts.tile.remove(); tiles.delete(name); }
          }
          document.getElementById("count-vms").textContent = doc.vms.length;
          for (const key of ["green", "red", "gray"]) {
            document.getElementById("count-" + key).textContent = counts[key];
          }
          document.getElementById("count-events").textContent = doc.eventCount;
          document.getElementById("events").replaceChildren(...doc.events.map(event => {
            const row = el("tr", "");
            row.dataset.vm = event.vm;
            row.dataset.kind = event.kind;
            const status = el("td", "");
            status.append(el("span", "dot " + event.status), document.createTextNode(event.status));
            row.append(el("td", "when", clock(event.dateMilliseconds)), el("td", "", event.vm),
                       el("td", "kind", event.kind), el("td", "", event.details), status);
            return row;
          }));
        }

        function setConnection(ok, generatedAt) {
          const conn = document.getElementById("conn");
          conn.dataset.connection = ok ? "ok" : "lost";
          conn.textContent = ok ? "updated " + clock(generatedAt) : "agent unreachable: retrying";
        }

        async function refresh() {
          try {
            const response = await fetch("/dashboard/state", { cache: "no-store" });
            if (!response.ok) throw new Error("HTTP " + response.status);
            const doc = await response.json();
            render(doc);
            setConnection(true, doc.generatedAtMilliseconds);
            refreshes += 1;
            document.body.dataset.refreshes = refreshes;
          } catch (error) {
            setConnection(false);
          } finally {
            setTimeout(refresh, 1000);
          }
        }

        refresh();
        </script>
        </body>
        </html>

        """#
}
