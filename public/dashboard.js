// Dashboard behaviour htmx does not cover: the "N new" counter while scrolled down, catching up after the live
// connection was lost or paused (hx-ws closes the socket while the tab is hidden), and leaving after signing out.
(() => {
  let connections = 0;
  let unseen = 0;

  const counter = () => document.getElementById("new-count");
  const scrolledAway = () => {
    const feed = document.getElementById("feed");
    return feed ? feed.getBoundingClientRect().top < 0 : false;
  };

  function showUnseen() {
    const button = counter();
    if (!button) return;
    button.hidden = unseen === 0;
    button.textContent = `${unseen} new`;
  }

  const MAX_FEED_ROWS = 100;
  const filterValue = () => document.getElementById("feed-filter")?.value ?? "";

  // Live rows arrive for every type; the filter hides the others as they come in.
  function watchFeed() {
    const feed = document.getElementById("feed");
    if (!feed || feed.dataset.watched) return;
    feed.dataset.watched = "1";
    // Rows already shown: a row replaced in place (its document arrived) is not "new".
    const known = new Set([...feed.children].map((row) => row.id));
    new MutationObserver((changes) => {
      const type = filterValue();
      for (const change of changes) {
        for (const node of change.addedNodes) {
          if (node.nodeType !== 1 || node.tagName !== "LI") continue;
          if (type && node.dataset.type !== type) node.hidden = true;
          else if (!known.has(node.id) && scrolledAway()) unseen++;
          known.add(node.id);
        }
      }
      // A burst (an import of months of history) must not grow the page without end: the oldest rows go.
      while (feed.children.length > MAX_FEED_ROWS) feed.lastElementChild.remove();
      showUnseen();
      if (feed.children.length > 0) document.getElementById("empty-feed")?.remove();
    }).observe(feed, { childList: true });
  }
  document.addEventListener("DOMContentLoaded", watchFeed);
  document.addEventListener("htmx:after:settle", watchFeed);

  document.addEventListener("click", (event) => {
    if (event.target && event.target.id === "new-count") {
      unseen = 0;
      showUnseen();
      document.getElementById("live")?.scrollIntoView({ behavior: "smooth" });
    }
  });

  window.addEventListener("scroll", () => {
    if (unseen > 0 && !scrolledAway()) {
      unseen = 0;
      showUnseen();
    }
  });

  // Every connection after the first is a reconnect: reload the feed so nothing missed stays missing.
  document.addEventListener("htmx:ws:after:connection", () => {
    connections++;
    document.documentElement.dataset.live = "connected";
    if (connections > 1) {
      const filter = document.getElementById("feed-filter");
      const type = filter ? filter.value : "";
      htmx.ajax("GET", `/dashboard/feed${type ? `?data_type=${encodeURIComponent(type)}` : ""}`, { target: "#feed", swap: "innerHTML" });
    }
  });
  // Signing out: the form posts to /auth/logout (which answers JSON), then the browser goes back to /dashboard, which
  // now shows the sign-in page. Here rather than in an hx-on attribute, which would need 'unsafe-eval'.
  document.addEventListener("htmx:after:request", (event) => {
    if (event.target instanceof Element && event.target.id === "sign-out") location.href = "/dashboard";
  });

  // The event detail: a dialog over the page with its own URL (/dashboard?event=<id>), focus inside while open and
  // back on the row that opened it after Close or Escape (the dialog's own cancel).
  const dialog = () => document.getElementById("detail-dialog");
  let opener = null;
  let openedId = null;
  const urlWithEvent = (id) => {
    const url = new URL(location.href);
    if (id) url.searchParams.set("event", id);
    else url.searchParams.delete("event");
    return `${url.pathname}${url.search}${url.hash}`;
  };
  function openDetail(id, fromHistory) {
    const box = dialog();
    if (!box) return;
    openedId = id ?? new URL(location.href).searchParams.get("event");
    if (!box.open) box.showModal();
    document.getElementById("detail-close")?.focus();
    if (!fromHistory && id && new URL(location.href).searchParams.get("event") !== String(id)) history.pushState({ event: id }, "", urlWithEvent(id));
  }
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-event-id]") : null;
    if (link) opener = link;
    if (event.target instanceof Element && event.target.id === "detail-close") dialog()?.close();
  });
  // htmx 4 fires this on the element that made the request: a feed row's link.
  document.addEventListener("htmx:after:swap", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-event-id]") : null;
    if (!link) return;
    opener = link;
    openDetail(link.dataset.eventId, false);
  });
  document.addEventListener("DOMContentLoaded", () => {
    const box = dialog();
    if (!box) return;
    box.addEventListener("close", () => {
      if (new URL(location.href).searchParams.has("event")) history.pushState({}, "", urlWithEvent(null));
      // The row may have been redrawn meanwhile (its document arrived): find it again by its event.
      const back = opener && document.contains(opener) ? opener : document.querySelector(`a[data-event-id="${CSS.escape(String(openedId ?? ""))}"]`);
      if (back) back.focus();
      opener = null;
    });
    if (box.dataset.open) openDetail(null, true);
  });
  // Back and forward: the URL says whether the detail is open (and which one). Going forward to a detail loads that
  // address again (the server opens the dialog), which is simpler and surer than rebuilding it here.
  window.addEventListener("popstate", () => {
    const id = new URL(location.href).searchParams.get("event");
    const box = dialog();
    if (!box) return;
    if (id) {
      location.reload();
      return;
    }
    if (box.open) box.close();
  });

  // Times arrive in UTC (<time datetime> with data-format); they are shown in the viewer's own time zone, labelled.
  // Oura's days (the charts' dates, a night's day) are dates, not instants: never shifted.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const fullFormat = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short" });
  function localTime(element) {
    const at = new Date(element.getAttribute("datetime"));
    if (Number.isNaN(at.getTime())) return;
    if (element.dataset.format === "clock") {
      element.textContent = clockFormat.format(at);
    } else {
      const part = Object.fromEntries(fullFormat.formatToParts(at).map((p) => [p.type, p.value]));
      element.textContent = `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} ${part.timeZoneName}`;
    }
    element.title = `${at.toISOString().replace("T", " ").slice(0, 19)} UTC`;
    element.dataset.local = "1";
  }
  function localTimes(root) {
    if (root.nodeType !== 1) return;
    if (root.matches("time[datetime][data-format]:not([data-local])")) localTime(root);
    for (const element of root.querySelectorAll("time[datetime][data-format]:not([data-local])")) localTime(element);
  }
  document.addEventListener("DOMContentLoaded", () => {
    const note = document.getElementById("tz-note");
    if (note) {
      const short = Object.fromEntries(fullFormat.formatToParts(new Date()).map((p) => [p.type, p.value])).timeZoneName;
      note.textContent = short && short !== zone ? `Times in your time zone: ${zone} (${short})` : `Times in your time zone: ${zone}`;
    }
    localTimes(document.body);
    // Live rows, fragments and the detail dialog bring new times at any moment.
    new MutationObserver((changes) => {
      for (const change of changes) for (const node of change.addedNodes) localTimes(node);
    }).observe(document.body, { childList: true, subtree: true });
  });

  // The server's status is a line on a phone (the first screen is today's scores) and open on a wide screen.
  document.addEventListener("DOMContentLoaded", () => {
    const server = document.querySelector("details[data-open-wide]");
    if (server && window.matchMedia("(min-width: 48rem)").matches) server.open = true;
  });

  document.addEventListener("htmx:ws:close", () => {
    document.documentElement.dataset.live = "disconnected";
  });
})();
